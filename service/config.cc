#include "service/config.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "service/provider_kinds.h"
#include "service/server_config.h"

namespace resetd::service {
namespace {

using resetd::v1::Config;
using resetd::v1::EngineConfig;
using resetd::v1::ProviderConfig;
using resetd::v1::StoreConfig;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

int Millis(absl::Duration d) {
  return static_cast<int>(absl::ToInt64Milliseconds(d));
}

void DefaultEngine(EngineConfig& e) {
  const workflow::EngineOptions d;
  if (e.linger_ms() == 0) e.set_linger_ms(Millis(d.linger));
  if (e.poll_interval_ms() == 0)
    e.set_poll_interval_ms(Millis(d.poll_interval));
  if (e.min_poll_interval_ms() == 0) {
    e.set_min_poll_interval_ms(
        std::min(Millis(d.min_poll_interval), e.poll_interval_ms()));
  }
  if (e.transition_timeout_s() == 0) {
    e.set_transition_timeout_s(
        static_cast<int>(absl::ToInt64Seconds(d.transition_timeout)));
  }
  if (e.max_retries() == 0) e.set_max_retries(d.max_retries);
  if (e.worker_threads() == 0) e.set_worker_threads(d.worker_threads);
  if (e.rate_headroom() == 0) e.set_rate_headroom(d.rate_headroom);
}

void DefaultProvider(ProviderConfig& p) {
  const ProviderKind* kind = FindProviderKind(p.kind());
  if (p.scheme().empty()) p.set_scheme("https");
  if (p.account().empty()) p.set_account(p.name());
  if (p.request_timeout_ms() == 0) {
    p.set_request_timeout_ms(kDefaultRequestTimeoutMs);
  }
  if (p.connect_timeout_ms() == 0) {
    p.set_connect_timeout_ms(kDefaultConnectTimeoutMs);
  }
  if (kind == nullptr) return;
  if (p.endpoint().empty()) p.set_endpoint(std::string(kind->default_endpoint));
  if (p.max_batch() == 0) p.set_max_batch(kind->max_batch);
  auto* creds = p.mutable_credentials();
  if (creds->secret_id_env().empty()) {
    creds->set_secret_id_env(std::string(kind->secret_id_env));
  }
  if (creds->secret_key_env().empty()) {
    creds->set_secret_key_env(std::string(kind->secret_key_env));
  }
}

// project_ids: every listed region has a well-formed project id; with no
// regions listed, at least one entry (jobs may target exactly those regions).
void CheckProjectIds(const ProviderConfig& p, const std::string& at,
                     std::vector<std::string>& errors) {
  for (const auto& [region, project_id] : p.project_ids()) {
    if (region.empty()) errors.push_back(at + ".project_ids: empty region");
    if (!IsValidProjectId(project_id)) {
      errors.push_back(at + ".project_ids[" + Quote(region) +
                       "]: must be 1-64 characters of A-Z a-z 0-9 _ -");
    }
  }
  if (p.regions().empty() && p.project_ids().empty()) {
    errors.push_back(at +
                     ".project_ids: must map each region jobs may target to "
                     "its project id");
  }
  for (const std::string& region : p.regions()) {
    if (!region.empty() && p.project_ids().count(region) == 0) {
      errors.push_back(at + ".project_ids: no project id for region " +
                       Quote(region) + " (listed in regions)");
    }
  }
}

// Options only some kinds have: required where needed, refused elsewhere so
// that a misplaced option is not silently ignored.
void CheckKindOptions(const ProviderConfig& p, const ProviderKind& kind,
                      const std::string& at, std::vector<std::string>& errors) {
  const std::string of_kind = " is not used by kind " + Quote(kind.name);
  if (kind.needs_project_ids) {
    CheckProjectIds(p, at, errors);
  } else if (!p.project_ids().empty()) {
    errors.push_back(at + ".project_ids" + of_kind);
  }
  if (p.batch_reset() && !kind.has_batch_reset) {
    errors.push_back(at + ".batch_reset" + of_kind);
  }
}

void CheckProvider(const ProviderConfig& p, const std::string& at,
                   std::vector<std::string>& errors) {
  const ProviderKind* kind = FindProviderKind(p.kind());
  if (kind == nullptr) {
    errors.push_back(at + ".kind: unknown kind " + Quote(p.kind()) +
                     " (known: " + KnownProviderKindNames() + ")");
  }
  if (p.scheme() != "http" && p.scheme() != "https") {
    errors.push_back(at + ".scheme: must be \"http\" or \"https\"");
  }
  if (p.endpoint().empty() &&
      (kind == nullptr || !kind->default_endpoint.empty())) {
    errors.push_back(at + ".endpoint: must be set");
  }
  if (kind != nullptr) CheckKindOptions(p, *kind, at, errors);
  const int cap = kind ? kind->max_batch : 100;
  if (p.max_batch() < 1 || p.max_batch() > cap) {
    errors.push_back(at + ".max_batch: must be 1 to " + std::to_string(cap));
  }
  if (p.request_timeout_ms() <= 0) {
    errors.push_back(at + ".request_timeout_ms: must be > 0");
  }
  if (p.connect_timeout_ms() <= 0) {
    errors.push_back(at + ".connect_timeout_ms: must be > 0");
  }
  for (const std::string& region : p.regions()) {
    if (region.empty()) errors.push_back(at + ".regions: empty region");
  }
  std::set<std::string> actions;
  for (int i = 0; i < p.rate_limits_size(); ++i) {
    const auto& limit = p.rate_limits(i);
    const std::string where = at + ".rate_limits[" + std::to_string(i) + "]";
    if (limit.action().empty())
      errors.push_back(where + ".action: must be set");
    const ProviderKind* kind = FindProviderKind(p.kind());
    std::string_view engine =
        kind ? EngineActionFor(*kind, limit.action()) : limit.action();
    if (kind && !limit.action().empty() && engine.empty()) {
      errors.push_back(where + ".action: unknown action " +
                       Quote(limit.action()) + "; use one of " +
                       RateLimitActionNames(*kind));
    } else if (!actions.insert(std::string(engine)).second) {
      errors.push_back(where + ".action: duplicate " + Quote(limit.action()));
    }
    if (!(limit.requests_per_second() > 0)) {
      errors.push_back(where + ".requests_per_second: must be > 0");
    }
  }
}

void CheckEngine(const EngineConfig& e, std::vector<std::string>& errors) {
  if (e.linger_ms() < 0) errors.push_back("engine.linger_ms: must be >= 0");
  if (e.poll_interval_ms() <= 0) {
    errors.push_back("engine.poll_interval_ms: must be > 0");
  }
  if (e.min_poll_interval_ms() <= 0 ||
      e.min_poll_interval_ms() > e.poll_interval_ms()) {
    errors.push_back(
        "engine.min_poll_interval_ms: must be > 0 and <= poll_interval_ms");
  }
  if (e.transition_timeout_s() <= 0) {
    errors.push_back("engine.transition_timeout_s: must be > 0");
  }
  if (e.max_retries() < 0) errors.push_back("engine.max_retries: must be >= 0");
  if (e.worker_threads() <= 0) {
    errors.push_back("engine.worker_threads: must be > 0");
  }
  if (!(e.rate_headroom() > 0 && e.rate_headroom() <= 1)) {
    errors.push_back("engine.rate_headroom: must be in (0, 1]");
  }
}

bool IsValidKeyId(const std::string& id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void DefaultStore(StoreConfig& store) {
  if (store.retention_hours() == 0) {
    store.set_retention_hours(static_cast<int>(
        absl::ToInt64Hours(workflow::EngineOptions().retention)));
  }
}

void CheckStore(const StoreConfig& store, std::vector<std::string>& errors) {
  if (store.retention_hours() <= 0) {
    errors.push_back("store.retention_hours: must be > 0");
  }
  std::set<std::string> ids;
  for (int i = 0; i < store.keys_size(); ++i) {
    const auto& key = store.keys(i);
    const std::string at = "store.keys[" + std::to_string(i) + "]";
    if (!IsValidKeyId(key.id())) {
      errors.push_back(at +
                       ".id: must be 1-32 characters of A-Z a-z 0-9 . _ -");
    } else if (!ids.insert(key.id()).second) {
      errors.push_back(at + ".id: duplicate " + Quote(key.id()));
    }
    if (key.file().empty() == key.env().empty()) {
      errors.push_back(at + ": set exactly one of file and env");
    }
  }
}

// --- auth (access control) ---

void CheckBinding(const resetd::v1::RoleBinding& b, const std::string& at,
                  const std::set<std::string>& providers,
                  std::vector<std::string>& errors) {
  static const std::set<std::string> kRoles = {"viewer", "operator", "admin"};
  if (!kRoles.count(b.role())) {
    errors.push_back(at + ".role: must be viewer, operator or admin, not " +
                     Quote(b.role()));
  }
  if (b.identities().empty()) errors.push_back(at + ".identities: empty");
  for (const std::string& id : b.identities()) {
    if (id.empty()) errors.push_back(at + ".identities: empty identity");
  }
  for (const std::string& p : b.providers()) {
    if (!providers.count(p)) {
      errors.push_back(at + ".providers: " + Quote(p) +
                       " is not a configured provider");
    }
  }
  for (const std::string& r : b.regions()) {
    if (r.empty()) errors.push_back(at + ".regions: empty region");
  }
}

// Bindings well-formed; some needed unless the server is insecure. Until
// tls is configured (the plaintext server of older configs, which runs as
// the development mode of authz.h) the rule is only enforced with tls set.
void CheckAuth(const Config& config, std::vector<std::string>& errors) {
  std::set<std::string> providers;
  for (const ProviderConfig& p : config.providers()) providers.insert(p.name());
  const auto& auth = config.auth();
  for (int i = 0; i < auth.bindings_size(); ++i) {
    CheckBinding(auth.bindings(i), "auth.bindings[" + std::to_string(i) + "]",
                 providers, errors);
  }
  if (!config.insecure() && config.has_tls() && auth.bindings().empty()) {
    errors.push_back(
        "auth.bindings: empty; every caller needs a role (or set insecure "
        "for development)");
  }
}

// --- end of auth ---

std::string JoinErrors(const std::vector<std::string>& errors) {
  std::string out;
  for (const std::string& e : errors) out += (out.empty() ? "" : "; ") + e;
  return out;
}

}  // namespace

void ApplyConfigDefaults(Config& config) {
  if (config.grpc_listen().empty()) config.set_grpc_listen(kDefaultGrpcListen);
  if (config.metrics_listen().empty()) {
    config.set_metrics_listen(kDefaultMetricsListen);
  }
  if (config.log_level().empty()) config.set_log_level(kDefaultLogLevel);
  for (ProviderConfig& p : *config.mutable_providers()) DefaultProvider(p);
  DefaultEngine(*config.mutable_engine());
  DefaultStore(*config.mutable_store());
  if (config.shutdown_grace_s() == 0) {
    config.set_shutdown_grace_s(kDefaultShutdownGraceS);
  }
  DefaultServerConfig(config);
}

absl::Status ValidateConfig(const Config& config) {
  std::vector<std::string> errors;
  std::set<std::string> names;
  for (int i = 0; i < config.providers_size(); ++i) {
    const ProviderConfig& p = config.providers(i);
    const std::string at = "providers[" + std::to_string(i) + "]";
    if (p.name().empty()) errors.push_back(at + ".name: must be set");
    if (!p.name().empty() && !names.insert(p.name()).second) {
      errors.push_back(at + ".name: duplicate " + Quote(p.name()));
    }
    CheckProvider(p, at, errors);
  }
  CheckEngine(config.engine(), errors);
  CheckStore(config.store(), errors);
  CheckServerConfig(config, errors);
  CheckAuth(config, errors);
  if (config.shutdown_grace_s() <= 0) {
    errors.push_back("shutdown_grace_s: must be > 0");
  }
  static const std::set<std::string> kLevels = {
      "trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!kLevels.count(config.log_level())) {
    errors.push_back("log_level: unknown level " + Quote(config.log_level()));
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(JoinErrors(errors));
}

absl::StatusOr<Config> ParseConfig(std::string_view json,
                                   std::string_view source) {
  Config config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &config,
      options);
  const std::string prefix = "config " + std::string(source) + ": ";
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        prefix + std::string(parsed.message().data(), parsed.message().size()));
  }
  ApplyConfigDefaults(config);
  if (absl::Status s = ValidateConfig(config); !s.ok()) {
    return absl::InvalidArgumentError(prefix + std::string(s.message()));
  }
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError("config " + path + ": cannot be read");
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::NotFoundError("config " + path + ": read failed");
  return ParseConfig(text.str(), path);
}

workflow::EngineOptions EngineOptionsFromConfig(const Config& config) {
  const EngineConfig& e = config.engine();
  workflow::EngineOptions o;
  o.linger = absl::Milliseconds(e.linger_ms());
  o.poll_interval = absl::Milliseconds(e.poll_interval_ms());
  o.min_poll_interval = absl::Milliseconds(e.min_poll_interval_ms());
  o.transition_timeout = absl::Seconds(e.transition_timeout_s());
  o.max_retries = e.max_retries();
  o.worker_threads = e.worker_threads();
  o.rate_headroom = e.rate_headroom();
  o.retention = absl::Hours(config.store().retention_hours());
  return o;
}

}  // namespace resetd::service
