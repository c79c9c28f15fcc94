#include "service/rpc_log.h"

#include <cstdio>

#include "service/status_mapping.h"

namespace resetd::service {
namespace {

spdlog::level::level_enum LevelFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
      return spdlog::level::warn;
    default:
      return spdlog::level::info;
  }
}

std::string FormatMillis(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

}  // namespace

RpcScope::RpcScope(RpcMethod method, ServiceMetrics& metrics,
                   spdlog::logger& log, const grpc::ServerContext* context,
                   RpcAuditor* auditor)
    : method_(method),
      metrics_(metrics),
      log_(log),
      context_(context),
      auditor_(auditor),
      start_(std::chrono::steady_clock::now()) {}

grpc::Status RpcScope::Finish(const absl::Status& status) {
  grpc::Status result = ToGrpcStatus(status);
  const auto elapsed = std::chrono::steady_clock::now() - start_;
  metrics_.Record(method_, result.error_code(), absl::FromChrono(elapsed));
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  std::string line =
      "event=rpc method=" + std::string(RpcMethodName(method_)) +
      " code=" + std::string(StatusCodeName(result.error_code())) +
      " job_id=" + LogValue(job_id_) + " request_id=" + LogValue(request_id_) +
      " duration_ms=" + FormatMillis(ms) +
      " peer=" + LogValue(context_ ? context_->peer() : "");
  if (!result.ok()) line += " message=" + LogValue(result.error_message());
  log_.log(LevelFor(result.error_code()), "{}", line);
  return result;
}

}  // namespace resetd::service
