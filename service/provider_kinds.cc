#include "service/provider_kinds.h"

#include <algorithm>
#include <iterator>

namespace resetd::service {
namespace {

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool IsLowerHex(char c) {
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

// `prefix` followed by `min` to `max` characters [a-z0-9].
bool IsPrefixedAlnum(std::string_view id, std::string_view prefix, size_t min,
                     size_t max) {
  if (id.substr(0, prefix.size()) != prefix) return false;
  const std::string_view rest = id.substr(prefix.size());
  return rest.size() >= min && rest.size() <= max &&
         std::all_of(rest.begin(), rest.end(), IsLowerAlnum);
}

// "ins-" followed by exactly 8 characters [a-z0-9].
bool IsTencentCvmId(std::string_view id) {
  return IsPrefixedAlnum(id, "ins-", 8, 8);
}

// "lhins-" followed by exactly 8 characters [a-z0-9].
bool IsLighthouseId(std::string_view id) {
  return IsPrefixedAlnum(id, "lhins-", 8, 8);
}

// ECS ids are "i-" and a fixed-length string (20 characters today, e.g.
// i-bp13izg0l4s3xxxxxxxx); instances from before that format have shorter
// ones. Any length from 8 to 32 is accepted: lenient about the length,
// strict about the characters, which go into URLs.
bool IsAliyunEcsId(std::string_view id) {
  return IsPrefixedAlnum(id, "i-", 8, 32);
}

// A Huawei server id is a UUID as the API writes it: lowercase 8-4-4-4-12.
bool IsHuaweiServerId(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !IsLowerHex(id[i])) return false;
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

// Lighthouse's action names are CVM's (another API, another rate limit).
constexpr ApiAction kLighthouseActions[] = {
    {"DescribeInstances", "Describe"},
    {"StopInstances", "Stop"},
    {"StartInstances", "Start"},
    {"RebootInstances", "Reboot"},
    {"ResetInstancesPassword", "ResetPassword"},
};

constexpr ApiAction kAliyunEcsActions[] = {
    {"DescribeInstances", "Describe"},
    {"StopInstances", "Stop"},
    {"StartInstances", "Start"},
    {"RebootInstances", "Reboot"},
    {"ModifyInstanceAttribute", "ResetPassword"},
    {"ModifyInstanceVncPasswd", "ResetVncPassword"},
};

// Huawei's operation names as its SDK and API reference spell them.
constexpr ApiAction kHuaweiEcsActions[] = {
    {"ListServersDetails", "Describe"},
    {"BatchStopServers", "Stop"},
    {"BatchStartServers", "Start"},
    {"BatchRebootServers", "Reboot"},
    {"ResetServerPassword", "ResetPassword"},
    {"BatchResetServersPassword", "ResetPassword"},  // with batch_reset
};

// Tencent's API reference, "request frequency limit" of each action: 10/s,
// except DescribeInstances 40/s (CVM); Lighthouse: ResetInstancesPassword
// 20/s, DescribeInstances 100/s, Stop/Start/Reboot 10/s. Alibaba and Huawei
// publish no per-API rates (quotas per account in their consoles).
constexpr PublishedRate kTencentCvmRates[] = {{"Describe", 40}};
constexpr PublishedRate kLighthouseRates[] = {{"Describe", 100},
                                              {"ResetPassword", 20}};

constexpr std::string_view kEngineActions[] = {
    "Describe",         "Stop", "Start", "Reboot", "ResetPassword",
    "ResetVncPassword", "*"};

constexpr ProviderKind kKinds[] = {
    {.name = "tencent_cvm",
     .cloud = "tencent",
     .default_endpoint = "cvm.tencentcloudapi.com",
     .secret_id_env = "TENCENTCLOUD_SECRET_ID",
     .secret_key_env = "TENCENTCLOUD_SECRET_KEY",
     .max_batch = 100,
     .id_format = "\"ins-\" followed by 8 lowercase letters or digits",
     .is_valid_id = &IsTencentCvmId,
     .api_actions = kTencentCvmActions,
     .api_action_count = std::size(kTencentCvmActions),
     .published_rates = kTencentCvmRates,
     .published_rate_count = std::size(kTencentCvmRates)},
    {.name = "tencent_lighthouse",
     .cloud = "tencent",
     .default_endpoint = "lighthouse.tencentcloudapi.com",
     .secret_id_env = "TENCENTCLOUD_SECRET_ID",
     .secret_key_env = "TENCENTCLOUD_SECRET_KEY",
     .max_batch = 100,
     .id_format = "\"lhins-\" followed by 8 lowercase letters or digits",
     .is_valid_id = &IsLighthouseId,
     .api_actions = kLighthouseActions,
     .api_action_count = std::size(kLighthouseActions),
     .published_rates = kLighthouseRates,
     .published_rate_count = std::size(kLighthouseRates)},
    {.name = "aliyun_ecs",
     .cloud = "aliyun",
     .default_endpoint = "ecs.aliyuncs.com",
     .secret_id_env = "ALIBABA_CLOUD_ACCESS_KEY_ID",
     .secret_key_env = "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
     .max_batch = 100,
     .id_format = "\"i-\" followed by 8 to 32 lowercase letters or digits",
     .is_valid_id = &IsAliyunEcsId,
     .api_actions = kAliyunEcsActions,
     .api_action_count = std::size(kAliyunEcsActions),
     .default_account_only = true},
    {.name = "huawei_ecs",
     .cloud = "huawei",
     .default_endpoint = "",  // ecs.{region}.myhuaweicloud.com
     .secret_id_env = "HUAWEICLOUD_SDK_AK",
     .secret_key_env = "HUAWEICLOUD_SDK_SK",
     .max_batch = 100,
     .id_format = "a server id (UUID, lowercase: 8-4-4-4-12 hex digits)",
     .is_valid_id = &IsHuaweiServerId,
     .api_actions = kHuaweiEcsActions,
     .api_action_count = std::size(kHuaweiEcsActions),
     .needs_project_ids = true,
     .has_batch_reset = true,
     .default_account_only = true},
};

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

bool IsDefaultAccountName(std::string_view username) {
  return username.empty() || username == "root" || username == "Administrator";
}

bool IsValidProjectId(std::string_view project_id) {
  if (project_id.empty() || project_id.size() > 64) return false;
  return std::all_of(project_id.begin(), project_id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace resetd::service
