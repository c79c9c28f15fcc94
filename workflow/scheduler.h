// The engine's deterministic core: the loop that wires the parts. Each
// instance follows the state machine (instance_machine.h) over its recipe
// (recipe.h); calls are batched and paced (batcher.h), polls and backoffs
// wait in a timer queue (timer_queue.h), intents and results are journalled
// (step_journal.h), failed calls are classified (call_failure.h), and
// instances held by other jobs wait for their claims (claims.h).
//
// It never blocks and never sleeps. A tick is three steps: Plan() does what
// is due at clock.Now() and returns the writes and calls it decided;
// Perform() makes them durable and sends each call only after its intent is
// written, needing no lock; Settle() takes back what failed and says when to
// run next. Tick() does all three (tests drive it on a fake clock with an
// inline dispatcher); the engine runs Perform() with its lock released.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "spdlog/logger.h"
#include "workflow/audit_sink.h"
#include "workflow/batcher.h"
#include "workflow/claims.h"
#include "workflow/cloud_call.h"
#include "workflow/engine_options.h"
#include "workflow/job_store.h"
#include "workflow/metrics.h"
#include "workflow/provider_registry.h"
#include "workflow/rate_limiter.h"
#include "workflow/step_journal.h"
#include "workflow/task.h"
#include "workflow/task_runner.h"
#include "workflow/timer_queue.h"

namespace resetd::workflow {

// Not thread-safe except Deliver() and Perform(): the owner serialises every
// other call.
class Scheduler {
 public:
  // What one Plan() decided: calls to send (each after its intent is
  // durable) and the changes to write. Perform() fills in what failed.
  struct Work {
    struct Call {
      CloudCall call;
      CallIntent intent;  // empty for Describe (no side effect)
    };
    std::vector<Call> calls;
    Changes changes;
    absl::Time wake = absl::InfiniteFuture();
    // Filled by Perform():
    std::vector<uint64_t> unrecorded;  // intent not written: not sent
    bool changes_written = true;
  };

  // Everything passed must outlive the scheduler.
  // Events are logged to `log` (one key=value line each; never a password);
  // nullptr discards them. `audit` (may be null) gets one record per job
  // served by each call with a side effect, on the thread that ran the
  // call, before its outcome is delivered (so before any step is done).
  Scheduler(const ProviderRegistry& providers, Clock& clock, JobStore& store,
            WorkflowMetrics& metrics, Dispatcher& dispatcher,
            EngineOptions options, spdlog::logger* log = nullptr,
            AuditSink* audit = nullptr);

  // Adds a job; its instances are observed first. `job` must be complete
  // (tasks with index, provider, region and id) and already stored. Tasks
  // already done (skipped for a conflict) stay as they are; tasks whose
  // claim is WAITING wait for their holder to release the instance.
  JobRun* AddJob(std::unique_ptr<JobRun> job);

  // Resumes a job read back from the store after a restart: every instance
  // not done is observed again and continues from what the cloud says.
  JobRun* RecoverJob(std::unique_ptr<JobRun> job);

  // Stops sending calls (shutdown); calls in flight still complete.
  void Drain() { draining_ = true; }

  // Forgets an ended job (it stays in the store). No-op for running jobs.
  void Forget(const std::string& job_id);

  // Plan(), Perform() and Settle() in one; returns the next time it has
  // work (may be InfiniteFuture when idle).
  absl::Time Tick();

  // Does everything due now, up to the writes and calls (see Work).
  Work Plan();
  // Writes `work`'s intents and changes and dispatches each call whose
  // intent is durable. Thread-safe against every other method: it touches
  // only `work`, the store and the dispatcher.
  void Perform(Work& work);
  // Takes back what `work` could not write (instances observe again; rows
  // go with the next write) and hands released claims to their waiters.
  // Returns the next time the scheduler has work.
  absl::Time Settle(Work& work);

  // Cancels the job: no new resets; instances it holds stopped are
  // returned to their original power state.
  void Cancel(JobRun& job);

  // Thread-safe: hands over a call's outcome (from any thread).
  void Deliver(CallOutcome outcome);
  // Called (from the delivering thread) after each Deliver, to wake the owner.
  void SetWakeup(std::function<void()> wakeup) { wakeup_ = std::move(wakeup); }

  // The monotonically increasing change counter (bumped by every change).
  uint64_t version() const { return runner_.version(); }
  // Calls planned and not yet delivered + processed.
  int in_flight() const { return static_cast<int>(calls_.size()); }
  // The job `job_id` if it is known (running, or ended and not forgotten).
  JobRun* Find(const std::string& job_id);
  const std::map<std::string, std::unique_ptr<JobRun>>& jobs() const {
    return jobs_;
  }

 private:
  struct InFlight {
    CloudCall call;
    RateKey rate;  // the bucket it took its token from
    std::vector<std::pair<Task*, uint64_t>> tasks;
    std::vector<StepRecord> intents;  // one per job served by the call
    absl::Time sent;
  };

  // Plan's steps.
  void ProcessOutcomes();
  void ProcessOutcome(InFlight& f, const CallOutcome& out);
  void OnDescribed(InFlight& f, const CallOutcome& out);
  void OnCallFailed(InFlight& f, const CallOutcome& out);
  void FireTimers(absl::Time now);
  void SendDue(absl::Time now, Work& work);
  void Send(Batch batch, absl::Time now, Work& work);
  void Unrecorded(uint64_t call_id);
  // Dispatches `c`: its outcome is audited (if there is a sink) and
  // delivered on the thread that ran it.
  void Dispatch(Work::Call& c);
  absl::Time TakeReleasedClaims(absl::Time now);
  void WaitForClaim(Task& t);

  Task* FindTask(const std::string& job_id, int index);

  const ProviderRegistry& providers_;
  Clock& clock_;
  JobStore& store_;
  WorkflowMetrics& metrics_;
  Dispatcher& dispatcher_;
  const EngineOptions options_;
  RateLimiter limiter_;
  std::shared_ptr<spdlog::logger> null_log_;
  spdlog::logger& log_;
  AuditSink* const audit_;

  std::map<std::string, std::unique_ptr<JobRun>> jobs_;
  Batcher batcher_;
  TimerQueue timers_;
  StepJournal journal_;
  ClaimWaitlist waitlist_;
  TaskRunner runner_;
  std::map<uint64_t, InFlight> calls_;
  uint64_t next_call_id_ = 1;
  bool draining_ = false;
  absl::Time next_claim_sweep_ = absl::InfinitePast();

  absl::Mutex inbox_mu_;
  std::vector<CallOutcome> inbox_ ABSL_GUARDED_BY(inbox_mu_);
  std::function<void()> wakeup_;
};

}  // namespace resetd::workflow
