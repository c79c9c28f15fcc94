#include <algorithm>
#include <map>

#include "absl/synchronization/mutex.h"
#include "workflow/job_store.h"

namespace resetd::workflow {

namespace {

bool Ended(resetd::v1::JobState s) {
  return s == resetd::v1::JOB_STATE_SUCCEEDED ||
         s == resetd::v1::JOB_STATE_PARTIALLY_FAILED ||
         s == resetd::v1::JOB_STATE_FAILED ||
         s == resetd::v1::JOB_STATE_CANCELLED;
}

class InMemoryJobStore final : public JobStore {
 public:
  absl::Status InsertJob(const StoredJob& job) override {
    absl::MutexLock lock(&mu_);
    if (jobs_.count(job.job_id) || by_request_.count(job.request_id)) {
      return absl::AlreadyExistsError("job or request id already stored");
    }
    jobs_[job.job_id] = job;
    order_.push_back(job.job_id);
    by_request_[job.request_id] = job.job_id;
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<StoredJob>> FindByRequestId(
      const std::string& request_id) override {
    absl::MutexLock lock(&mu_);
    auto it = by_request_.find(request_id);
    if (it == by_request_.end()) return std::optional<StoredJob>();
    return std::optional<StoredJob>(jobs_.at(it->second));
  }

  absl::StatusOr<StoredJob> GetJob(const std::string& job_id) override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return absl::NotFoundError("no such job");
    return it->second;
  }

  absl::Status UpdateSnapshot(const std::string& job_id,
                              const resetd::v1::ResetJob& snapshot,
                              bool clear_password) override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return absl::NotFoundError("no such job");
    it->second.snapshot = snapshot;
    if (clear_password) it->second.password = Secret();
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<resetd::v1::ResetJob>> ListSnapshots() override {
    absl::MutexLock lock(&mu_);
    std::vector<resetd::v1::ResetJob> out;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      out.push_back(jobs_.at(*it).snapshot);
    }
    return out;
  }

  absl::StatusOr<std::vector<StoredJob>> LoadUnfinished() override {
    absl::MutexLock lock(&mu_);
    std::vector<StoredJob> out;
    for (const auto& id : order_) {
      const StoredJob& j = jobs_.at(id);
      if (!Ended(j.snapshot.state())) out.push_back(j);
    }
    return out;
  }

  absl::Status RecordStep(const StepRecord& step) override {
    absl::MutexLock lock(&mu_);
    steps_[step.job_id].push_back(step);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<StepRecord>> Steps(
      const std::string& job_id) override {
    absl::MutexLock lock(&mu_);
    auto it = steps_.find(job_id);
    if (it == steps_.end()) return std::vector<StepRecord>();
    return it->second;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, StoredJob> jobs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> by_request_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<StepRecord>> steps_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<JobStore> NewInMemoryJobStore() {
  return std::make_unique<InMemoryJobStore>();
}

}  // namespace resetd::workflow
