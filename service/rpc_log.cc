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
  if (auditor_ != nullptr) auditor_->Rpc(Record(result.error_code()));
  return result;
}

RpcRecord RpcScope::Record(grpc::StatusCode code) const {
  RpcRecord r;
  r.method = std::string(RpcMethodName(method_));
  r.caller = caller_;
  if (r.caller.peer.empty() && context_ != nullptr) {
    r.caller.peer = context_->peer();
  }
  r.job_id = job_id_;
  r.request_id = request_id_;
  r.decided = decided_;
  r.allowed = allowed_;
  r.reason = reason_;
  r.code = std::string(StatusCodeName(code));
  return r;
}

}  // namespace resetd::service
