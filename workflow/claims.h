// Instance claims: an instance belongs to at most one active job. This file
// holds what the engine needs at job creation (find the instances that other
// jobs hold, and the error that names them) and the scheduler's list of
// instances that wait for another job to release theirs.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "workflow/job_store.h"

namespace resetd::workflow {

struct JobRun;
struct Task;

// The claim key of a task: its provider's account, its region, its id.
ClaimKey ClaimKeyOf(const Task& t);

// One instance of a new job that another active job holds.
struct ClaimConflict {
  Task* task = nullptr;
  ClaimHolder holder;
};

// The instances of `job` that other jobs hold, in the job's order.
// kInvalidArgument if the job names one instance twice (two provider names
// for one account); store errors as they come.
absl::StatusOr<std::vector<ClaimConflict>> FindClaimConflicts(JobStore& store,
                                                              JobRun& job);

// True unless the job's on_conflict is WAIT or SKIP (UNSPECIFIED = REJECT).
bool RejectsConflicts(const resetd::v1::CreateResetJobRequest& spec);

// Decides the claim of each task of a new job (before it is stored): HELD
// for a free instance (NONE in a dry run). The instances other jobs hold get
// `blocked_by` and, by the job's on_conflict: WAIT: claim WAITING (NONE in
// a dry run, which only reports it); SKIP: done and CANCELLED, with the
// holder named; REJECT: nothing (the caller refuses the job). Returns those
// conflicts; errors as FindClaimConflicts.
absl::StatusOr<std::vector<ClaimConflict>> PlanClaims(JobStore& store,
                                                      JobRun& job);

// FAILED_PRECONDITION naming the conflicting instances and the jobs holding
// them, with a google.rpc.PreconditionFailure payload (at most
// kMaxConflictsListed violations, then one that counts the rest).
absl::Status ClaimConflictError(const std::vector<ClaimConflict>& conflicts);
inline constexpr int kMaxConflictsListed = 20;
inline constexpr char kPreconditionFailurePayloadUrl[] =
    "type.googleapis.com/google.rpc.PreconditionFailure";

// Tasks that wait for another job to release their instance, per claim key,
// first come first served. Not thread-safe: the scheduler's owner
// serialises every call.
class ClaimWaitlist {
 public:
  // What Take() changed.
  struct Taken {
    std::vector<Task*> claimed;    // hold their claim now
    std::vector<Task*> reblocked;  // wait for another holder now
  };

  explicit ClaimWaitlist(JobStore& store) : store_(store) {}

  // `t` waits (t.claim is WAITING, t.blocked_by its holder).
  void Add(Task& t);
  // `t` no longer waits (finished, e.g. cancelled): forgets it.
  void Remove(Task& t);
  // A task of this process released `key` (its done record is written
  // before the next Take()).
  void Released(const ClaimKey& key) { released_.push_back(key); }
  bool has_released() const { return !released_.empty(); }
  // Claims, in one store transaction, the first waiter of every key
  // released since the last call, or of every key when `all`. A claimed
  // task inherits the original power state its previous holder recorded
  // (the fleet's state before either job). Tasks no longer waiting (done,
  // cancelled) are dropped. On a store error everything keeps waiting.
  Taken Take(bool all);
  int size() const { return waiting_; }

 private:
  // For each key to retry (all, or those released since the last Take), the
  // first task still waiting for it; tasks no longer waiting are dropped.
  std::vector<std::pair<ClaimKey, ClaimHolder>> FrontsOf(bool all);
  void Inherit(Task& t);

  JobStore& store_;
  std::map<ClaimKey, std::deque<Task*>> waiters_;
  std::vector<ClaimKey> released_;
  int waiting_ = 0;
};

}  // namespace resetd::workflow
