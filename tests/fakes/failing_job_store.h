// A JobStore wrapper with fault switches (as leveldb's ErrorEnv wraps an
// Env): writes fail with kInternal while a switch is on; everything else
// passes through to the wrapped store.
#pragma once

#include <atomic>
#include <memory>
#include <utility>

#include "workflow/job_store.h"

namespace resetd::testing {

// Thread-safe as the wrapped store.
class FailingJobStore final : public workflow::JobStore {
 public:
  explicit FailingJobStore(std::unique_ptr<workflow::JobStore> base)
      : base_(std::move(base)) {}

  // While on, Write (step intents and results, instance rows) fails.
  void set_fail_writes(bool on) { fail_writes_ = on; }
  // While on, InsertJob, UpdateJob and TakeClaims fail too.
  void set_fail_all_writes(bool on) { fail_all_ = on; }
  int failed_writes() const { return failed_; }

  absl::Status InsertJob(const workflow::StoredJob& job) override {
    if (fail_all_) return Fail();
    return base_->InsertJob(job);
  }
  absl::StatusOr<std::optional<workflow::StoredJob>> FindByRequestId(
      const std::string& request_id) override {
    return base_->FindByRequestId(request_id);
  }
  absl::StatusOr<std::vector<std::optional<workflow::ClaimHolder>>> FindClaims(
      absl::Span<const workflow::ClaimKey> keys) override {
    return base_->FindClaims(keys);
  }
  absl::StatusOr<std::vector<std::optional<workflow::ClaimHolder>>> TakeClaims(
      absl::Span<const std::pair<workflow::ClaimKey, workflow::ClaimHolder>>
          claims) override {
    if (fail_all_) return Fail();
    return base_->TakeClaims(claims);
  }
  absl::StatusOr<resetd::v1::StoredInstance> GetInstance(
      const std::string& job_id, int index) override {
    return base_->GetInstance(job_id, index);
  }
  absl::StatusOr<workflow::StoredJob> GetJob(const std::string& job_id,
                                             bool with_instances) override {
    return base_->GetJob(job_id, with_instances);
  }
  absl::Status UpdateJob(const std::string& job_id, resetd::v1::JobState state,
                         bool cancelled, absl::Time update_time,
                         bool clear_password) override {
    if (fail_all_) return Fail();
    return base_->UpdateJob(job_id, state, cancelled, update_time,
                            clear_password);
  }
  absl::Status Write(
      absl::Span<const workflow::StepRecord> steps,
      absl::Span<const resetd::v1::StoredInstance> instances) override {
    if (fail_writes_ || fail_all_) return Fail();
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
  absl::Status Fail() {
    ++failed_;
    return absl::InternalError("injected store failure (disk full)");
  }

  std::unique_ptr<workflow::JobStore> base_;
  std::atomic<bool> fail_writes_{false};
  std::atomic<bool> fail_all_{false};
  std::atomic<int> failed_{0};
};

}  // namespace resetd::testing
