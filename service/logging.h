// Structured logs: one key=value line per event on stderr, UTC timestamps.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "spdlog/logger.h"

namespace resetd::service {

// "trace", "debug", "info", "warn", "error", "critical", "off";
// kInvalidArgument otherwise.
absl::StatusOr<spdlog::level::level_enum> ParseLogLevel(std::string_view level);

// Lines look like: ts=2024-05-01T12:00:00.123456Z level=info event=... .
inline constexpr char kLogPattern[] = "ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l %v";

// A logger named "resetd" writing kLogPattern lines to stderr at `level`,
// flushing on warn and above. Also installed as spdlog's default logger.
std::shared_ptr<spdlog::logger> MakeStderrLogger(
    spdlog::level::level_enum level);

}  // namespace resetd::service
