// What the scheduler works on: a job being run (JobRun) and one instance of
// it (Task), with the conversion to and from the store's record and the
// API's phase text. Plain data; the scheduler owns and serialises them.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clients/cloud_client.h"
#include "resetd/v1/reset_service.pb.h"
#include "workflow/claims.h"
#include "workflow/instance_machine.h"
#include "workflow/provider_registry.h"
#include "workflow/recipe.h"
#include "workflow/step_history.h"

namespace resetd::workflow {

struct JobRun;

// One instance of one job.
struct Task {
  // Where the task is in the scheduler. kWaiting: a timer will observe it
  // again (see `wait`); kClaim: waits for another job to release the
  // instance (ON_CONFLICT_WAIT); kAdmission: waits for max_unavailable.
  enum class Phase {
    kObserve,
    kQueued,
    kInFlight,
    kWaiting,
    kAdmission,
    kClaim,
    kDone
  };

  JobRun* job = nullptr;
  int index = 0;  // position in the job (the store's key)
  const ProviderEntry* provider = nullptr;
  std::string region;
  std::string id;

  clients::PowerState original = clients::PowerState::kUnknown;
  clients::PowerState observed = clients::PowerState::kUnknown;  // latest
  std::string provider_state;  // the provider's word for it (messages)
  bool observed_once = false;
  bool reset_sent = false;
  bool reset_done = false;
  bool reset_applied = false;
  bool skip_reset = false;
  bool failed = false;
  bool held_down = false;     // counted against the job's max_unavailable
  bool held_stopped = false;  // stopped by resetd, not started again
  bool polling = false;       // counted by the poll planner

  Phase phase = Phase::kObserve;
  Action action = Action::kDescribe;  // queued / in flight
  uint64_t generation = 0;            // invalidates stale queue entries
  uint32_t group = 0;                 // batch split group after failed actions
  uint32_t describe_group = 0;        // the same, for a failed Describe
  WaitState wait;  // while active, observations go to the wait
  int retries = 0;

  // The instance's claim (see ClaimKey) and, while waiting for it or in a
  // dry run that would wait, the job instance that holds it.
  resetd::v1::ClaimState claim = resetd::v1::CLAIM_STATE_NONE;
  ClaimHolder blocked_by;
  // The phase text of a done task when not "done": a dry run's plan, a
  // skipped instance's reason.
  std::string done_note;

  // The API's InstanceResult, compact; ResultOf builds it from these and
  // the fields above.
  resetd::v1::InstanceState state = resetd::v1::INSTANCE_STATE_PENDING;
  std::unique_ptr<resetd::v1::ProviderError> error;  // set once failed
  std::vector<TaskStep> steps;  // strings in the job's StringTable
  uint64_t version = 0;
};

// The API's view of a task: its InstanceResult.
resetd::v1::InstanceResult ResultOf(const Task& t);

// Records why the task failed (or was skipped); `request_id` may be empty.
void SetError(Task& t, const std::string& code, const std::string& message,
              const std::string& request_id = "");

// The task's failure code; empty when none.
const std::string& ErrorCode(const Task& t);

// The API's phase text of a task ("observe", "Stop:queued", "Stop:sent",
// "wait:STOPPED", "wait:reset-result", "wait:stable", "wait:max-unavailable",
// "wait:job <id>", "done" or the done note), derived from its state alone.
std::string PhaseText(const Task& t);

// The store's record of a task, and back (a task of `job`; its provider is
// the caller's to set).
resetd::v1::StoredInstance ToRecord(const Task& t);
void RestoreTask(const resetd::v1::StoredInstance& record, JobRun& job,
                 Task& t);

// A job being run.
struct JobRun {
  std::string job_id;
  resetd::v1::CreateResetJobRequest spec;  // no password
  std::string creator;                     // who created it (StoredJob)
  std::shared_ptr<const clients::ResetPasswordParams> reset;
  std::vector<std::unique_ptr<Task>> tasks;
  StringTable strings;  // the strings of the tasks' steps
  resetd::v1::JobState state = resetd::v1::JOB_STATE_QUEUED;
  absl::Time create_time;
  absl::Time update_time;
  bool cancelled = false;
  int held_down = 0;
  int remaining = 0;            // tasks not done
  std::deque<Task*> admission;  // waiting for max_unavailable
  uint64_t version = 0;
};

// How a job's instances ended; the rest were cancelled or skipped.
struct JobTally {
  int succeeded = 0;
  int failed = 0;
};
JobTally Tally(const JobRun& job);

// The state a job with no work left ends in: CANCELLED when cancelled or
// when every instance was skipped (held by other jobs), else SUCCEEDED,
// FAILED or PARTIALLY_FAILED by `tally`.
resetd::v1::JobState EndState(const JobRun& job, const JobTally& tally);

}  // namespace resetd::workflow
