// The scheduler's write-ahead journal: what must be durable before a call
// may go (its intent: one step record per job it serves, and its instances'
// rows, original power state included), and what changed since the last
// write (step results, instance rows, job states). The scheduler builds the
// writes under its owner's lock; WriteIntent/WriteChanges run without it.
// StepJournal is not thread-safe (owned by the scheduler); the write
// functions touch only their arguments and the store.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "spdlog/logger.h"
#include "workflow/job_store.h"
#include "workflow/recipe.h"
#include "workflow/task.h"

namespace resetd::workflow {

// The intent of one call, to be durable before the call goes.
struct CallIntent {
  std::vector<StepRecord> records;  // one per job the call serves
  std::vector<resetd::v1::StoredInstance> rows;
};

// A job's state as the store keeps it.
struct JobStateUpdate {
  std::string job_id;
  resetd::v1::JobState state = resetd::v1::JOB_STATE_UNSPECIFIED;
  bool cancelled = false;
  absl::Time update_time;
  bool ended = false;
};

// Everything changed since the last Take().
struct Changes {
  std::vector<StepRecord> steps;  // results of intents
  std::vector<resetd::v1::StoredInstance> rows;
  std::vector<JobStateUpdate> jobs;
  bool empty() const { return steps.empty() && rows.empty() && jobs.empty(); }
};

class StepJournal {
 public:
  // `t` (or `job`) changed: its row goes with the next Take().
  void MarkDirty(Task& t) { dirty_tasks_.insert(&t); }
  void MarkDirty(JobRun& job) { dirty_jobs_.insert(&job); }
  // Drops pending rows of `job`'s tasks (the job is being forgotten).
  void Forget(JobRun& job);

  // The intent of a call of `action` on `tasks` at `now` (batch `batch_id`).
  // The tasks' rows are in it, so they are no longer dirty.
  CallIntent Intent(const std::string& batch_id, Action action,
                    const std::vector<Task*>& tasks, absl::Time now);

  // Records the results of a call's intents: `outcome` ("OK" or the error
  // code) and the provider's request id, at `now`.
  void AddResults(std::vector<StepRecord> intents, const std::string& outcome,
                  const std::string& request_id, absl::Time now);

  // Takes what changed (rows snapshotted now).
  Changes Take();

  // A taken write that failed: its steps and jobs go with the next Take(),
  // with the rows of its tasks (found by `find(job_id, index)`; tasks no
  // longer known are skipped).
  void Restore(Changes failed,
               const std::function<Task*(const std::string&, int)>& find);

 private:
  std::set<Task*> dirty_tasks_;
  std::set<JobRun*> dirty_jobs_;
  std::vector<StepRecord> results_;
};

// Makes `intent` durable. On failure logs to `log` (never a password).
absl::Status WriteIntent(JobStore& store, const CallIntent& intent,
                         spdlog::logger& log);
// Makes `changes` durable: steps and rows in one write, then the jobs.
// Returns false when the steps and rows were not written (the caller
// restores them); a failed job update is logged.
bool WriteChanges(JobStore& store, const Changes& changes,
                  spdlog::logger& log);

}  // namespace resetd::workflow
