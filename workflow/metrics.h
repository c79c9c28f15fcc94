// The engine's Prometheus metrics. Families are built once here; the hot
// paths only touch counters by reference or through small fixed label sets.
#pragma once

#include <map>
#include <string>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::workflow {

// Thread-safe (prometheus-cpp metrics are).
class WorkflowMetrics {
 public:
  explicit WorkflowMetrics(prometheus::Registry& registry);

  // resetd_cloud_requests_total{provider,action,code}; code "OK" or the
  // provider's error code (a bounded set per provider).
  void CountRequest(const std::string& provider, const std::string& action,
                    const std::string& code);
  // resetd_cloud_request_duration_seconds{provider,action}
  void ObserveLatency(const std::string& provider, const std::string& action,
                      double seconds);
  // resetd_rate_limiter_wait_seconds{provider,action}
  void ObserveTokenWait(const std::string& provider, const std::string& action,
                        double seconds);
  // resetd_batch_size{provider,action}
  void ObserveBatchSize(const std::string& provider, const std::string& action,
                        double size);
  // resetd_provider_http_attempts_total{provider,action}: one HTTP request
  // sent (or about to be) for a call of this provider's action; a call makes
  // one or, for client-internal re-calls, several.
  void CountHttpAttempt(const std::string& provider, const std::string& action);
  // resetd_throttled_total{provider,action}
  void CountThrottled(const std::string& provider, const std::string& action);
  // resetd_instances_total{result}: result in succeeded|failed|cancelled.
  void CountInstanceResult(const std::string& result);
  // resetd_jobs_total{state}: jobs that reached a terminal state
  // (succeeded|partially_failed|failed|cancelled).
  void CountJobEnded(resetd::v1::JobState state);
  // resetd_jobs{state}: jobs currently in a state (queued|running).
  prometheus::Gauge& jobs_queued() { return *jobs_queued_; }
  prometheus::Gauge& jobs_running() { return *jobs_running_; }
  // resetd_instances_held_stopped: stopped by resetd, not yet started again.
  prometheus::Gauge& held_stopped() { return *held_stopped_; }
  // resetd_instance_conflicts_total{outcome}: `n` instances of a new job
  // that another active job held; outcome in rejected|waited|skipped.
  void CountConflicts(const std::string& outcome, int n);
  // For one provider's action: resetd_rate_limit_requests_per_second
  // {provider,action} = `configured_rps`, and resetd_throttled_total
  // {provider,action} exported at 0 before the first throttle; so are the
  // action's resetd_cloud_requests_total{code="OK"},
  // resetd_provider_http_attempts_total and its histograms.
  void DeclareProviderAction(const std::string& provider,
                             const std::string& action, double configured_rps);
  // resetd_last_progress_timestamp_seconds: unix time of the last change
  // of any instance of any job.
  prometheus::Gauge& last_progress() { return *last_progress_; }
  // resetd_store_write_duration_seconds{operation} and, when !ok,
  // resetd_store_write_failures_total{operation}; operation in
  // insert_job|write|update_job|take_claims (series exist from the start).
  void ObserveStoreWrite(const std::string& operation, double seconds,
                         bool ok);
  // resetd_step_total{action,outcome}: instance steps by result.
  void CountStep(const std::string& action, const std::string& outcome);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Histogram>& token_wait_;
  prometheus::Family<prometheus::Histogram>& batch_size_;
  prometheus::Family<prometheus::Counter>& throttled_;
  prometheus::Family<prometheus::Counter>& http_attempts_;
  prometheus::Family<prometheus::Counter>& instances_;
  prometheus::Family<prometheus::Counter>& jobs_ended_;
  prometheus::Family<prometheus::Counter>& steps_;
  std::map<std::string, prometheus::Counter*> conflicts_;
  prometheus::Family<prometheus::Gauge>& rate_limit_;
  struct StoreSeries {
    prometheus::Histogram* duration;
    prometheus::Counter* failures;
  };
  std::map<std::string, StoreSeries> store_;
  prometheus::Gauge* last_progress_;
  prometheus::Gauge* jobs_queued_;
  prometheus::Gauge* jobs_running_;
  prometheus::Gauge* held_stopped_;
};

}  // namespace resetd::workflow
