#include <algorithm>
#include <climits>
#include <map>
#include <set>
#include <tuple>

#include "absl/synchronization/mutex.h"
#include "workflow/job_store.h"

namespace resetd::workflow {

bool IsTerminal(resetd::v1::JobState s) {
  return s == resetd::v1::JOB_STATE_SUCCEEDED ||
         s == resetd::v1::JOB_STATE_PARTIALLY_FAILED ||
         s == resetd::v1::JOB_STATE_FAILED ||
         s == resetd::v1::JOB_STATE_CANCELLED;
}

namespace {

class InMemoryJobStore final : public JobStore {
 public:
  absl::Status InsertJob(const StoredJob& job) override {
    absl::MutexLock lock(&mu_);
    if (jobs_.count(job.job_id) || by_request_.count(job.request_id)) {
      return absl::AlreadyExistsError("job or request id already stored");
    }
    std::vector<ClaimKey> claimed;
    for (const auto& i : job.instances) {
      if (i.claim() != resetd::v1::CLAIM_STATE_HELD) continue;
      if (claims_.count(ClaimKeyOf(i))) {
        return absl::AbortedError("instance " + i.instance_id() +
                                  " is held by another job");
      }
      claimed.push_back(ClaimKeyOf(i));
    }
    if (std::set<ClaimKey>(claimed.begin(), claimed.end()).size() !=
        claimed.size()) {
      return absl::InvalidArgumentError("the job claims an instance twice");
    }
    for (const auto& i : job.instances) {
      if (i.claim() == resetd::v1::CLAIM_STATE_HELD) {
        Claim(ClaimKeyOf(i), ClaimHolder{job.job_id, i.index()});
      }
    }
    Row& row = jobs_[job.job_id];
    row.job = job;
    row.job.instances.clear();
    for (const auto& i : job.instances) row.instances[i.index()] = i;
    by_request_[job.request_id] = job.job_id;
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<StoredJob>> FindByRequestId(
      const std::string& request_id) override {
    absl::MutexLock lock(&mu_);
    auto it = by_request_.find(request_id);
    if (it == by_request_.end()) return std::optional<StoredJob>();
    return std::optional<StoredJob>(Public(jobs_.at(it->second), false));
  }

  absl::StatusOr<std::vector<std::optional<ClaimHolder>>> FindClaims(
      absl::Span<const ClaimKey> keys) override {
    absl::MutexLock lock(&mu_);
    std::vector<std::optional<ClaimHolder>> out;
    for (const ClaimKey& key : keys) {
      auto it = claims_.find(key);
      out.push_back(it == claims_.end() ? std::nullopt
                                        : std::optional(it->second));
    }
    return out;
  }

  absl::StatusOr<std::vector<std::optional<ClaimHolder>>> TakeClaims(
      absl::Span<const std::pair<ClaimKey, ClaimHolder>> claims) override {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, claimant] : claims) {
      if (!jobs_.count(claimant.job_id)) {
        return absl::NotFoundError("no job " + claimant.job_id);
      }
    }
    std::vector<std::optional<ClaimHolder>> out;
    for (const auto& [key, claimant] : claims) {
      auto it = claims_.find(key);
      if (it == claims_.end()) {
        Claim(key, claimant);
        out.push_back(std::nullopt);
      } else {
        out.push_back(it->second == claimant ? std::nullopt
                                             : std::optional(it->second));
      }
    }
    return out;
  }

