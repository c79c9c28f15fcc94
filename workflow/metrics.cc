#include "workflow/metrics.h"

#include <cctype>
#include <string_view>

namespace resetd::workflow {

namespace {
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}
prometheus::Histogram::BucketBoundaries WaitBuckets() {
  return {0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60};
}
prometheus::Histogram::BucketBoundaries StoreBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
}
prometheus::Histogram::BucketBoundaries SizeBuckets() {
  return {1, 2, 5, 10, 20, 50, 80, 100};
}
}  // namespace

WorkflowMetrics::WorkflowMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("resetd_cloud_requests_total")
                    .Help("Cloud API calls by provider, action and result code")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("resetd_cloud_request_duration_seconds")
                   .Help("Cloud API call latency")
                   .Register(registry)),
      token_wait_(prometheus::BuildHistogram()
                      .Name("resetd_rate_limiter_wait_seconds")
                      .Help("Time a batch waited (linger and token) before it was sent")
                      .Register(registry)),
      batch_size_(prometheus::BuildHistogram()
                      .Name("resetd_batch_size")
                      .Help("Instance ids per cloud call")
                      .Register(registry)),
      throttled_(prometheus::BuildCounter()
                     .Name("resetd_throttled_total")
                     .Help("Calls the provider throttled (goal: zero)")
                     .Register(registry)),
      http_attempts_(prometheus::BuildCounter()
                         .Name("resetd_provider_http_attempts_total")
                         .Help("HTTP requests sent to providers, each paced "
                               "by the rate limiter (a call sends one or, "
                               "for client re-calls, more)")
                         .Register(registry)),
      instances_(prometheus::BuildCounter()
                     .Name("resetd_instances_total")
                     .Help("Instances that finished, by result")
                     .Register(registry)),
      jobs_ended_(prometheus::BuildCounter()
                      .Name("resetd_jobs_total")
                      .Help("Jobs that ended, by final state")
                      .Register(registry)),
      steps_(prometheus::BuildCounter()
                 .Name("resetd_steps_total")
                 .Help("Instance steps (stop, reset, start, reboot) by outcome")
                 .Register(registry)),
      rate_limit_(prometheus::BuildGauge()
                      .Name("resetd_rate_limit_requests_per_second")
                      .Help("Configured request rate of each provider's action "
                            "(resetd spends rateHeadroom of it)")
                      .Register(registry)) {
  auto& store_duration = prometheus::BuildHistogram()
                             .Name("resetd_store_write_duration_seconds")
                             .Help("Job store writes (committed to disk), by "
                                   "operation")
                             .Register(registry);
  auto& store_failures = prometheus::BuildCounter()
                             .Name("resetd_store_write_failures_total")
                             .Help("Job store writes that failed, by operation")
                             .Register(registry);
  for (const char* op : {"insert_job", "write", "update_job", "take_claims"}) {
    store_[op] = StoreSeries{
        &store_duration.Add({{"operation", op}}, StoreBuckets()),
        &store_failures.Add({{"operation", op}})};
  }
  last_progress_ = &prometheus::BuildGauge()
                        .Name("resetd_last_progress_timestamp_seconds")
                        .Help("Unix time of the last change of any instance "
                              "of any job")
                        .Register(registry)
                        .Add({});
  auto& jobs = prometheus::BuildGauge()
                   .Name("resetd_jobs")
                   .Help("Jobs currently queued or running")
                   .Register(registry);
  auto& conflicts = prometheus::BuildCounter()
                        .Name("resetd_instance_conflicts_total")
                        .Help("Instances of new jobs that another active job "
                              "held, by what the new job did (rejected, "
                              "waited, skipped)")
                        .Register(registry);
  for (const char* outcome : {"rejected", "waited", "skipped"}) {
    conflicts_[outcome] = &conflicts.Add({{"outcome", outcome}});
  }
  jobs_queued_ = &jobs.Add({{"state", "queued"}});
  jobs_running_ = &jobs.Add({{"state", "running"}});
  held_stopped_ = &prometheus::BuildGauge()
                       .Name("resetd_instances_held_stopped")
                       .Help("Instances stopped by resetd and not yet started again")
                       .Register(registry)
                       .Add({});
}

void WorkflowMetrics::CountRequest(const std::string& provider,
                                   const std::string& action,
                                   const std::string& code) {
  requests_.Add({{"provider", provider}, {"action", action}, {"code", code}})
      .Increment();
}

void WorkflowMetrics::ObserveLatency(const std::string& provider,
                                     const std::string& action, double seconds) {
  latency_.Add({{"provider", provider}, {"action", action}}, LatencyBuckets())
      .Observe(seconds);
}

void WorkflowMetrics::ObserveTokenWait(const std::string& provider,
                                       const std::string& action,
                                       double seconds) {
  token_wait_.Add({{"provider", provider}, {"action", action}}, WaitBuckets())
      .Observe(seconds);
}

void WorkflowMetrics::ObserveBatchSize(const std::string& provider,
                                       const std::string& action, double size) {
  batch_size_.Add({{"provider", provider}, {"action", action}}, SizeBuckets())
      .Observe(size);
}

void WorkflowMetrics::CountThrottled(const std::string& provider,
                                     const std::string& action) {
  throttled_.Add({{"provider", provider}, {"action", action}}).Increment();
}

void WorkflowMetrics::CountHttpAttempt(const std::string& provider,
                                       const std::string& action) {
  http_attempts_.Add({{"provider", provider}, {"action", action}}).Increment();
}

void WorkflowMetrics::CountInstanceResult(const std::string& result) {
  instances_.Add({{"result", result}}).Increment();
}

void WorkflowMetrics::CountJobEnded(resetd::v1::JobState state) {
  // Lower case, like every other state label.
  std::string name = resetd::v1::JobState_Name(state);
  constexpr std::string_view kPrefix = "JOB_STATE_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(kPrefix.size());
  for (char& c : name) c = static_cast<char>(std::tolower(c));
  jobs_ended_.Add({{"state", name}}).Increment();
}

void WorkflowMetrics::CountStep(const std::string& action,
                                const std::string& outcome) {
  steps_.Add({{"action", action}, {"outcome", outcome}}).Increment();
}

void WorkflowMetrics::CountConflicts(const std::string& outcome, int n) {
  auto it = conflicts_.find(outcome);
  if (it != conflicts_.end() && n > 0) it->second->Increment(n);
}

void WorkflowMetrics::DeclareProviderAction(const std::string& provider,
                                            const std::string& action,
                                            double configured_rps) {
  rate_limit_.Add({{"provider", provider}, {"action", action}})
      .Set(configured_rps);
  throttled_.Add({{"provider", provider}, {"action", action}});
  // Exported at 0 before the first call, so that rate() sees the first one.
  requests_.Add({{"provider", provider}, {"action", action}, {"code", "OK"}});
  http_attempts_.Add({{"provider", provider}, {"action", action}});
  latency_.Add({{"provider", provider}, {"action", action}}, LatencyBuckets());
  token_wait_.Add({{"provider", provider}, {"action", action}}, WaitBuckets());
  batch_size_.Add({{"provider", provider}, {"action", action}}, SizeBuckets());
}

void WorkflowMetrics::ObserveStoreWrite(const std::string& operation,
                                        double seconds, bool ok) {
  auto it = store_.find(operation);
  if (it == store_.end()) return;
  it->second.duration->Observe(seconds);
  if (!ok) it->second.failures->Increment();
}

}  // namespace resetd::workflow
