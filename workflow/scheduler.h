// The engine's deterministic core: per-instance state machines driven by
// recipes, batching with linger, token buckets, shared polling, retries and
// write-ahead step records. It never blocks and never sleeps: Tick() does
// what is due at clock.Now() and returns when it wants to run next, so tests
// drive it on a fake clock with an inline dispatcher.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "spdlog/logger.h"
#include "common/clock.h"
#include "workflow/claims.h"
#include "workflow/cloud_call.h"
#include "workflow/engine_options.h"
#include "workflow/job_store.h"
#include "workflow/metrics.h"
#include "workflow/provider_registry.h"
#include "workflow/rate_limiter.h"
#include "workflow/recipe.h"

namespace resetd::workflow {

struct JobRun;

// One instance of one job.
struct Task {
  // kClaim: waits for another job to release the instance (ON_CONFLICT_WAIT).
  enum class Phase {
    kObserve, kQueued, kInFlight, kWaiting, kAdmission, kClaim, kDone
  };
  enum class Wait { kStable, kState, kOperation };

  JobRun* job = nullptr;
  int index = 0;  // position in the job (the store's key)
  const ProviderEntry* provider = nullptr;
  std::string region;
  std::string id;

  clients::PowerState original = clients::PowerState::kUnknown;
  clients::InstanceStatus observed;  // latest observation
  bool observed_once = false;
  bool reset_sent = false;
  bool reset_done = false;
  bool reset_applied = false;
  bool skip_reset = false;
  bool failed = false;
  bool held_down = false;     // counted against the job's max_unavailable
  bool held_stopped = false;  // stopped by resetd, not started again

  Phase phase = Phase::kObserve;
  Action action = Action::kDescribe;  // queued / in flight
  uint64_t generation = 0;            // invalidates stale queue entries
  uint32_t group = 0;           // batch split group after failed actions
  uint32_t describe_group = 0;  // the same, for a failed Describe
  bool waiting = false;  // observations go to the wait below
  Wait wait = Wait::kStable;
  clients::PowerState wait_state = clients::PowerState::kUnknown;
  std::string wait_request_id;
  absl::Time wait_deadline = absl::InfiniteFuture();
  bool wait_seen_change = false;
  bool wait_needs_change = false;  // a reboot: see it leave RUNNING first
  int wait_polls = 0;              // observations during this wait
  int retries = 0;

  // The instance's claim (see ClaimKey) and, while waiting for it or in a
  // dry run that would wait, the job instance that holds it.
  resetd::v1::ClaimState claim = resetd::v1::CLAIM_STATE_NONE;
  ClaimHolder blocked_by;

  resetd::v1::InstanceResult result;  // state, steps, error, power states
  uint64_t version = 0;
};

// The store's record of a task, and back.
resetd::v1::StoredInstance ToRecord(const Task& t);
void RestoreTask(const resetd::v1::StoredInstance& record, Task& t);

// A job being run.
struct JobRun {
  std::string job_id;
  resetd::v1::CreateResetJobRequest spec;  // no password
  std::shared_ptr<const clients::ResetPasswordParams> reset;
  std::vector<std::unique_ptr<Task>> tasks;
  resetd::v1::JobState state = resetd::v1::JOB_STATE_QUEUED;
  absl::Time create_time;
  absl::Time update_time;
  bool cancelled = false;
  int held_down = 0;
  int remaining = 0;  // tasks not done
  std::deque<Task*> admission;  // waiting for max_unavailable
  uint64_t version = 0;
};

// Not thread-safe except Deliver(): the owner serialises every other call.
class Scheduler {
 public:
  // Everything passed must outlive the scheduler.
  // Events are logged to `log` (one key=value line each; never a password);
  // nullptr discards them.
  Scheduler(const ProviderRegistry& providers, Clock& clock, JobStore& store,
            WorkflowMetrics& metrics, Dispatcher& dispatcher,
            EngineOptions options, spdlog::logger* log = nullptr);

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

  // Does everything due now; returns the next time it has work (may be
  // InfiniteFuture when idle).
  absl::Time Tick();

  // Cancels the job: no new resets; instances it holds stopped are
  // returned to their original power state.
  void Cancel(JobRun& job);

  // Thread-safe: hands over a call's outcome (from any thread).
  void Deliver(CallOutcome outcome);
  // Called (from the delivering thread) after each Deliver, to wake the owner.
  void SetWakeup(std::function<void()> wakeup) { wakeup_ = std::move(wakeup); }

