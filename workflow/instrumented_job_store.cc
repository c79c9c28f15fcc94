#include "workflow/instrumented_job_store.h"

#include <chrono>
#include <utility>

namespace resetd::workflow {
namespace {

bool Ok(const absl::Status& s) { return s.ok(); }
template <typename T>
bool Ok(const absl::StatusOr<T>& s) {
  return s.ok();
}

// Runs `fn` and records its wall time (the disk's latency, not the engine's
// clock) and whether it failed.
template <typename Fn>
auto TimedWrite(WorkflowMetrics& metrics, const char* operation, Fn fn) {
  const auto start = std::chrono::steady_clock::now();
  auto result = fn();
  const std::chrono::duration<double> took =
      std::chrono::steady_clock::now() - start;
  metrics.ObserveStoreWrite(operation, took.count(), Ok(result));
  return result;
}

class InstrumentedJobStore final : public JobStore {
 public:
  InstrumentedJobStore(JobStore& base, WorkflowMetrics& metrics)
      : base_(base), metrics_(metrics) {}

  absl::Status InsertJob(const StoredJob& job) override {
    return TimedWrite(metrics_, "insert_job", [&] { return base_.InsertJob(job); });
  }
  absl::StatusOr<std::optional<StoredJob>> FindByRequestId(
      const std::string& request_id) override {
    return base_.FindByRequestId(request_id);
  }
  absl::StatusOr<std::vector<std::optional<ClaimHolder>>> FindClaims(
      absl::Span<const ClaimKey> keys) override {
    return base_.FindClaims(keys);
  }
  absl::StatusOr<std::vector<std::optional<ClaimHolder>>> TakeClaims(
      absl::Span<const std::pair<ClaimKey, ClaimHolder>> claims) override {
    return TimedWrite(metrics_, "take_claims", [&] { return base_.TakeClaims(claims); });
  }
  absl::StatusOr<resetd::v1::StoredInstance> GetInstance(
      const std::string& job_id, int index) override {
    return base_.GetInstance(job_id, index);
  }
  absl::Status ScanInstances(
      const std::string& job_id, int from_index,
      const std::function<bool(const resetd::v1::StoredInstance&)>& visit)
      override {
    return base_.ScanInstances(job_id, from_index, visit);
  }
  absl::StatusOr<StoredJob> GetJob(const std::string& job_id,
                                   bool with_instances) override {
    return base_.GetJob(job_id, with_instances);
  }
  absl::Status UpdateJob(const std::string& job_id,
                         resetd::v1::JobState state, bool cancelled,
                         absl::Time update_time, bool clear_password) override {
    return TimedWrite(metrics_, "update_job", [&] {
      return base_.UpdateJob(job_id, state, cancelled, update_time,
                             clear_password);
    });
  }
  absl::Status Write(
      absl::Span<const StepRecord> steps,
      absl::Span<const resetd::v1::StoredInstance> instances) override {
    return TimedWrite(metrics_, "write", [&] { return base_.Write(steps, instances); });
  }
  absl::StatusOr<std::vector<StepRecord>> Steps(
      const std::string& job_id) override {
    return base_.Steps(job_id);
  }
  absl::StatusOr<std::vector<StoredJob>> LoadUnfinished() override {
    return base_.LoadUnfinished();
  }
  absl::StatusOr<std::vector<StoredJob>> ListJobs(
      const JobFilter& filter) override {
    return base_.ListJobs(filter);
  }
  absl::StatusOr<int> PruneEnded(absl::Time cutoff) override {
    return base_.PruneEnded(cutoff);
  }

 private:
  JobStore& base_;
  WorkflowMetrics& metrics_;
};

}  // namespace

std::unique_ptr<JobStore> NewInstrumentedJobStore(JobStore& base,
                                                  WorkflowMetrics& metrics) {
  return std::make_unique<InstrumentedJobStore>(base, metrics);
}

}  // namespace resetd::workflow
