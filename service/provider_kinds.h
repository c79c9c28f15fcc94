// What the service knows about each provider kind it can configure: default
// endpoint and credential variables, batch cap, the instance id format, the
// API action names, and the per-kind rules the config and jobs must follow.
// Adding a provider adds one entry here (and its client in main.cc).
#pragma once

#include <string>
#include <string_view>

namespace resetd::service {

// A provider API action and the engine action it serves.
struct ApiAction {
  std::string_view api;     // e.g. "ResetInstancesPassword"
  std::string_view engine;  // Describe, Stop, Start, Reboot, ResetPassword,
                            // ResetVncPassword
};

// A published request rate: `per_second` calls of the engine action.
struct PublishedRate {
  std::string_view engine;  // e.g. "Describe"
  double per_second;
};

struct ProviderKind {
  std::string_view name;  // config's `kind`, e.g. "tencent_cvm"
  // The cloud whose accounts the kind's API keys belong to: kinds of one
  // cloud share accounts (Tencent CVM and Lighthouse take the same keys).
  std::string_view cloud;
  // host[:port]. Empty: the client derives one per region (Huawei:
  // "ecs.{region}.myhuaweicloud.com"), so the config may leave it unset.
  std::string_view default_endpoint;
  // Default credential variables. Credentials.secret_id_* is the provider's
  // key id (SecretId, AccessKey ID, AK), secret_key_* its secret (SecretKey,
  // AccessKey secret, SK).
  std::string_view secret_id_env;
  std::string_view secret_key_env;
  int max_batch = 100;  // the provider's own cap on ids per call
  // Human-readable id format, for validation messages.
  std::string_view id_format;
  // True iff `id` is well-formed for this provider.
  bool (*is_valid_id)(std::string_view id) = nullptr;
  // The provider's API action names, for rate limits named the provider's way.
  const ApiAction* api_actions = nullptr;
  int api_action_count = 0;
  // The provider's published request rates per engine action, where it
  // publishes one (README, Providers); other actions default to
  // kDefaultRatePerSecond. A config's rate_limits override them.
  const PublishedRate* published_rates = nullptr;
  int published_rate_count = 0;
  // Every call is scoped to a per-region project: the config must map each
  // region jobs may target to its project id (ProviderConfig.project_ids).
  bool needs_project_ids = false;
  // The client can reset many instances per call (ProviderConfig.batch_reset).
  bool has_batch_reset = false;
  // The provider resets only the image's default account (it has no user
  // name parameter): a job's username must be empty, "root" or
  // "Administrator" (see IsDefaultAccountName).
  bool default_account_only = false;
};

// The kind named `name`, or nullptr if this build does not know it.
const ProviderKind* FindProviderKind(std::string_view name);

// The known kinds' names, comma-separated, for error messages.
std::string KnownProviderKindNames();

// The engine action a rate limit's `action` names: an engine action
// (Describe, Stop, Start, Reboot, ResetPassword, ResetVncPassword), "*"
// (every action), or one of `kind`'s API actions (e.g.
// "ResetInstancesPassword" -> ResetPassword). Empty if it names none of these.
std::string_view EngineActionFor(const ProviderKind& kind,
                                 std::string_view action);

// The names EngineActionFor accepts for `kind`, for error messages.
std::string RateLimitActionNames(const ProviderKind& kind);

// True iff `username` names the image's default account as the providers
// with default_account_only accept it: empty (the default), "root" or
// "Administrator".
bool IsDefaultAccountName(std::string_view username);

// True iff `project_id` is a plausible project id: 1-64 characters of
// [A-Za-z0-9_-] (Huawei's are 32 hex digits), so it is safe in a URL path.
bool IsValidProjectId(std::string_view project_id);

}  // namespace resetd::service
