#include "service/provider_kinds.h"

#include <array>

namespace resetd::service {
namespace {

// "ins-" followed by exactly 8 characters [a-z0-9].
bool IsTencentCvmId(std::string_view id) {
  constexpr std::string_view kPrefix = "ins-";
  if (id.size() != kPrefix.size() + 8 || id.substr(0, 4) != kPrefix) {
    return false;
  }
  for (char c : id.substr(kPrefix.size())) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

constexpr ApiAction kTencentCvmActions[] = {
    {"DescribeInstances", "Describe"},
    {"StopInstances", "Stop"},
    {"StartInstances", "Start"},
    {"RebootInstances", "Reboot"},
    {"ResetInstancesPassword", "ResetPassword"},
};

constexpr std::string_view kEngineActions[] = {"Describe", "Stop", "Start",
                                               "Reboot", "ResetPassword", "*"};

constexpr std::array<ProviderKind, 1> kKinds = {{
    {"tencent_cvm", "cvm.tencentcloudapi.com", "TENCENTCLOUD_SECRET_ID",
     "TENCENTCLOUD_SECRET_KEY", 100,
     "\"ins-\" followed by 8 lowercase letters or digits", &IsTencentCvmId,
     kTencentCvmActions, std::size(kTencentCvmActions)},
}};

}  // namespace

const ProviderKind* FindProviderKind(std::string_view name) {
  for (const ProviderKind& kind : kKinds) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

std::string KnownProviderKindNames() {
  std::string out;
  for (const ProviderKind& kind : kKinds) {
    if (!out.empty()) out += ", ";
    out += kind.name;
  }
  return out;
}

}  // namespace resetd::service

namespace resetd::service {

std::string_view EngineActionFor(const ProviderKind& kind,
                                 std::string_view action) {
  for (std::string_view engine : kEngineActions) {
    if (engine == action) return engine;
  }
  for (int i = 0; i < kind.api_action_count; ++i) {
    if (kind.api_actions[i].api == action) return kind.api_actions[i].engine;
  }
  return {};
}

std::string RateLimitActionNames(const ProviderKind& kind) {
  std::string out;
  for (std::string_view engine : kEngineActions) {
    out += (out.empty() ? "" : ", ") + std::string(engine);
  }
  for (int i = 0; i < kind.api_action_count; ++i) {
    out += ", " + std::string(kind.api_actions[i].api);
  }
  return out;
}

}  // namespace resetd::service