  absl::StatusOr<resetd::v1::StoredInstance> GetInstance(
      const std::string& job_id, int index) override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it != jobs_.end()) {
      auto i = it->second.instances.find(index);
      if (i != it->second.instances.end()) return i->second;
    }
    return absl::NotFoundError("no instance " + std::to_string(index) +
                               " in job " + job_id);
  }

  absl::Status ScanInstances(
      const std::string& job_id, int from_index,
      const std::function<bool(const resetd::v1::StoredInstance&)>& visit)
      override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return absl::NotFoundError("no job " + job_id);
    const auto& instances = it->second.instances;
    for (auto i = instances.lower_bound(from_index); i != instances.end();
         ++i) {
      if (!visit(i->second)) break;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<StoredJob> GetJob(const std::string& job_id,
                                   bool with_instances) override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return absl::NotFoundError("no job " + job_id);
    return Public(it->second, with_instances);
  }

  absl::Status UpdateJob(const std::string& job_id, resetd::v1::JobState state,
                         bool cancelled, absl::Time update_time,
                         bool clear_password) override {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return absl::NotFoundError("no job " + job_id);
    it->second.job.state = state;
    it->second.job.cancelled = cancelled;
    it->second.job.update_time = update_time;
    if (clear_password) it->second.job.password = Secret();
    if (IsTerminal(state)) ReleaseJob(job_id);
    return absl::OkStatus();
  }

  absl::Status Write(
      absl::Span<const StepRecord> steps,
      absl::Span<const resetd::v1::StoredInstance> instances) override {
    absl::MutexLock lock(&mu_);
    for (const auto& i : instances) {
      auto it = jobs_.find(i.job_id());
      if (it == jobs_.end()) return absl::NotFoundError("no job " + i.job_id());
    }
    for (const auto& step : steps) {
      auto& list = steps_[step.job_id];
      auto intent = std::find_if(list.begin(), list.end(), [&](auto& s) {
        return s.batch_id == step.batch_id;
      });
      if (intent != list.end()) {
        *intent = step;
      } else {
        list.push_back(step);
      }
    }
    for (const auto& i : instances) {
      jobs_.at(i.job_id()).instances[i.index()] = i;
      if (i.done()) Release(ClaimHolder{i.job_id(), i.index()});
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<StepRecord>> Steps(
      const std::string& job_id) override {
    absl::MutexLock lock(&mu_);
    auto it = steps_.find(job_id);
    if (it == steps_.end()) return std::vector<StepRecord>();
    return it->second;
  }

  absl::StatusOr<std::vector<StoredJob>> LoadUnfinished() override {
    absl::MutexLock lock(&mu_);
    std::vector<const Row*> rows;
    for (const auto& [id, row] : jobs_) {
      if (!IsTerminal(row.job.state)) rows.push_back(&row);
    }
    std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) {
      return std::tie(a->job.create_time, a->job.job_id) <
             std::tie(b->job.create_time, b->job.job_id);
    });
    std::vector<StoredJob> out;
    for (const Row* row : rows) {
      out.push_back(Public(*row, true));
      out.back().password = row->job.password;
    }
    return out;
  }

  absl::StatusOr<std::vector<StoredJob>> ListJobs(
      const JobFilter& filter) override {
    absl::MutexLock lock(&mu_);
    std::vector<const Row*> rows;
    for (const auto& [id, row] : jobs_) {
      if (Matches(row.job, filter)) rows.push_back(&row);
    }
    std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) {
      return std::tie(a->job.create_time, a->job.job_id) >
             std::tie(b->job.create_time, b->job.job_id);
    });
    std::vector<StoredJob> out;
    for (int i = std::max(0, filter.offset);
         i < static_cast<int>(rows.size()) &&
         static_cast<int>(out.size()) < filter.limit;
         ++i) {
      out.push_back(Public(*rows[i], false));
    }
    return out;
  }

  absl::StatusOr<int> PruneEnded(absl::Time cutoff) override {
    absl::MutexLock lock(&mu_);
    int pruned = 0;
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      const StoredJob& j = it->second.job;
      if (IsTerminal(j.state) && j.update_time < cutoff) {
        by_request_.erase(j.request_id);
        steps_.erase(j.job_id);
        it = jobs_.erase(it);
        ++pruned;
      } else {
        ++it;
      }
    }
    return pruned;
  }

 private:
  void Claim(const ClaimKey& key, const ClaimHolder& holder)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    claims_[key] = holder;
    by_holder_[{holder.job_id, holder.index}] = key;
  }

  void Release(const ClaimHolder& holder) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = by_holder_.find({holder.job_id, holder.index});
    if (it == by_holder_.end()) return;
    claims_.erase(it->second);
    by_holder_.erase(it);
  }

  void ReleaseJob(const std::string& job_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = by_holder_.lower_bound({job_id, INT_MIN});
    while (it != by_holder_.end() && it->first.first == job_id) {
      claims_.erase(it->second);
      it = by_holder_.erase(it);
    }
  }

  struct Row {
    StoredJob job;  // without instances
    std::map<int, resetd::v1::StoredInstance> instances;
  };

  static bool Matches(const StoredJob& j, const JobFilter& f) {
    if (!f.states.empty() &&
        std::find(f.states.begin(), f.states.end(), j.state) == f.states.end()) {
      return false;
    }
    if (f.created_after && j.create_time < *f.created_after) return false;
    if (f.created_before && j.create_time >= *f.created_before) return false;
    if (!f.creator.empty() && j.creator != f.creator) return false;
    return InScope(f.scope, TargetsOf(j.spec));
  }

  // A copy without the password (and with instances if asked).
  static StoredJob Public(const Row& row, bool with_instances) {
    StoredJob out;
    out.job_id = row.job.job_id;
    out.request_id = row.job.request_id;
    out.fingerprint = row.job.fingerprint;
    out.creator = row.job.creator;
    out.spec = row.job.spec;
    out.state = row.job.state;
    out.cancelled = row.job.cancelled;
    out.create_time = row.job.create_time;
    out.update_time = row.job.update_time;
    if (with_instances) {
      for (const auto& [index, i] : row.instances) out.instances.push_back(i);
    }
    return out;
  }

  absl::Mutex mu_;
  std::map<std::string, Row> jobs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> by_request_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<StepRecord>> steps_ ABSL_GUARDED_BY(mu_);
  std::map<ClaimKey, ClaimHolder> claims_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, int>, ClaimKey> by_holder_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<JobStore> NewInMemoryJobStore() {
  return std::make_unique<InMemoryJobStore>();
}

}  // namespace resetd::workflow
