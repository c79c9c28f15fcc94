// The gRPC front door's Prometheus metrics.
#pragma once

#include <array>
#include <string_view>

#include "absl/time/time.h"
#include "grpcpp/support/status_code_enum.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace resetd::service {

// The RPCs of PasswordResetService, as metric and log labels.
enum class RpcMethod {
  kCreateResetJob,
  kGetResetJob,
  kListResetJobs,
  kWatchResetJob,
  kCancelResetJob,
  kListResetJobInstances,
};
inline constexpr int kRpcMethodCount = 6;

// "CreateResetJob", ...
std::string_view RpcMethodName(RpcMethod method);

// "OK", "INVALID_ARGUMENT", ... (the canonical names).
std::string_view StatusCodeName(grpc::StatusCode code);

// resetd_grpc_requests_total{method,code} and
// resetd_grpc_request_duration_seconds{method}. Every series is created in
// the constructor (5 methods x 17 codes), so recording never touches a
// Family. `registry` must outlive this object. Thread-safe.
class ServiceMetrics {
 public:
  explicit ServiceMetrics(prometheus::Registry& registry);

  // resetd_ready: 1 while resetd serves (health SERVING), 0 before and once
  // shutdown begins.
  prometheus::Gauge& ready() { return *ready_; }

  // resetd_watch_changes_dropped_total: a Watch stream fell behind and got
  // the job's state instead of the changes it missed (watch_feed.h).
  void CountWatchDrop() { watch_drops_->Increment(); }

  // Counts one finished RPC and observes its duration.
  void Record(RpcMethod method, grpc::StatusCode code, absl::Duration latency);

 private:
  static constexpr int kCodeCount = 17;
  std::array<std::array<prometheus::Counter*, kCodeCount>, kRpcMethodCount>
      requests_{};
  std::array<prometheus::Histogram*, kRpcMethodCount> latency_{};
  prometheus::Gauge* ready_ = nullptr;
  prometheus::Counter* watch_drops_ = nullptr;
};

}  // namespace resetd::service
