#include "service/service_metrics.h"

#include <string>

#include "prometheus/family.h"

namespace resetd::service {
namespace {

constexpr std::array<std::string_view, kRpcMethodCount> kMethodNames = {
    "CreateResetJob", "GetResetJob", "ListResetJobs", "WatchResetJob",
    "CancelResetJob", "ListResetJobInstances"};

constexpr std::array<std::string_view, 17> kCodeNames = {"OK",
                                                         "CANCELLED",
                                                         "UNKNOWN",
                                                         "INVALID_ARGUMENT",
                                                         "DEADLINE_EXCEEDED",
                                                         "NOT_FOUND",
                                                         "ALREADY_EXISTS",
                                                         "PERMISSION_DENIED",
                                                         "RESOURCE_EXHAUSTED",
                                                         "FAILED_PRECONDITION",
                                                         "ABORTED",
                                                         "OUT_OF_RANGE",
                                                         "UNIMPLEMENTED",
                                                         "INTERNAL",
                                                         "UNAVAILABLE",
                                                         "DATA_LOSS",
                                                         "UNAUTHENTICATED"};

int CodeIndex(grpc::StatusCode code) {
  const int i = static_cast<int>(code);
  return i >= 0 && i < static_cast<int>(kCodeNames.size()) ? i : 2;  // UNKNOWN
}

// Unary calls take milliseconds; Watch streams last as long as their job.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
          1,     2.5,    5,     10,   30,    120,  600, 3600};
}

}  // namespace

std::string_view RpcMethodName(RpcMethod method) {
  return kMethodNames[static_cast<int>(method)];
}

std::string_view StatusCodeName(grpc::StatusCode code) {
  return kCodeNames[CodeIndex(code)];
}

ServiceMetrics::ServiceMetrics(prometheus::Registry& registry) {
  auto& requests = prometheus::BuildCounter()
                       .Name("resetd_grpc_requests_total")
                       .Help("gRPC requests handled, by method and status code")
                       .Register(registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("resetd_grpc_request_duration_seconds")
                      .Help("Time from receiving a gRPC request to its status")
                      .Register(registry);
  for (int m = 0; m < kRpcMethodCount; ++m) {
    const std::string method(kMethodNames[m]);
    for (int c = 0; c < kCodeCount; ++c) {
      requests_[m][c] = &requests.Add(
          {{"method", method}, {"code", std::string(kCodeNames[c])}});
    }
    latency_[m] = &latency.Add({{"method", method}}, LatencyBuckets());
  }
  ready_ = &prometheus::BuildGauge()
                .Name("resetd_ready")
                .Help("1 while resetd serves (health SERVING), 0 before and "
                      "once shutdown begins")
                .Register(registry)
                .Add({});
  watch_drops_ = &prometheus::BuildCounter()
                      .Name("resetd_watch_changes_dropped_total")
                      .Help("Times a WatchResetJob stream fell behind and got "
                            "the job's state instead of the changes it missed")
                      .Register(registry)
                      .Add({});
}

void ServiceMetrics::Record(RpcMethod method, grpc::StatusCode code,
                            absl::Duration latency) {
  const int m = static_cast<int>(method);
  requests_[m][CodeIndex(code)]->Increment();
  latency_[m]->Observe(absl::ToDoubleSeconds(latency));
}

}  // namespace resetd::service
