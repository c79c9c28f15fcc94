// A JobStore that passes every call through to a wrapped store: the base of
// the test decorators (FailingJobStore, BlockingJobStore), which override
// only the calls they interfere with.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "workflow/job_store.h"

namespace resetd::testing {

// Thread-safe as the wrapped store.
class ForwardingJobStore : public workflow::JobStore {
 public:
  // Owns `base`, which is destroyed (closed) with this store.
  explicit ForwardingJobStore(std::unique_ptr<workflow::JobStore> base)
      : base_(std::move(base)) {}

  // The wrapped store (reads and writes there bypass the decorator).
  workflow::JobStore& base() { return *base_; }

  absl::Status InsertJob(const workflow::StoredJob& job) override {
    return base_->InsertJob(job);
  }
  absl::StatusOr<std::vector<std::optional<workflow::ClaimHolder>>> FindClaims(
      absl::Span<const workflow::ClaimKey> keys) override {
    return base_->FindClaims(keys);
  }
  absl::StatusOr<std::vector<std::optional<workflow::ClaimHolder>>> TakeClaims(
      absl::Span<const std::pair<workflow::ClaimKey, workflow::ClaimHolder>>
          claims) override {
    return base_->TakeClaims(claims);
  }
  absl::StatusOr<resetd::v1::StoredInstance> GetInstance(
      const std::string& job_id, int index) override {
    return base_->GetInstance(job_id, index);
  }
  absl::StatusOr<std::optional<workflow::StoredJob>> FindByRequestId(
      const std::string& request_id) override {
    return base_->FindByRequestId(request_id);
  }
  absl::Status ScanInstances(
      const std::string& job_id, int from_index,
      const std::function<bool(const resetd::v1::StoredInstance&)>& visit)
      override {
    return base_->ScanInstances(job_id, from_index, visit);
  }
  absl::StatusOr<workflow::StoredJob> GetJob(const std::string& job_id,
                                             bool with_instances) override {
    return base_->GetJob(job_id, with_instances);
  }
  absl::Status UpdateJob(const std::string& job_id, resetd::v1::JobState state,
                         bool cancelled, absl::Time update_time,
                         bool clear_password) override {
    return base_->UpdateJob(job_id, state, cancelled, update_time,
                            clear_password);
  }
  absl::Status Write(
      absl::Span<const workflow::StepRecord> steps,
      absl::Span<const resetd::v1::StoredInstance> instances) override {
    return base_->Write(steps, instances);
  }
  absl::StatusOr<std::vector<workflow::StepRecord>> Steps(
      const std::string& job_id) override {
    return base_->Steps(job_id);
  }
  absl::StatusOr<std::vector<workflow::StoredJob>> LoadUnfinished() override {
    return base_->LoadUnfinished();
  }
  absl::StatusOr<std::vector<workflow::StoredJob>> ListJobs(
      const workflow::JobFilter& filter) override {
    return base_->ListJobs(filter);
  }
  absl::StatusOr<int> PruneEnded(absl::Time cutoff) override {
    return base_->PruneEnded(cutoff);
  }

 private:
  std::unique_ptr<workflow::JobStore> base_;
};

}  // namespace resetd::testing
