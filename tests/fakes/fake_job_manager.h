// An in-memory workflow::JobManager for service tests, with fault switches.
// Jobs never run by themselves: tests move them on with Advance().
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/secret.h"
#include "workflow/instance_page.h"
#include "workflow/job_manager.h"

namespace resetd::testing {

// Thread-safe.
class FakeJobManager : public workflow::JobManager {
 public:
  // What Create received (password moved out into a Secret).
  struct CreateCall {
    resetd::v1::CreateResetJobRequest request;  // password cleared
    Secret password;
  };

  // Every Create call so far.
  std::vector<CreateCall> creates() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<CreateCall> out;
    for (const auto& c : creates_) {
      out.push_back({c.request, c.password});
    }
    return out;
  }

  // The next call of any method fails with `status` (once).
  void FailNext(absl::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_next_ = std::move(status);
  }

  // Sets the job's state, bumps its version and wakes watchers; updates
  // after an earlier version report `changed` among the instances changed
  // (as the engine does, every change since that version, in order).
  void Advance(const std::string& job_id, resetd::v1::JobState state,
               std::vector<resetd::v1::InstanceResult> changed = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    Job& job = jobs_.at(job_id);
    job.job.set_state(state);
    ++job.version;
    for (auto& i : changed) job.changed.emplace_back(job.version, std::move(i));
    changed_.notify_all();
  }

