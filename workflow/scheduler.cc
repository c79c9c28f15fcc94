#include "workflow/scheduler.h"

#include <algorithm>
#include <utility>

#include "common/log_value.h"
#include "workflow/call_audit.h"
#include "workflow/call_failure.h"
#include "workflow/limiter_gate.h"

namespace resetd::workflow {

using clients::PowerState;
using resetd::v1::InstanceState;

namespace {

// How often instances that wait for another job's claim look at the store
// (claims released by this process are taken at once).
constexpr absl::Duration kClaimSweepInterval = absl::Seconds(5);

clients::StopMode ToStopMode(int mode) {
  switch (mode) {
    case resetd::v1::STOP_MODE_FORCE:
      return clients::StopMode::kForce;
    case resetd::v1::STOP_MODE_SOFT_THEN_FORCE:
      return clients::StopMode::kSoftThenForce;
    default:
      return clients::StopMode::kSoft;
  }
}

}  // namespace

Scheduler::Scheduler(const ProviderRegistry& providers, Clock& clock,
                     JobStore& store, WorkflowMetrics& metrics,
                     Dispatcher& dispatcher, EngineOptions options,
                     spdlog::logger* log, AuditSink* audit)
    : providers_(providers),
      clock_(clock),
      store_(store),
      metrics_(metrics),
      dispatcher_(dispatcher),
      options_(options),
      // Every bucket is defined with its configured rate by the batcher.
      limiter_([](const std::string&) { return 10.0; }, options.rate_headroom),
      null_log_(log ? nullptr : std::make_shared<spdlog::logger>("null")),
      log_(log ? *log : *null_log_),
      audit_(audit),
      batcher_(options.linger),
      waitlist_(store),
      runner_(clock, options_, metrics, log_, batcher_, timers_, journal_,
              waitlist_) {
  for (const auto& [name, entry] : providers_) {
    for (Action a :
         {Action::kDescribe, Action::kStop, Action::kStart, Action::kReboot,
          Action::kResetPassword, Action::kResetVncPassword}) {
      const std::string action(ActionName(a));
      metrics_.DeclareProviderAction(name, action,
                                     ConfiguredRate(entry, action));
    }
  }
}

JobRun* Scheduler::AddJob(std::unique_ptr<JobRun> job) {
  JobRun* j = job.get();
  j->remaining = 0;
  j->update_time = clock_.Now();
  for (auto& t : j->tasks) {
    t->job = j;
    if (t->phase == Task::Phase::kDone) {
      // Skipped: another job holds it.
      metrics_.CountInstanceResult("cancelled");
      continue;
    }
    ++j->remaining;
    t->state = resetd::v1::INSTANCE_STATE_PENDING;
    if (t->claim == resetd::v1::CLAIM_STATE_WAITING) {
      WaitForClaim(*t);
      continue;
    }
    runner_.Enqueue(*t, Action::kDescribe);
  }
  metrics_.jobs_queued().Increment();
  log_.info(
      "event=job_accepted job_id={} request_id={} instances={} dry_run={}",
      j->job_id, LogValue(j->spec.request_id()), j->tasks.size(),
      j->spec.dry_run());
  jobs_[j->job_id] = std::move(job);
  runner_.Bump(*j);
  if (j->remaining == 0) runner_.FinishJob(*j);
  return j;
}

JobRun* Scheduler::RecoverJob(std::unique_ptr<JobRun> job) {
  JobRun* j = job.get();
  j->remaining = 0;
  for (auto& t : j->tasks) {
    t->job = j;
    if (t->phase == Task::Phase::kDone) continue;
    ++j->remaining;
    if (t->held_stopped) metrics_.held_stopped().Increment();
    if (t->claim == resetd::v1::CLAIM_STATE_WAITING) {
      WaitForClaim(*t);
      continue;
    }
    // Whatever was in flight may or may not have happened: observe first.
    runner_.Enqueue(*t, Action::kDescribe);
  }
  (j->state == resetd::v1::JOB_STATE_RUNNING ? metrics_.jobs_running()
                                             : metrics_.jobs_queued())
      .Increment();
  log_.info("event=job_recovered job_id={} instances={} remaining={}",
            j->job_id, j->tasks.size(), j->remaining);
  jobs_[j->job_id] = std::move(job);
  runner_.Bump(*j);
  if (j->remaining == 0) runner_.FinishJob(*j);
  return j;
}

void Scheduler::Forget(const std::string& job_id) {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second->remaining > 0) return;
  journal_.Forget(*it->second);
  jobs_.erase(it);
}

JobRun* Scheduler::Find(const std::string& job_id) {
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? nullptr : it->second.get();
}

Task* Scheduler::FindTask(const std::string& job_id, int index) {
  JobRun* job = Find(job_id);
  if (job == nullptr || index < 0 ||
      index >= static_cast<int>(job->tasks.size())) {
    return nullptr;
  }
  return job->tasks[index].get();
}