  // The monotonically increasing change counter (bumped by every change).
  uint64_t version() const { return version_; }
  // Calls dispatched and not yet delivered + processed.
  int in_flight() const { return static_cast<int>(calls_.size()); }
  JobRun* Find(const std::string& job_id);
  const std::map<std::string, std::unique_ptr<JobRun>>& jobs() const {
    return jobs_;
  }

 private:
  struct QueueEntry {
    Task* task;
    uint64_t generation;
    absl::Time enqueued;
  };
  struct Queue {
    const ProviderEntry* provider;
    std::string region;
    Action action;
    clients::StopMode stop_mode = clients::StopMode::kSoft;
    std::shared_ptr<const clients::ResetPasswordParams> reset;
    std::deque<QueueEntry> entries;
  };
  struct Timer {
    absl::Time at;
    uint64_t seq;
    Task* task;
    uint64_t generation;
    bool operator>(const Timer& o) const {
      return at != o.at ? at > o.at : seq > o.seq;
    }
  };
  struct InFlight {
    CloudCall call;
    std::vector<std::pair<Task*, uint64_t>> tasks;
    std::string batch_id;
    std::vector<StepRecord> intents;  // one per job served by the call
    absl::Time sent;
  };

  void ProcessOutcomes();
  absl::Time TakeReleasedClaims(absl::Time now);
  void WaitForClaim(Task& t);
  void Flush();
  bool WriteIntent(InFlight& f, absl::Time now);
  void FireTimers(absl::Time now);
  void Admit();
  absl::Time FlushQueues(absl::Time now);
  bool FlushQueue(Queue& q, absl::Time now, absl::Time* wake);
  void Send(Queue& q, absl::Time now);

  void Advance(Task& t);
  bool WaitSatisfied(Task& t);
  void Enqueue(Task& t, Action action);
  void ScheduleObserve(Task& t, absl::Time at);
  void StartWaiting(Task& t, Task::Wait wait, clients::PowerState state,
                    const std::string& request_id);
  void Fail(Task& t, const std::string& code, const std::string& message,
            const std::string& request_id);
  void Finish(Task& t);
  void FinishJob(JobRun& job);
  void OnAccepted(Task& t, Action action, const std::string& request_id);
  void MarkResetDone(Task& t);
  // The capabilities the recipe works from (a VNC job's reset differs).
  clients::Capabilities RecipeCaps(const Task& t) const;
  void OnDescribed(InFlight& f, const CallOutcome& out);
  void OnCallFailed(InFlight& f, const CallOutcome& out);
  void SetHeldDown(Task& t, bool held);
  void SetHeldStopped(Task& t, bool held);
  void AddStep(Task& t, Action action, absl::Time start,
               const std::string& outcome, const std::string& request_id);
  void Touch(Task& t);
  int MaxBatch(const ProviderEntry& p, Action action) const;
  std::string QueueKey(const Task& t, Action action) const;
  std::string BucketKey(const ProviderEntry& p, const std::string& region,
                        Action action) const;

  const ProviderRegistry& providers_;
  Clock& clock_;
  JobStore& store_;
  WorkflowMetrics& metrics_;
  Dispatcher& dispatcher_;
  const EngineOptions options_;
  RateLimiter limiter_;
  std::shared_ptr<spdlog::logger> null_log_;
  spdlog::logger& log_;

  std::map<std::string, std::unique_ptr<JobRun>> jobs_;
  std::map<std::string, Queue> queues_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::map<uint64_t, InFlight> calls_;
  uint64_t next_call_id_ = 1;
  uint64_t next_timer_seq_ = 1;
  uint32_t next_group_ = 1;
  uint64_t version_ = 0;
  bool draining_ = false;
  ClaimWaitlist waitlist_;
  absl::Time next_claim_sweep_ = absl::InfinitePast();
  // Changes not yet written to the store (written at the end of each Tick).
  std::set<Task*> dirty_tasks_;
  std::set<JobRun*> dirty_jobs_;
  std::vector<StepRecord> pending_steps_;

  absl::Mutex inbox_mu_;
  std::vector<CallOutcome> inbox_ ABSL_GUARDED_BY(inbox_mu_);
  std::function<void()> wakeup_;
};

}  // namespace resetd::workflow