  // Number of WaitForUpdate calls so far.
  int wait_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return wait_calls_;
  }

  // The job's instance results, as ListInstances pages through them.
  void SetInstances(const std::string& job_id,
                    std::vector<resetd::v1::InstanceResult> instances) {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.at(job_id).instances = std::move(instances);
  }

  // The scope the last List call received.
  workflow::JobScope last_list_scope() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_list_scope_;
  }

  // Number of Cancel calls that reached a job.
  int cancels() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancels_;
  }

  absl::StatusOr<resetd::v1::ResetJob> Create(
      resetd::v1::CreateResetJobRequest request,
      std::string creator) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto s = TakeFault(); !s.ok()) return s;
    CreateCall call;
    call.password = Secret(std::move(*request.mutable_password()));
    WipeString(*request.mutable_password());
    for (const auto& [id, job] : jobs_) {
      if (job.job.request_id() != request.request_id()) continue;
      if (job.job.creator() != creator) {
        return absl::AlreadyExistsError("request_id taken by another caller");
      }
      return job.job;
    }
    Job job;
    job.job.set_job_id("job-" + std::to_string(jobs_.size() + 1));
    job.job.set_request_id(request.request_id());
    job.job.set_state(resetd::v1::JOB_STATE_QUEUED);
    job.job.set_username(request.username());
    job.job.set_creator(creator);
    *job.job.mutable_targets() = request.targets();
    job.targets = workflow::TargetsOf(request);
    job.version = 1;
    call.request = std::move(request);
    creates_.push_back(std::move(call));
    jobs_[job.job.job_id()] = job;
    return job.job;
  }

  absl::StatusOr<resetd::v1::ResetJob> Get(std::string_view job_id,
                                           resetd::v1::JobView) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto s = TakeFault(); !s.ok()) return s;
    auto it = jobs_.find(std::string(job_id));
    if (it == jobs_.end()) return absl::NotFoundError("no such job");
    return it->second.job;
  }

  absl::StatusOr<workflow::JobOwner> Owner(std::string_view job_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto s = TakeFault(); !s.ok()) return s;
    auto it = jobs_.find(std::string(job_id));
    if (it == jobs_.end()) return absl::NotFoundError("no such job");
    return workflow::JobOwner{it->second.job.creator(),
                              it->second.targets};
  }

  absl::StatusOr<resetd::v1::ListResetJobsResponse> List(
      const resetd::v1::ListResetJobsRequest& request,
      const workflow::JobScope& scope) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto s = TakeFault(); !s.ok()) return s;
    last_list_scope_ = scope;
    resetd::v1::ListResetJobsResponse out;
    for (const auto& [id, job] : jobs_) {
      if (!request.creator().empty() &&
          job.job.creator() != request.creator()) {
        continue;
      }
      if (workflow::InScope(scope, job.targets)) *out.add_jobs() = job.job;
    }
    return out;
  }

  absl::StatusOr<resetd::v1::ListResetJobInstancesResponse> ListInstances(
      const resetd::v1::ListResetJobInstancesRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto s = TakeFault(); !s.ok()) return s;
    auto it = jobs_.find(request.job_id());
    if (it == jobs_.end()) return absl::NotFoundError("no such job");
    auto page = workflow::PageOf(request);
    if (!page.ok()) return page.status();
    workflow::InstancePageBuilder builder(request, *page);
    const auto& all = it->second.instances;
    for (size_t i = page->start_index; i < all.size(); ++i) {
      if (!builder.Take(static_cast<int>(i), all[i])) break;
    }
    return std::move(builder).Finish();
  }

  absl::StatusOr<workflow::JobUpdate> CurrentState(
      std::string_view job_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto s = TakeFault(); !s.ok()) return s;
    auto it = jobs_.find(std::string(job_id));
    if (it == jobs_.end()) return absl::NotFoundError("no such job");
    workflow::JobUpdate update;
    *update.event.mutable_job() = it->second.job;
    update.version = it->second.version;
    update.terminal = IsTerminal(it->second.job.state());
    return update;
  }

  absl::StatusOr<workflow::JobUpdate> WaitForUpdate(
      std::string_view job_id, uint64_t after_version,
      absl::Duration timeout) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++wait_calls_;
    if (auto s = TakeFault(); !s.ok()) return s;
    const std::string id(job_id);
    if (!jobs_.count(id)) return absl::NotFoundError("no such job");
    changed_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                      [&] { return jobs_.at(id).version > after_version; });
    const Job& job = jobs_.at(id);
    workflow::JobUpdate update;
    *update.event.mutable_job() = job.job;
    for (const auto& [version, i] : job.changed) {
      if (version > after_version) *update.event.add_changed() = i;
    }
    update.version = job.version;
    update.terminal = IsTerminal(job.job.state());
    return update;
  }

  absl::StatusOr<resetd::v1::ResetJob> Cancel(
      std::string_view job_id) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto s = TakeFault(); !s.ok()) return s;
      if (!jobs_.count(std::string(job_id))) {
        return absl::NotFoundError("no such job");
      }
      ++cancels_;
    }
    Advance(std::string(job_id), resetd::v1::JOB_STATE_CANCELLED);
    std::lock_guard<std::mutex> lock(mu_);
    return jobs_.at(std::string(job_id)).job;
  }

 private:
  struct Job {
    resetd::v1::ResetJob job;
    std::vector<workflow::ProviderRegion> targets;
    std::vector<resetd::v1::InstanceResult> instances;
    // Every change, with the version Advance gave it.
    std::vector<std::pair<uint64_t, resetd::v1::InstanceResult>> changed;
    uint64_t version = 0;
  };

  static bool IsTerminal(resetd::v1::JobState s) {
    return s == resetd::v1::JOB_STATE_SUCCEEDED ||
           s == resetd::v1::JOB_STATE_PARTIALLY_FAILED ||
           s == resetd::v1::JOB_STATE_FAILED ||
           s == resetd::v1::JOB_STATE_CANCELLED;
  }

  absl::Status TakeFault() {
    if (!fail_next_) return absl::OkStatus();
    absl::Status s = *fail_next_;
    fail_next_.reset();
    return s;
  }

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Job> jobs_;
  std::vector<CreateCall> creates_;
  std::optional<absl::Status> fail_next_;
  workflow::JobScope last_list_scope_;
  int cancels_ = 0;
  int wait_calls_ = 0;
};

}  // namespace resetd::testing