void Scheduler::Deliver(CallOutcome outcome) {
  {
    absl::MutexLock lock(&inbox_mu_);
    inbox_.push_back(std::move(outcome));
  }
  if (wakeup_) wakeup_();
}

absl::Time Scheduler::Tick() {
  Work work = Plan();
  Perform(work);
  return Settle(work);
}

Scheduler::Work Scheduler::Plan() {
  const absl::Time now = clock_.Now();
  Work work;
  ProcessOutcomes();
  FireTimers(now);
  for (auto& [id, job] : jobs_) runner_.Admit(*job);
  SendDue(now, work);
  work.changes = journal_.Take();
  return work;
}

void Scheduler::Perform(Work& work) {
  // Write-ahead: nothing is sent whose intent is not durable.
  for (Work::Call& c : work.calls) {
    if (c.call.action != Action::kDescribe &&
        !WriteIntent(store_, c.intent, log_).ok()) {
      work.unrecorded.push_back(c.call.call_id);
      continue;
    }
    log_.debug(
        "event=call_sent call_id={} provider={} region={} action={} ids={}",
        c.call.call_id, c.call.provider, LogValue(c.call.region),
        ActionName(c.call.action), c.call.ids.size());
    Dispatch(c);
  }
  work.changes_written = WriteChanges(store_, work.changes, log_);
}

void Scheduler::Dispatch(Work::Call& c) {
  if (audit_ == nullptr || c.call.action == Action::kDescribe) {
    dispatcher_.Dispatch(std::move(c.call),
                         [this](CallOutcome out) { Deliver(std::move(out)); });
    return;
  }
  // providers_ is read-only after construction: safe without the lock.
  auto entry = providers_.find(c.call.provider);
  std::vector<SideEffectRecord> records = PendingSideEffects(
      c.call, c.intent, entry == providers_.end() ? nullptr : &entry->second);
  dispatcher_.Dispatch(std::move(c.call), [this, records = std::move(records)](
                                              CallOutcome out) mutable {
    // Before Deliver: the record is written before the engine can see
    // the outcome, let alone report the step done.
    WriteSideEffects(*audit_, std::move(records), out);
    Deliver(std::move(out));
  });
}

absl::Time Scheduler::Settle(Work& work) {
  const absl::Time now = clock_.Now();
  for (uint64_t id : work.unrecorded) Unrecorded(id);
  if (!work.changes_written) {
    journal_.Restore(std::move(work.changes),
                     [this](const std::string& job_id, int index) {
                       return FindTask(job_id, index);
                     });
  }
  // After the write: the claims its done records released are free in the
  // store now, and go to their waiters at once.
  absl::Time wake = std::min(work.wake, TakeReleasedClaims(now));
  wake = std::min(wake, timers_.Next());
  {
    absl::MutexLock lock(&inbox_mu_);
    if (!inbox_.empty()) wake = now;
  }
  return wake;
}

void Scheduler::Unrecorded(uint64_t call_id) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  InFlight f = std::move(it->second);
  calls_.erase(it);
  for (auto& [t, gen] : f.tasks) {
    if (t->generation == gen) runner_.Unrecorded(*t, f.call.action);
  }
}

void Scheduler::WaitForClaim(Task& t) {
  t.phase = Task::Phase::kClaim;
  waitlist_.Add(t);
}

absl::Time Scheduler::TakeReleasedClaims(absl::Time now) {
  if (waitlist_.size() == 0) return absl::InfiniteFuture();
  // Released here: at once. Released elsewhere (another process, a write
  // that failed): found by a periodic sweep.
  const bool sweep = now >= next_claim_sweep_;
  if (!sweep && !waitlist_.has_released()) return next_claim_sweep_;
  if (sweep) next_claim_sweep_ = now + kClaimSweepInterval;
  ClaimWaitlist::Taken taken = waitlist_.Take(sweep);
  for (Task* t : taken.reblocked) runner_.Touch(*t);
  for (Task* t : taken.claimed) {
    log_.info("event=instance_claimed job_id={} instance_id={} after_job={}",
              t->job->job_id, LogValue(t->id), t->blocked_by.job_id);
    t->blocked_by = ClaimHolder();
    // Observed afresh: the other job has changed it.
    runner_.Enqueue(*t, Action::kDescribe);
    runner_.Touch(*t);
  }
  // Claimed tasks have a Describe queued: the next tick sends it.
  if (!taken.claimed.empty()) return now;
  return waitlist_.size() == 0 ? absl::InfiniteFuture() : next_claim_sweep_;
}

void Scheduler::ProcessOutcomes() {
  std::vector<CallOutcome> outcomes;
  {
    absl::MutexLock lock(&inbox_mu_);
    outcomes.swap(inbox_);
  }
  for (auto& out : outcomes) {
    auto it = calls_.find(out.call_id);
    if (it == calls_.end()) continue;
    InFlight f = std::move(it->second);
    calls_.erase(it);
    ProcessOutcome(f, out);
  }
}

