// What the service knows about each provider kind it can configure: default
// endpoint and credential variables, batch cap, and the instance id format.
// Adding a provider adds one entry here (and its client in main.cc).
#pragma once

#include <string>
#include <string_view>

namespace resetd::service {

// A provider API action and the engine action it serves.
struct ApiAction {
  std::string_view api;     // e.g. "ResetInstancesPassword"
  std::string_view engine;  // Describe, Stop, Start, Reboot, ResetPassword
};

struct ProviderKind {
  std::string_view name;              // config's `kind`, e.g. "tencent_cvm"
  std::string_view default_endpoint;  // host[:port]
  std::string_view secret_id_env;     // default credential variables
  std::string_view secret_key_env;
  int max_batch = 100;  // the provider's own cap on ids per call
  // Human-readable id format, for validation messages.
  std::string_view id_format;
  // True iff `id` is well-formed for this provider.
  bool (*is_valid_id)(std::string_view id) = nullptr;
  // The provider's API action names, for rate limits named the provider's way.
  const ApiAction* api_actions = nullptr;
  int api_action_count = 0;
};

// The kind named `name`, or nullptr if this build does not know it.
const ProviderKind* FindProviderKind(std::string_view name);

// The known kinds' names, comma-separated, for error messages.
std::string KnownProviderKindNames();

// The engine action a rate limit's `action` names: an engine action
// (Describe, Stop, Start, Reboot, ResetPassword), "*" (every action), or one
// of `kind`'s API actions (e.g. "ResetInstancesPassword" -> ResetPassword).
// Empty if it names none of these.
std::string_view EngineActionFor(const ProviderKind& kind,
                                 std::string_view action);

// The names EngineActionFor accepts for `kind`, for error messages.
std::string RateLimitActionNames(const ProviderKind& kind);

}  // namespace resetd::service
