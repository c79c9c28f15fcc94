// Parsing resetctl's enum-like flag values into API enums, and making request
// ids. Pure (except NewRequestId, which draws random bytes); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::cli {

// "soft" | "soft-then-force" | "force". INVALID_ARGUMENT otherwise.
absl::StatusOr<resetd::v1::StopMode> ParseStopMode(std::string_view value);

// "restore-original" | "always-start" | "leave-stopped".
absl::StatusOr<resetd::v1::PowerPolicy> ParsePowerPolicy(
    std::string_view value);

// "login" | "vnc": the OS login password or the remote console's.
absl::StatusOr<resetd::v1::PasswordKind> ParsePasswordKind(
    std::string_view value);

// "linux" | "windows".
absl::StatusOr<resetd::v1::OsType> ParseOsType(std::string_view value);

// "reject", "wait" or "skip" (--on-conflict).
absl::StatusOr<resetd::v1::OnConflict> ParseOnConflict(std::string_view value);

// A comma-separated list of job states, case-insensitive, '-' or '_' between
// words: "running,partially-failed". INVALID_ARGUMENT names the first bad one.
absl::StatusOr<std::vector<resetd::v1::JobState>> ParseJobStates(
    std::string_view list);

// A fresh idempotency key: "resetctl-" followed by a random UUID (version 4).
std::string NewRequestId();

}  // namespace resetd::cli