void Scheduler::ProcessOutcome(InFlight& f, const CallOutcome& out) {
  const std::string action(ActionName(f.call.action));
  const std::string code = OutcomeCode(out.status);
  metrics_.CountRequest(f.call.provider, action, code);
  metrics_.ObserveLatency(f.call.provider, action,
                          absl::ToDoubleSeconds(out.latency));
  // The result of each job's intent, written with the instances' rows.
  journal_.AddResults(std::move(f.intents), code, OutcomeRequestId(out),
                      clock_.Now());
  if (!out.status.ok()) {
    OnCallFailed(f, out);
    return;
  }
  limiter_.OnSuccess(f.rate.name());
  if (f.call.action == Action::kDescribe) {
    OnDescribed(f, out);
    return;
  }
  for (auto& [t, gen] : f.tasks) {
    if (t->generation == gen) {
      runner_.Accepted(*t, f.call.action, f.sent, out.request_id);
    }
  }
}

void Scheduler::FireTimers(absl::Time now) {
  for (Task* t : timers_.PopDue(now)) runner_.Enqueue(*t, Action::kDescribe);
}

void Scheduler::SendDue(absl::Time now, Work& work) {
  if (draining_) return;
  for (Batch& b : batcher_.TakeDue(now, limiter_, &work.wake)) {
    metrics_.ObserveTokenWait(b.provider->name,
                              std::string(ActionName(b.key.rate.action)),
                              absl::ToDoubleSeconds(now - b.oldest));
    Send(std::move(b), now, work);
  }
}

void Scheduler::Send(Batch b, absl::Time now, Work& work) {
  InFlight f;
  f.call.call_id = next_call_id_++;
  f.call.provider = b.provider->name;
  f.call.region = b.key.rate.region;
  f.call.action = b.key.rate.action;
  f.call.stop_mode = ToStopMode(b.key.stop_mode);
  if (IsReset(f.call.action)) f.call.reset = b.tasks.front()->job->reset;
  f.call.client = b.provider->client;
  f.call.gate =
      MakeLimiterGate(limiter_, clock_, metrics_, log_,
                      {b.key.rate.name(), b.provider->name,
                       std::string(ActionName(f.call.action)), f.call.call_id});
  f.rate = b.key.rate;
  f.sent = now;
  for (Task* t : b.tasks) {
    f.call.ids.push_back(t->id);
    f.tasks.emplace_back(t, t->generation);
  }
  const std::string action(ActionName(f.call.action));
  metrics_.ObserveBatchSize(f.call.provider, action,
                            static_cast<double>(f.tasks.size()));
  Work::Call call{f.call, {}};
  if (f.call.action != Action::kDescribe) {
    for (Task* t : b.tasks) {
      if (IsReset(f.call.action)) t->reset_sent = true;
      runner_.Touch(*t);
    }
    const std::string batch_id = "c" + std::to_string(f.call.call_id) + "-" +
                                 std::to_string(absl::ToUnixMicros(now));
    call.intent = journal_.Intent(batch_id, f.call.action, b.tasks, now);
    f.intents = call.intent.records;
  }
  calls_.emplace(f.call.call_id, std::move(f));
  work.calls.push_back(std::move(call));
}

void Scheduler::OnDescribed(InFlight& f, const CallOutcome& out) {
  std::map<std::string, const clients::InstanceStatus*> by_id;
  for (const auto& s : out.statuses) by_id[s.instance_id] = &s;
  for (auto& [t, gen] : f.tasks) {
    if (t->generation != gen || t->phase == Task::Phase::kDone) continue;
    auto it = by_id.find(t->id);
    runner_.Observed(*t, it == by_id.end() ? nullptr : it->second);
  }
}

void Scheduler::OnCallFailed(InFlight& f, const CallOutcome& out) {
  std::vector<Task*> live;
  for (auto& [t, gen] : f.tasks) {
    if (t->generation == gen && t->phase != Task::Phase::kDone) {
      live.push_back(t);
    }
  }
  const CallFailure failure = ClassifyFailure(out.status, live.size());
  const Action action = f.call.action;
  log_.warn(
      "event=call_failed call_id={} provider={} region={} action={} ids={} "
      "code={} request_id={} retryable={}",
      f.call.call_id, f.call.provider, LogValue(f.call.region),
      ActionName(action), f.call.ids.size(), LogValue(failure.code),
      LogValue(failure.request_id), failure.kind == CallFailure::kRetry);
  if (failure.throttled) {
    limiter_.OnThrottled(f.rate.name(), clock_.Now());
    metrics_.CountThrottled(f.call.provider, std::string(ActionName(action)));
  }
  runner_.CallFailed(live, action, f.sent, failure);
}

void Scheduler::Cancel(JobRun& job) { runner_.Cancel(job); }

}  // namespace resetd::workflow
