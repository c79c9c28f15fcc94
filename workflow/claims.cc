#include "workflow/claims.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "workflow/power_state_proto.h"
#include "workflow/task.h"

namespace resetd::workflow {

ClaimKey ClaimKeyOf(const Task& t) {
  const std::string& scope = t.provider->claim_scope.empty()
                                 ? t.provider->name
                                 : t.provider->claim_scope;
  return ClaimKey{scope, t.region, t.id};
}

absl::StatusOr<std::vector<ClaimConflict>> FindClaimConflicts(JobStore& store,
                                                              JobRun& job) {
  std::vector<ClaimKey> keys;
  std::map<ClaimKey, const Task*> seen;
  keys.reserve(job.tasks.size());
  for (const auto& t : job.tasks) {
    keys.push_back(ClaimKeyOf(*t));
    auto [it, inserted] = seen.emplace(keys.back(), t.get());
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          "instance ", t->id, " in region ", t->region,
          " is listed twice for one account (providers ",
          it->second->provider->name, " and ", t->provider->name, ")"));
    }
  }
  auto holders = store.FindClaims(keys);
  if (!holders.ok()) return holders.status();
  std::vector<ClaimConflict> out;
  for (size_t i = 0; i < holders->size(); ++i) {
    const auto& holder = (*holders)[i];
    if (holder && holder->job_id != job.job_id) {
      out.push_back(ClaimConflict{job.tasks[i].get(), *holder});
    }
  }
  return out;
}

bool RejectsConflicts(const resetd::v1::CreateResetJobRequest& spec) {
  return spec.on_conflict() != resetd::v1::ON_CONFLICT_WAIT &&
         spec.on_conflict() != resetd::v1::ON_CONFLICT_SKIP;
}

absl::StatusOr<std::vector<ClaimConflict>> PlanClaims(JobStore& store,
                                                      JobRun& job) {
  auto conflicts = FindClaimConflicts(store, job);
  if (!conflicts.ok()) return conflicts.status();
  const bool dry_run = job.spec.dry_run();
  for (auto& t : job.tasks) {
    t->claim =
        dry_run ? resetd::v1::CLAIM_STATE_NONE : resetd::v1::CLAIM_STATE_HELD;
  }
  if (RejectsConflicts(job.spec)) return conflicts;
  for (const ClaimConflict& c : *conflicts) {
    Task& t = *c.task;
    t.blocked_by = c.holder;
    t.claim = resetd::v1::CLAIM_STATE_NONE;
    if (job.spec.on_conflict() == resetd::v1::ON_CONFLICT_WAIT) {
      if (!dry_run) t.claim = resetd::v1::CLAIM_STATE_WAITING;
      continue;
    }
    t.phase = Task::Phase::kDone;
    t.state = resetd::v1::INSTANCE_STATE_CANCELLED;
    t.done_note = "skipped: held by job " + c.holder.job_id;
    SetError(t, "HeldByActiveJob",
             "another active job holds the instance: " + c.holder.job_id);
  }
  return conflicts;
}

absl::Status ClaimConflictError(const std::vector<ClaimConflict>& conflicts) {
  google::rpc::PreconditionFailure details;
  std::map<std::string, int> per_job;
  for (const ClaimConflict& c : conflicts) {
    ++per_job[c.holder.job_id];
    if (details.violations_size() >= kMaxConflictsListed) continue;
    auto* v = details.add_violations();
    v->set_type("INSTANCE_HELD_BY_ACTIVE_JOB");
    v->set_subject(absl::StrCat(c.task->provider->name, "/", c.task->region,
                                "/", c.task->id));
    v->set_description("held by job " + c.holder.job_id);
  }
  const int more = static_cast<int>(conflicts.size()) - kMaxConflictsListed;
  if (more > 0) {
    auto* v = details.add_violations();
    v->set_type("INSTANCE_HELD_BY_ACTIVE_JOB");
    v->set_subject("*");
    v->set_description(
        absl::StrCat("and ", more, " more instances not listed"));
  }
  std::string jobs;
  int listed = 0;
  for (const auto& [job_id, n] : per_job) {
    if (++listed > 5) {
      absl::StrAppend(&jobs, ", ...");
      break;
    }
    absl::StrAppend(&jobs, jobs.empty() ? "" : ", ", job_id, ": ", n);
  }
  absl::Status status = absl::FailedPreconditionError(absl::StrCat(
      conflicts.size(), " of the job's instances belong to other active jobs (",
      jobs,
      "); nothing was created. Wait for those jobs to end, cancel them, "
      "or set on_conflict to WAIT or SKIP"));
  status.SetPayload(kPreconditionFailurePayloadUrl,
                    absl::Cord(details.SerializeAsString()));
  return status;
}

