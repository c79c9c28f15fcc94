// resetd's configuration: loaded from a JSON file (protobuf JSON mapping of
// resetd.v1.Config), completed with defaults, then validated.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "resetd/v1/config.pb.h"
#include "workflow/engine_options.h"

namespace resetd::service {

inline constexpr char kDefaultGrpcListen[] = "0.0.0.0:50051";
inline constexpr char kDefaultMetricsListen[] = "0.0.0.0:9464";
inline constexpr char kDefaultLogLevel[] = "info";
inline constexpr double kDefaultRatePerSecond = 10.0;
inline constexpr int kDefaultRequestTimeoutMs = 10000;
inline constexpr int kDefaultConnectTimeoutMs = 3000;
// Kubernetes waits 30 s after SIGTERM by default: in-flight cloud calls get
// most of it, open RPCs the rest.
inline constexpr int kDefaultShutdownGraceS = 20;

// Reads, parses, defaults and validates the config at `path`. Fails with
// kNotFound when the file cannot be read and kInvalidArgument when it does
// not parse (unknown fields are rejected) or is invalid; every message names
// `path`. Thread-compatible.
absl::StatusOr<resetd::v1::Config> LoadConfigFile(const std::string& path);

// ParseConfig + ApplyConfigDefaults + ValidateConfig on `json`. `source`
// names the text in error messages (the file name).
absl::StatusOr<resetd::v1::Config> ParseConfig(std::string_view json,
                                               std::string_view source);

// Fills every unset field with its default: listen addresses, log level,
// per provider the kind's endpoint (none for huawei_ecs: per region),
// scheme "https", account = name, max_batch = the kind's cap, timeouts, the
// kind's credential variables (provider_kinds.h); engine values
// and store.retention_hours from workflow::EngineOptions; shutdown_grace_s.
// Unknown kinds keep empty per-kind defaults. store.path and store.keys have
// no default (no path: in-memory store; no keys: $RESETD_STORE_KEY).
void ApplyConfigDefaults(resetd::v1::Config& config);

// Checks a defaulted config: provider names non-empty and unique, kind
// known, scheme http or https, endpoint set (unless the kind derives one per
// region: huawei_ecs), rates > 0 with non-empty unique actions (engine or
// the kind's API names), max_batch 1..the kind's cap (100), timeouts > 0;
// per kind: project_ids where the kind needs them (every listed region has
// a well-formed one; no regions listed: at least one entry) and refused
// elsewhere, batch_reset only where the kind has it; engine
// values in range, log level known, store.retention_hours and
// shutdown_grace_s > 0, store keys with a valid unique id ([A-Za-z0-9._-],
// 1-32) and exactly one of file and env; auth bindings with a known role
// (viewer, operator, admin), non-empty identities, configured providers and
// non-empty regions, and at least one binding when tls is set without
// insecure. kInvalidArgument listing every
// problem. Key material itself is read (and checked) at start-up, not here.
absl::Status ValidateConfig(const resetd::v1::Config& config);

// The engine options the config asks for: config.engine's values and
// store.retention_hours as `retention` (config must be defaulted).
workflow::EngineOptions EngineOptionsFromConfig(
    const resetd::v1::Config& config);

}  // namespace resetd::service
