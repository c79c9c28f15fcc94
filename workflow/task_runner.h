// Moves tasks and their jobs through the per-instance state machine
// (instance_machine.h): applies observations, accepted and failed calls,
// cancellation and endings; queues the calls (batcher) and polls (timer
// queue, timed by the poll planner) that follow; records every change in
// the journal and the metrics.
// The scheduler owns it and feeds it what its calls returned. Not
// thread-safe: the scheduler's owner serialises every call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "spdlog/logger.h"
#include "workflow/batcher.h"
#include "workflow/call_failure.h"
#include "workflow/claims.h"
#include "workflow/engine_options.h"
#include "workflow/metrics.h"
#include "workflow/poll_planner.h"
#include "workflow/step_journal.h"
#include "workflow/task.h"
#include "workflow/timer_queue.h"

namespace resetd::workflow {

class TaskRunner {
 public:
  // Everything passed must outlive the runner.
  TaskRunner(Clock& clock, const EngineOptions& options,
             WorkflowMetrics& metrics, spdlog::logger& log, Batcher& batcher,
             TimerQueue& timers, StepJournal& journal, ClaimWaitlist& waitlist);

  // `t` was observed as `status` (nullptr: the provider does not know it).
  void Observed(Task& t, const clients::InstanceStatus* status);
  // The provider accepted `action` (sent at `sent`) on `t`.
  void Accepted(Task& t, Action action, absl::Time sent,
                const std::string& request_id);
  // A call of `action` (sent at `sent`) failed for `live`, the tasks still
  // waiting for it, as `failure` says.
  void CallFailed(const std::vector<Task*>& live, Action action,
                  absl::Time sent, const CallFailure& failure);
  // The intent of `t`'s call of `action` could not be written: the call was
  // not sent; observe again after a poll interval.
  void Unrecorded(Task& t, Action action);

  // Queues `t` for `action` (a reset becomes the job's kind of reset).
  void Enqueue(Task& t, Action action);
  // Lets tasks waiting for max_unavailable go while their job has room.
  void Admit(JobRun& job);
  // Cancels `job` (see Scheduler::Cancel).
  void Cancel(JobRun& job);
  // Ends `job` once no task is left; its state from its tasks' results.
  void FinishJob(JobRun& job);
  // Records a change to `t`: phase text, version, dirty row, progress.
  void Touch(Task& t);
  // Bumps the change counter for `job` (added, recovered).
  void Bump(JobRun& job) { job.version = ++version_; }

  // The monotonically increasing change counter.
  uint64_t version() const { return version_; }

 private:
  // Decides `t`'s next step; `fresh` is the observation just made, if any
  // (an active wait is checked against it).
  void Advance(Task& t, const clients::InstanceStatus* fresh = nullptr);
  void ApplyStep(Task& t, const Step& step, const RecipeInput& in,
                 const clients::Capabilities& caps);
  void OnAccepted(Task& t, Action action, const std::string& request_id);
  void ScheduleObserve(Task& t, absl::Time at);
  void StartWaiting(Task& t, WaitState wait);
  void Fail(Task& t, const std::string& code, const std::string& message,
            const std::string& request_id);
  void Finish(Task& t);
  void MarkResetDone(Task& t);
  // The capabilities the recipe works from (a VNC job's reset differs).
  clients::Capabilities RecipeCaps(const Task& t) const;
  void SetHeldDown(Task& t, bool held);
  void SetHeldStopped(Task& t, bool held);
  void AddStep(Task& t, Action action, absl::Time start,
               const std::string& outcome, const std::string& request_id);

  Clock& clock_;
  const EngineOptions& options_;
  WorkflowMetrics& metrics_;
  spdlog::logger& log_;
  Batcher& batcher_;
  TimerQueue& timers_;
  StepJournal& journal_;
  ClaimWaitlist& waitlist_;
  PollPlanner polls_;
  uint64_t version_ = 0;
  uint32_t next_group_ = 1;
};

}  // namespace resetd::workflow