void ClaimWaitlist::Add(Task& t) {
  waiters_[ClaimKeyOf(t)].push_back(&t);
  ++waiting_;
}

void ClaimWaitlist::Remove(Task& t) {
  auto it = waiters_.find(ClaimKeyOf(t));
  if (it == waiters_.end()) return;
  auto& queue = it->second;
  auto pos = std::find(queue.begin(), queue.end(), &t);
  if (pos == queue.end()) return;
  queue.erase(pos);
  --waiting_;
  if (queue.empty()) waiters_.erase(it);
}

namespace {
bool StillWaiting(const Task* t) {
  return t->claim == resetd::v1::CLAIM_STATE_WAITING &&
         t->phase == Task::Phase::kClaim;
}
}  // namespace

std::vector<std::pair<ClaimKey, ClaimHolder>> ClaimWaitlist::FrontsOf(
    bool all) {
  std::set<ClaimKey> keys;
  if (all) {
    for (const auto& [key, tasks] : waiters_) keys.insert(key);
  } else {
    keys.insert(released_.begin(), released_.end());
  }
  released_.clear();
  std::vector<std::pair<ClaimKey, ClaimHolder>> request;
  for (const ClaimKey& key : keys) {
    auto it = waiters_.find(key);
    if (it == waiters_.end()) continue;
    auto& queue = it->second;
    while (!queue.empty() && !StillWaiting(queue.front())) {
      queue.pop_front();
      --waiting_;
    }
    if (queue.empty()) {
      waiters_.erase(it);
      continue;
    }
    request.emplace_back(
        key, ClaimHolder{queue.front()->job->job_id, queue.front()->index});
  }
  return request;
}

ClaimWaitlist::Taken ClaimWaitlist::Take(bool all) {
  const std::vector<std::pair<ClaimKey, ClaimHolder>> request = FrontsOf(all);
  Taken out;
  if (request.empty()) return out;
  auto result = store_.TakeClaims(request);
  if (!result.ok()) return out;  // the next sweep tries again
  for (size_t i = 0; i < request.size(); ++i) {
    auto& queue = waiters_[request[i].first];
    Task* front = queue.front();
    ClaimHolder holder = request[i].second;
    if ((*result)[i]) {
      holder = *(*result)[i];  // someone else got it first
    } else {
      queue.pop_front();
      --waiting_;
      front->claim = resetd::v1::CLAIM_STATE_HELD;
      Inherit(*front);
      out.claimed.push_back(front);
    }
    for (Task* t : queue) {
      if (!StillWaiting(t) || t->blocked_by == holder) continue;
      t->blocked_by = holder;
      out.reblocked.push_back(t);
    }
    if (queue.empty()) waiters_.erase(request[i].first);
  }
  return out;
}

void ClaimWaitlist::Inherit(Task& t) {
  auto previous = store_.GetInstance(t.blocked_by.job_id, t.blocked_by.index);
  if (!previous.ok()) return;  // pruned: observe afresh
  const clients::PowerState s = FromProto(previous->original_power_state());
  if (s != clients::PowerState::kRunning &&
      s != clients::PowerState::kStopped) {
    return;
  }
  t.original = s;
}

}  // namespace resetd::workflow
