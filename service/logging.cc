#include "service/logging.h"

#include <string>

#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace resetd::service {

absl::StatusOr<spdlog::level::level_enum> ParseLogLevel(
    std::string_view level) {
  const std::string name(level);
  spdlog::level::level_enum parsed = spdlog::level::from_str(name);
  // from_str maps anything unknown to "off"; only "off" itself may be off.
  if (parsed == spdlog::level::off && name != "off") {
    return absl::InvalidArgumentError("unknown log level \"" + name + "\"");
  }
  return parsed;
}

std::shared_ptr<spdlog::logger> MakeStderrLogger(
    spdlog::level::level_enum level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("resetd", std::move(sink));
  logger->set_pattern(kLogPattern, spdlog::pattern_time_type::utc);
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return logger;
}

}  // namespace resetd::service
