#include "service/rpc_log.h"

#include <cstdio>

#include "service/status_mapping.h"

namespace resetd::service {
namespace {

bool IsPlain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
         c == '-' || c == '/' || c == '[' || c == ']' || c == '@';
}

void AppendEscaped(char c, std::string& out) {
  if (c == '"' || c == '\\') {
    out += '\\';
    out += c;
  } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
    out += buf;
  } else {
    out += c;
  }
}

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

std::string LogValue(std::string_view value) {
  constexpr size_t kMax = 200;
  if (value.empty()) return "-";
  bool plain = value.size() <= kMax;
  for (char c : value) plain = plain && IsPlain(c);
  if (plain) return std::string(value);
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kMax; ++i) {
    AppendEscaped(value[i], out);
  }
  if (value.size() > kMax) out += "...";
  return out + "\"";
}

RpcScope::RpcScope(RpcMethod method, ServiceMetrics& metrics,
                   spdlog::logger& log, const grpc::ServerContext* context)
    : method_(method),
      metrics_(metrics),
      log_(log),
      context_(context),
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
