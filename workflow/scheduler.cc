#include "workflow/scheduler.h"

#include <algorithm>
#include <utility>

#include "clients/provider_error.h"
#include "common/log_value.h"
#include "google/protobuf/util/time_util.h"
#include "workflow/power_state_proto.h"

namespace resetd::workflow {

using clients::PowerState;
using resetd::v1::InstanceState;

namespace {

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

// Polls in a row that see RUNNING after a reboot before it counts as done.
constexpr int kRebootPollsWithoutChange = 3;

// How often instances that wait for another job's claim look at the store
// (claims released by this process are taken at once).
constexpr absl::Duration kClaimSweepInterval = absl::Seconds(5);

bool IsRetryable(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

clients::StopMode ToStopMode(resetd::v1::StopMode mode) {
  switch (mode) {
    case resetd::v1::STOP_MODE_FORCE: return clients::StopMode::kForce;
    case resetd::v1::STOP_MODE_SOFT_THEN_FORCE:
      return clients::StopMode::kSoftThenForce;
    default: return clients::StopMode::kSoft;
  }
}

std::string ErrorCode(const absl::Status& status,
                     const std::optional<clients::ProviderError>& pe) {
  return pe ? pe->code : std::string(absl::StatusCodeToString(status.code()));
}

}  // namespace

Scheduler::Scheduler(const ProviderRegistry& providers, Clock& clock,
                     JobStore& store, WorkflowMetrics& metrics,
                     Dispatcher& dispatcher, EngineOptions options,
                     spdlog::logger* log)
    : providers_(providers),
      clock_(clock),
      store_(store),
      metrics_(metrics),
      dispatcher_(dispatcher),
      options_(options),
      limiter_(
          [this](const std::string& key) {
            // key = provider|account|region|action
            auto provider = key.substr(0, key.find('|'));
            auto action = key.substr(key.rfind('|') + 1);
            auto it = providers_.find(provider);
            if (it == providers_.end()) return 10.0;
            return ConfiguredRate(it->second, action);
          },
          options.rate_headroom),
      null_log_(log ? nullptr : std::make_shared<spdlog::logger>("null")),
      log_(log ? *log : *null_log_),
      waitlist_(store) {
  for (const auto& [name, entry] : providers_) {
    for (Action a : {Action::kDescribe, Action::kStop, Action::kStart,
                     Action::kReboot, Action::kResetPassword,
                     Action::kResetVncPassword}) {
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
    t->result.set_instance_id(t->id);
    t->result.set_provider(t->provider->name);
    t->result.set_region(t->region);
    if (t->phase == Task::Phase::kDone) {
      // Skipped: another job holds it.
      metrics_.CountInstanceResult("cancelled");
      continue;
    }
    ++j->remaining;
    t->result.set_state(resetd::v1::INSTANCE_STATE_PENDING);
    if (t->claim == resetd::v1::CLAIM_STATE_WAITING) {
      WaitForClaim(*t);
      continue;
    }
    t->result.set_phase("observe");
    Enqueue(*t, Action::kDescribe);
  }
  metrics_.jobs_queued().Increment();
  log_.info("event=job_accepted job_id={} request_id={} instances={} dry_run={}",
            j->job_id, LogValue(j->spec.request_id()), j->tasks.size(),
            j->spec.dry_run());
  jobs_[j->job_id] = std::move(job);
  ++version_;
  j->version = version_;
  if (j->remaining == 0) FinishJob(*j);
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
    Enqueue(*t, Action::kDescribe);
  }
  (j->state == resetd::v1::JOB_STATE_RUNNING ? metrics_.jobs_running()
                                             : metrics_.jobs_queued())
      .Increment();
  log_.info("event=job_recovered job_id={} instances={} remaining={}",
            j->job_id, j->tasks.size(), j->remaining);
  jobs_[j->job_id] = std::move(job);
  ++version_;
  j->version = version_;
  if (j->remaining == 0) FinishJob(*j);
  return j;
}

void Scheduler::Forget(const std::string& job_id) {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second->remaining > 0) return;
  for (auto& t : it->second->tasks) dirty_tasks_.erase(t.get());
  dirty_jobs_.erase(it->second.get());
  jobs_.erase(it);
}

JobRun* Scheduler::Find(const std::string& job_id) {
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? nullptr : it->second.get();
}

void Scheduler::Deliver(CallOutcome outcome) {
  {
    absl::MutexLock lock(&inbox_mu_);
    inbox_.push_back(std::move(outcome));
  }
  if (wakeup_) wakeup_();
}

absl::Time Scheduler::Tick() {
  absl::Time now = clock_.Now();
  ProcessOutcomes();
  FireTimers(now);
  Admit();
  absl::Time wake = FlushQueues(now);
  Flush();
  // After Flush: the claims this tick's done records released are free in
  // the store now, and go to their waiters at once.
  wake = std::min(wake, TakeReleasedClaims(now));
  if (!timers_.empty()) wake = std::min(wake, timers_.top().at);
  {
    absl::MutexLock lock(&inbox_mu_);
    if (!inbox_.empty()) wake = now;
  }
  return wake;
}

void Scheduler::WaitForClaim(Task& t) {
  t.phase = Task::Phase::kClaim;
  t.result.set_phase("wait:job " + t.blocked_by.job_id);
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
  for (Task* t : taken.reblocked) {
    t->result.set_phase("wait:job " + t->blocked_by.job_id);
    Touch(*t);
  }
  for (Task* t : taken.claimed) {
    log_.info("event=instance_claimed job_id={} instance_id={} after_job={}",
              t->job->job_id, LogValue(t->id), t->blocked_by.job_id);
    t->blocked_by = ClaimHolder();
    t->result.set_phase("observe");
    Touch(*t);
    // Observed afresh: the other job has changed it.
    Enqueue(*t, Action::kDescribe);
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
    const std::string provider = f.call.provider;
    const std::string action(ActionName(f.call.action));
    auto pe = clients::GetProviderError(out.status);
    metrics_.CountRequest(provider, action,
                          out.status.ok() ? "OK" : ErrorCode(out.status, pe));
    metrics_.ObserveLatency(provider, action,
                            absl::ToDoubleSeconds(out.latency));
    if (f.call.action != Action::kDescribe) {
      // The result of each job's intent, written with the instances' rows.
      for (auto& rec : f.intents) {
        rec.done = true;
        rec.time = clock_.Now();
        rec.outcome = out.status.ok() ? "OK" : ErrorCode(out.status, pe);
        rec.request_id =
            out.status.ok() ? out.request_id : (pe ? pe->request_id : "");
        pending_steps_.push_back(std::move(rec));
      }
    }
    if (!out.status.ok()) {
      OnCallFailed(f, out);
      continue;
    }
    limiter_.OnSuccess(BucketKey(*f.tasks.front().first->provider,
                                 f.call.region, f.call.action));
    if (f.call.action == Action::kDescribe) {
      OnDescribed(f, out);
      continue;
    }
    for (auto& [t, gen] : f.tasks) {
      if (t->generation != gen) continue;
      AddStep(*t, f.call.action, f.sent, "OK", out.request_id);
      OnAccepted(*t, f.call.action, out.request_id);
    }
  }
}

void Scheduler::FireTimers(absl::Time now) {
  while (!timers_.empty() && timers_.top().at <= now) {
    Timer timer = timers_.top();
    timers_.pop();
    Task& t = *timer.task;
    if (t.generation != timer.generation || t.phase == Task::Phase::kDone) {
      continue;
    }
    Enqueue(t, Action::kDescribe);
  }
}

void Scheduler::Admit() {
  for (auto& [id, job] : jobs_) {
    while (!job->admission.empty() &&
           (job->spec.max_unavailable() <= 0 ||
            job->held_down < job->spec.max_unavailable())) {
      Task* t = job->admission.front();
      job->admission.pop_front();
      if (t->phase != Task::Phase::kAdmission) continue;
      // Observe again: the instance may have changed while it waited.
      Enqueue(*t, Action::kDescribe);
    }
  }
}

absl::Time Scheduler::FlushQueues(absl::Time now) {
  absl::Time wake = absl::InfiniteFuture();
  if (draining_) return wake;
  for (auto it = queues_.begin(); it != queues_.end();) {
    while (FlushQueue(it->second, now, &wake)) {
    }
    if (it->second.entries.empty()) {
      it = queues_.erase(it);
    } else {
      ++it;
    }
  }
  return wake;
}

bool Scheduler::FlushQueue(Queue& q, absl::Time now, absl::Time* wake) {
  auto stale = [](const QueueEntry& e) {
    return e.task->generation != e.generation ||
           e.task->phase != Task::Phase::kQueued;
  };
  while (!q.entries.empty() && stale(q.entries.front())) q.entries.pop_front();
  if (q.entries.empty()) return false;
  const int max = MaxBatch(*q.provider, q.action);
  // Only whether a full batch is waiting matters: stop counting at max.
  int live = 0;
  for (auto it = q.entries.begin(); it != q.entries.end() && live < max; ++it) {
    if (!stale(*it)) ++live;
  }
  absl::Time ready_at = q.entries.front().enqueued + options_.linger;
  if (live < max && ready_at > now) {
    *wake = std::min(*wake, ready_at);
    return false;
  }
  std::string bucket = BucketKey(*q.provider, q.region, q.action);
  absl::Time at = limiter_.NextAvailable(bucket, now);
  if (at > now) {
    *wake = std::min(*wake, at);
    return false;
  }
  limiter_.Reserve(bucket, now);
  metrics_.ObserveTokenWait(q.provider->name, std::string(ActionName(q.action)),
                            absl::ToDoubleSeconds(now - q.entries.front().enqueued));
  Send(q, now);
  return !q.entries.empty();
}

void Scheduler::Send(Queue& q, absl::Time now) {
  const int max = MaxBatch(*q.provider, q.action);
  InFlight f;
  f.call.call_id = next_call_id_++;
  f.call.provider = q.provider->name;
  f.call.region = q.region;
  f.call.action = q.action;
  f.call.stop_mode = q.stop_mode;
  f.call.reset = q.reset;
  f.call.client = q.provider->client;
  f.sent = now;
  while (!q.entries.empty() && static_cast<int>(f.tasks.size()) < max) {
    QueueEntry e = q.entries.front();
    q.entries.pop_front();
    Task& t = *e.task;
    if (t.generation != e.generation || t.phase != Task::Phase::kQueued) {
      continue;
    }
    t.phase = Task::Phase::kInFlight;
    f.call.ids.push_back(t.id);
    f.tasks.emplace_back(&t, t.generation);
  }
  if (f.tasks.empty()) return;
  const std::string action(ActionName(q.action));
  metrics_.ObserveBatchSize(q.provider->name, action,
                            static_cast<double>(f.tasks.size()));
  if (q.action != Action::kDescribe && !WriteIntent(f, now)) return;
  log_.debug("event=call_sent call_id={} provider={} region={} action={} ids={}",
             f.call.call_id, q.provider->name, LogValue(q.region), action,
             f.tasks.size());
  uint64_t id = f.call.call_id;
  CloudCall call = f.call;
  calls_.emplace(id, std::move(f));
  dispatcher_.Dispatch(std::move(call),
                       [this](CallOutcome out) { Deliver(std::move(out)); });
}

bool Scheduler::WriteIntent(InFlight& f, absl::Time now) {
  // Write-ahead: the intent, and the rows of its instances (original power
  // state included), are durable before the call can reach the cloud.
  const std::string action(ActionName(f.call.action));
  f.batch_id = "c" + std::to_string(f.call.call_id) + "-" +
               std::to_string(absl::ToUnixMicros(now));
  std::map<JobRun*, StepRecord> per_job;
  std::vector<resetd::v1::StoredInstance> rows;
  for (auto& [t, gen] : f.tasks) {
    StepRecord& rec = per_job[t->job];
    rec.job_id = t->job->job_id;
    rec.batch_id = f.batch_id;
    rec.action = action;
    rec.time = now;
    rec.instance_ids.push_back(t->id);
    if (IsReset(f.call.action)) t->reset_sent = true;
    t->result.set_phase(action + ":sent");
    Touch(*t);
    rows.push_back(ToRecord(*t));
  }
  for (auto& [job, rec] : per_job) f.intents.push_back(std::move(rec));
  absl::Status s = store_.Write(f.intents, rows);
  if (s.ok()) {
    for (auto& [t, gen] : f.tasks) dirty_tasks_.erase(t);
    return true;
  }
  // Nothing may be sent that is not recorded: back off and decide again.
  log_.error("event=store_write_failed action={} ids={} message={}", action,
             f.tasks.size(), LogValue(std::string(s.message())));
  for (auto& [t, gen] : f.tasks) {
    if (IsReset(f.call.action)) t->reset_sent = false;
    ScheduleObserve(*t, now + options_.poll_interval);
  }
  return false;
}

void Scheduler::Flush() {
  if (!dirty_tasks_.empty() || !pending_steps_.empty()) {
    std::vector<resetd::v1::StoredInstance> rows;
    rows.reserve(dirty_tasks_.size());
    for (Task* t : dirty_tasks_) rows.push_back(ToRecord(*t));
    absl::Status s = store_.Write(pending_steps_, rows);
    if (!s.ok()) {
      // Kept dirty: written with the next change. Recovery would observe
      // these instances again, so nothing unsafe follows from the delay.
      log_.error("event=store_write_failed rows={} message={}", rows.size(),
                 LogValue(std::string(s.message())));
      return;
    }
    dirty_tasks_.clear();
    pending_steps_.clear();
  }
  for (JobRun* job : dirty_jobs_) {
    const bool ended = IsTerminal(job->state);
    absl::Status s = store_.UpdateJob(job->job_id, job->state, job->cancelled,
                                      job->update_time, ended);
    if (!s.ok()) {
      log_.error("event=store_write_failed job_id={} message={}", job->job_id,
                 LogValue(std::string(s.message())));
    }
  }
  dirty_jobs_.clear();
}

void Scheduler::OnDescribed(InFlight& f, const CallOutcome& out) {
  std::map<std::string, const clients::InstanceStatus*> by_id;
  for (const auto& s : out.statuses) by_id[s.instance_id] = &s;
  for (auto& [t, gen] : f.tasks) {
    if (t->generation != gen || t->phase == Task::Phase::kDone) continue;
    auto it = by_id.find(t->id);
    if (it != by_id.end()) {
      t->observed = *it->second;
    } else {
      t->observed = clients::InstanceStatus();
      t->observed.instance_id = t->id;
      t->observed.state = PowerState::kNotFound;
    }
    t->observed_once = true;
    t->describe_group = 0;
    Advance(*t);
  }
}

void Scheduler::OnCallFailed(InFlight& f, const CallOutcome& out) {
  auto pe = clients::GetProviderError(out.status);
  const std::string code = ErrorCode(out.status, pe);
  const absl::Time now = clock_.Now();
  const bool throttled =
      out.status.code() == absl::StatusCode::kResourceExhausted;
  log_.warn(
      "event=call_failed call_id={} provider={} region={} action={} ids={} "
      "code={} request_id={} retryable={}",
      f.call.call_id, f.call.provider, LogValue(f.call.region),
      ActionName(f.call.action), f.call.ids.size(), LogValue(code),
      LogValue(pe ? pe->request_id : ""), IsRetryable(out.status.code()));
  if (throttled) {
    const auto& p = *f.tasks.front().first->provider;
    limiter_.OnThrottled(BucketKey(p, f.call.region, f.call.action), now);
    metrics_.CountThrottled(p.name, std::string(ActionName(f.call.action)));
  }
  std::vector<Task*> live;
  for (auto& [t, gen] : f.tasks) {
    if (t->generation == gen && t->phase != Task::Phase::kDone) {
      live.push_back(t);
    }
  }
  for (Task* t : live) {
    if (f.call.action != Action::kDescribe) {
      AddStep(*t, f.call.action, f.sent, code, pe ? pe->request_id : "");
    }
  }
  if (IsRetryable(out.status.code())) {
    for (Task* t : live) {
      if (!throttled && ++t->retries > options_.max_retries) {
        Fail(*t, code, pe ? pe->message : std::string(out.status.message()),
             pe ? pe->request_id : "");
        continue;
      }
      // Observe again before retrying: the call may have been applied, or
      // the instance may have changed.
      absl::Duration backoff = std::min(
          options_.poll_interval * (1 << std::min(t->retries, 5)),
          absl::Seconds(30));
      if (IsReset(t->action)) t->reset_sent = false;
      ScheduleObserve(*t, now + backoff);
    }
    return;
  }
  const bool about_the_caller =
      out.status.code() == absl::StatusCode::kUnauthenticated ||
      out.status.code() == absl::StatusCode::kPermissionDenied;
  if (live.size() > 1 && !about_the_caller) {
    // One instance may spoil the batch: split it in halves until the
    // culprit is alone. Each half is observed again first.
    const uint32_t a = next_group_++, b = next_group_++;
    for (size_t i = 0; i < live.size(); ++i) {
      uint32_t& group = f.call.action == Action::kDescribe
                            ? live[i]->describe_group
                            : live[i]->group;
      group = i < live.size() / 2 ? a : b;
      if (IsReset(live[i]->action)) live[i]->reset_sent = false;
      ScheduleObserve(*live[i], now);
    }
    return;
  }
  for (Task* t : live) {
    Fail(*t, code, pe ? pe->message : std::string(out.status.message()),
         pe ? pe->request_id : "");
  }
}

void Scheduler::OnAccepted(Task& t, Action action, const std::string& rid) {
  const clients::Capabilities caps = RecipeCaps(t);
  t.retries = 0;
  t.group = 0;
  switch (action) {
    case Action::kStop:
      SetHeldStopped(t, t.original == PowerState::kRunning);
      StartWaiting(t, Task::Wait::kState, PowerState::kStopped, rid);
      return;
    case Action::kStart:
    case Action::kReboot:
      if (t.reset_done) t.reset_applied = true;
      StartWaiting(t, Task::Wait::kState, PowerState::kRunning, rid);
      t.wait_needs_change = action == Action::kReboot;
      return;
    case Action::kResetPassword:
    case Action::kResetVncPassword:
      if (caps.reset_result_observable) {
        StartWaiting(t, Task::Wait::kOperation, PowerState::kUnknown, rid);
      } else {
        MarkResetDone(t);
        Advance(t);
      }
      return;
    case Action::kDescribe:
      return;
  }
}

void Scheduler::MarkResetDone(Task& t) {
  t.reset_done = true;
  t.result.set_verification(
      t.provider->client->capabilities().reset_verifiable
          ? resetd::v1::RESET_VERIFICATION_VERIFIED
          : resetd::v1::RESET_VERIFICATION_UNVERIFIABLE);
  Touch(t);
}

clients::Capabilities Scheduler::RecipeCaps(const Task& t) const {
  clients::Capabilities caps = t.provider->client->capabilities();
  if (t.job->spec.password_kind() == resetd::v1::PASSWORD_KIND_VNC) {
    // A VNC password follows its own rule of when it takes effect.
    caps.reset_effect = caps.vnc_reset_effect;
    caps.reset_result_observable = false;
  }
  return caps;
}

void Scheduler::StartWaiting(Task& t, Task::Wait wait, PowerState state,
                             const std::string& request_id) {
  t.phase = Task::Phase::kWaiting;
  t.waiting = true;
  t.wait = wait;
  t.wait_state = state;
  t.wait_request_id = request_id;
  t.wait_seen_change = false;
  t.wait_needs_change = false;
  t.wait_polls = 0;
  t.wait_deadline = clock_.Now() + options_.transition_timeout;
  t.result.set_phase(wait == Task::Wait::kOperation
                         ? "wait:reset-result"
                         : "wait:" + std::string(clients::PowerStateName(state)));
  Touch(t);
  ScheduleObserve(t, clock_.Now() + options_.poll_interval);
}

void Scheduler::ScheduleObserve(Task& t, absl::Time at) {
  t.phase = t.waiting ? Task::Phase::kWaiting : Task::Phase::kObserve;
  ++t.generation;
  timers_.push(Timer{at, next_timer_seq_++, &t, t.generation});
}

bool Scheduler::WaitSatisfied(Task& t) {
  const auto& o = t.observed;
  const bool ours = !t.wait_request_id.empty() &&
                    o.latest_operation_request_id == t.wait_request_id;
  if (t.wait == Task::Wait::kOperation) {
    if (o.latest_operation_request_id.empty()) {
      // The provider did not say which call its latest operation was
      // (the field is nullable): take the first result that follows an
      // OPERATING seen after our call.
      if (o.latest_operation_state == "OPERATING") t.wait_seen_change = true;
      if (!t.wait_seen_change) return false;
    } else if (!ours) {
      return false;
    }
    if (o.latest_operation_state == "SUCCESS") {
      MarkResetDone(t);
      return true;
    }
    if (o.latest_operation_state == "FAILED") {
      Fail(t, "ResetFailed",
           o.latest_operation_error.empty() ? "the provider reports FAILED"
                                            : o.latest_operation_error,
           t.wait_request_id);
      return true;
    }
    return false;
  }
  if (t.wait == Task::Wait::kState) {
    if (ours && o.latest_operation_state == "OPERATING") return false;
    if (ours && o.latest_operation_state == "FAILED") {
      Fail(t, "OperationFailed", o.latest_operation_error, t.wait_request_id);
      return true;
    }
    if (o.state != t.wait_state) t.wait_seen_change = true;
    // A short reboot can happen between two polls: after a few polls that
    // all say RUNNING, the reboot (accepted by the provider) is taken as
    // done.
    if (t.wait_needs_change && !t.wait_seen_change &&
        !(ours && o.latest_operation_state == "SUCCESS") &&
        ++t.wait_polls < kRebootPollsWithoutChange) {
      return false;
    }
    return o.state == t.wait_state;
  }
  return !IsTransitional(o.state);
}

void Scheduler::Advance(Task& t) {
  if (t.phase == Task::Phase::kDone) return;
  const PowerState s = t.observed.state;
  if (t.waiting) {
    if (!WaitSatisfied(t)) {
      if (IsForbidden(s)) {
        Fail(t, "InstanceState." + std::string(clients::PowerStateName(s)),
             "the instance went " + std::string(clients::PowerStateName(s)),
             "");
      } else if (clock_.Now() >= t.wait_deadline) {
        Fail(t, "Timeout", "no result within the transition timeout", "");
      } else {
        ScheduleObserve(t, clock_.Now() + options_.poll_interval);
        return;
      }
    }
    if (t.phase == Task::Phase::kDone) return;
    t.waiting = false;
    t.phase = Task::Phase::kObserve;
  }
  if (t.original == PowerState::kUnknown &&
      (s == PowerState::kRunning || s == PowerState::kStopped)) {
    t.original = s;
    t.result.set_original_power_state(ToProto(s));
  }
  if (t.held_stopped && s == PowerState::kRunning) SetHeldStopped(t, false);
  if (t.held_down && s == PowerState::kRunning) SetHeldDown(t, false);
  JobRun& job = *t.job;
  if (job.cancelled && !t.reset_sent) t.skip_reset = true;
  RecipeInput in{t.original, s, t.reset_done, t.reset_applied, t.skip_reset};
  const clients::Capabilities caps = RecipeCaps(t);
  Decision d = Decide(caps, job.spec.power_policy(), in);
  if (job.spec.dry_run() && d.kind == Decision::kAct) {
    // Plan only: say what would happen, touch nothing.
    const std::string after =
        t.blocked_by.job_id.empty()
            ? ""
            : "after job " + t.blocked_by.job_id + " releases it: ";
    t.result.set_phase("dry-run: " + after +
                       PlanDescription(caps, job.spec.power_policy(), in));
    Finish(t);
    return;
  }
  switch (d.kind) {
    case Decision::kWait:
      if (t.wait_deadline == absl::InfiniteFuture() || t.wait != Task::Wait::kStable) {
        t.wait = Task::Wait::kStable;
        t.wait_deadline = clock_.Now() + options_.transition_timeout;
      }
      if (clock_.Now() >= t.wait_deadline) {
        Fail(t, "Timeout", "the instance stayed " + t.observed.provider_state,
             "");
        return;
      }
      t.phase = Task::Phase::kWaiting;
      t.waiting = true;
      t.wait_needs_change = false;
      t.wait_request_id.clear();
      t.result.set_phase("wait:stable");
      Touch(t);
      ScheduleObserve(t, clock_.Now() + options_.poll_interval);
      return;
    case Decision::kFail:
      t.failed = true;
      if (t.result.error().code().empty()) {
        t.result.mutable_error()->set_code(d.code);
        t.result.mutable_error()->set_message(d.message);
      }
      Finish(t);
      return;
    case Decision::kDone:
      Finish(t);
      return;
    case Decision::kAct:
      break;
  }
  t.wait_deadline = absl::InfiniteFuture();
  const bool takes_down = d.action == Action::kStop || d.action == Action::kReboot;
  if (takes_down && !t.held_down && job.spec.max_unavailable() > 0 &&
      job.held_down >= job.spec.max_unavailable()) {
    t.phase = Task::Phase::kAdmission;
    t.result.set_phase("wait:max-unavailable");
    job.admission.push_back(&t);
    Touch(t);
    return;
  }
  if (takes_down) SetHeldDown(t, true);
  Enqueue(t, d.action);
}

void Scheduler::Enqueue(Task& t, Action action) {
  if (action == Action::kResetPassword &&
      t.job->spec.password_kind() == resetd::v1::PASSWORD_KIND_VNC) {
    action = Action::kResetVncPassword;
  }
  std::string key = QueueKey(t, action);
  auto [it, inserted] = queues_.try_emplace(key);
  Queue& q = it->second;
  if (inserted) {
    q.provider = t.provider;
    q.region = t.region;
    q.action = action;
    q.stop_mode = ToStopMode(t.job->spec.stop_mode());
    if (IsReset(action)) q.reset = t.job->reset;
  }
  ++t.generation;
  t.phase = Task::Phase::kQueued;
  t.action = action;
  q.entries.push_back(QueueEntry{&t, t.generation, clock_.Now()});
  if (action != Action::kDescribe) {
    t.result.set_phase(std::string(ActionName(action)) + ":queued");
    if (t.result.state() == resetd::v1::INSTANCE_STATE_PENDING) {
      t.result.set_state(resetd::v1::INSTANCE_STATE_IN_PROGRESS);
    }
    Touch(t);
  }
}

void Scheduler::Fail(Task& t, const std::string& code,
                     const std::string& message,
                     const std::string& request_id) {
  log_.warn("event=instance_failed job_id={} instance_id={} code={} message={}",
            t.job->job_id, LogValue(t.id), LogValue(code), LogValue(message));
  if (t.failed) {
    // Failing again while restoring power: give up; the result shows the
    // power state it was left in (and held_stopped).
    Finish(t);
    return;
  }
  {
    t.failed = true;
    auto* e = t.result.mutable_error();
    e->set_code(code);
    e->set_message(message);
    e->set_request_id(request_id);
  }
  t.skip_reset = true;
  t.waiting = false;
  Touch(t);
  // Return the instance to its power state if it can be: observe it and let
  // the recipe restore (a forbidden state ends it as failed).
  t.phase = Task::Phase::kObserve;
  t.wait = Task::Wait::kStable;
  t.wait_deadline = absl::InfiniteFuture();
  if (IsForbidden(t.observed.state) || !t.observed_once) {
    Finish(t);
    return;
  }
  ScheduleObserve(t, clock_.Now());
}

void Scheduler::Finish(Task& t) {
  if (t.phase == Task::Phase::kDone) return;
  if (t.phase == Task::Phase::kClaim) waitlist_.Remove(t);
  ++t.generation;
  t.phase = Task::Phase::kDone;
  // The claim goes with the done record (the store releases it there).
  if (t.claim == resetd::v1::CLAIM_STATE_HELD) waitlist_.Released(ClaimKeyOf(t));
  t.claim = resetd::v1::CLAIM_STATE_NONE;
  SetHeldDown(t, false);
  if (t.observed.state == PowerState::kRunning) SetHeldStopped(t, false);
  JobRun& job = *t.job;
  InstanceState state = resetd::v1::INSTANCE_STATE_SUCCEEDED;
  if (t.failed) {
    state = resetd::v1::INSTANCE_STATE_FAILED;
  } else if (job.cancelled && !t.reset_done) {
    state = resetd::v1::INSTANCE_STATE_CANCELLED;
  }
  t.result.set_state(state);
  t.result.set_final_power_state(ToProto(t.observed.state));
  t.result.set_held_stopped(t.held_stopped);
  if (!job.spec.dry_run() || t.failed) t.result.set_phase("done");
  metrics_.CountInstanceResult(state == resetd::v1::INSTANCE_STATE_SUCCEEDED
                                   ? "succeeded"
                               : state == resetd::v1::INSTANCE_STATE_FAILED
                                   ? "failed"
                                   : "cancelled");
  Touch(t);
  if (--job.remaining == 0) FinishJob(job);
}

void Scheduler::FinishJob(JobRun& job) {
  int ok = 0, failed = 0;
  for (auto& t : job.tasks) {
    if (t->result.state() == resetd::v1::INSTANCE_STATE_SUCCEEDED) ++ok;
    if (t->result.state() == resetd::v1::INSTANCE_STATE_FAILED) ++failed;
  }
  const bool was_running = job.state == resetd::v1::JOB_STATE_RUNNING;
  if (job.cancelled) {
    job.state = resetd::v1::JOB_STATE_CANCELLED;
  } else if (ok == 0 && failed == 0 && !job.tasks.empty()) {
    // Every instance was skipped (held by other jobs): nothing was done.
    job.state = resetd::v1::JOB_STATE_CANCELLED;
  } else if (failed == 0) {
    job.state = resetd::v1::JOB_STATE_SUCCEEDED;
  } else if (ok == 0) {
    job.state = resetd::v1::JOB_STATE_FAILED;
  } else {
    job.state = resetd::v1::JOB_STATE_PARTIALLY_FAILED;
  }
  (was_running ? metrics_.jobs_running() : metrics_.jobs_queued()).Decrement();
  metrics_.CountJobEnded(job.state);
  // The job has no work left: drop the password.
  job.reset.reset();
  job.update_time = clock_.Now();
  dirty_jobs_.insert(&job);
  log_.info(
      "event=job_ended job_id={} state={} succeeded={} failed={} "
      "cancelled={} seconds={:.1f}",
      job.job_id, resetd::v1::JobState_Name(job.state), ok, failed,
      static_cast<int>(job.tasks.size()) - ok - failed,
      absl::ToDoubleSeconds(job.update_time - job.create_time));
  ++version_;
  job.version = version_;
}

void Scheduler::Cancel(JobRun& job) {
  if (job.cancelled || job.remaining == 0) return;
  job.cancelled = true;
  log_.info("event=job_cancelled job_id={}", job.job_id);
  dirty_jobs_.insert(&job);
  for (auto& t : job.tasks) {
    if (t->phase == Task::Phase::kDone) continue;
    if (!t->observed_once) {
      Finish(*t);
      continue;
    }
    // Only steps not yet sent that would take the instance further from
    // where it was (stop, reset) are withdrawn; restoring steps go on.
    const bool unsent_step =
        (t->phase == Task::Phase::kQueued &&
         (t->action == Action::kStop || IsReset(t->action))) ||
        t->phase == Task::Phase::kAdmission;
    if (unsent_step) {
      SetHeldDown(*t, false);
      t->phase = Task::Phase::kObserve;
      Advance(*t);
    }
  }
  ++version_;
  job.version = version_;
}

void Scheduler::SetHeldDown(Task& t, bool held) {
  if (t.held_down == held) return;
  t.held_down = held;
  t.job->held_down += held ? 1 : -1;
}

void Scheduler::SetHeldStopped(Task& t, bool held) {
  if (t.held_stopped == held) return;
  t.held_stopped = held;
  t.result.set_held_stopped(held);
  if (held) {
    metrics_.held_stopped().Increment();
  } else {
    metrics_.held_stopped().Decrement();
  }
}

void Scheduler::AddStep(Task& t, Action action, absl::Time start,
                        const std::string& outcome,
                        const std::string& request_id) {
  auto* step = t.result.add_steps();
  step->set_action(std::string(ActionName(action)));
  *step->mutable_start_time() = ToProto(start);
  *step->mutable_end_time() = ToProto(clock_.Now());
  step->set_outcome(outcome);
  step->set_request_id(request_id);
  metrics_.CountStep(std::string(ActionName(action)),
                     outcome == "OK" ? "ok" : "error");
}

void Scheduler::Touch(Task& t) {
  metrics_.last_progress().Set(
      absl::ToDoubleSeconds(clock_.Now() - absl::UnixEpoch()));
  dirty_tasks_.insert(&t);
  ++version_;
  t.version = version_;
  JobRun& job = *t.job;
  job.version = version_;
  job.update_time = clock_.Now();
  if (job.state == resetd::v1::JOB_STATE_QUEUED) {
    job.state = resetd::v1::JOB_STATE_RUNNING;
    dirty_jobs_.insert(&job);
    metrics_.jobs_queued().Decrement();
    metrics_.jobs_running().Increment();
  }
}

int Scheduler::MaxBatch(const ProviderEntry& p, Action action) const {
  const auto& c = p.client->capabilities();
  int limit = 100;
  switch (action) {
    case Action::kDescribe: limit = c.max_describe_batch; break;
    case Action::kStop: limit = c.max_stop_batch; break;
    case Action::kStart: limit = c.max_start_batch; break;
    case Action::kReboot: limit = c.max_reboot_batch; break;
    case Action::kResetPassword: limit = c.max_reset_batch; break;
    case Action::kResetVncPassword: limit = c.max_vnc_batch; break;
  }
  return std::max(1, std::min(limit, p.max_batch));
}

std::string Scheduler::QueueKey(const Task& t, Action action) const {
  std::string key = t.provider->name + "|" + t.region + "|" +
                    std::string(ActionName(action));
  // Split groups stay apart after a failed batch; otherwise Describe
  // batches are shared by every job.
  if (action == Action::kDescribe) {
    if (t.describe_group != 0) key += "|d" + std::to_string(t.describe_group);
  } else {
    key += "|g" + std::to_string(t.group);
  }
  switch (action) {
    case Action::kStop:
    case Action::kReboot:
      key += "|m" + std::to_string(t.job->spec.stop_mode());
      break;
    case Action::kResetPassword:
    case Action::kResetVncPassword:
      key += "|j" + t.job->job_id;  // password and username are per job
      break;
    default:
      break;
  }
  return key;
}

std::string Scheduler::BucketKey(const ProviderEntry& p,
                                 const std::string& region,
                                 Action action) const {
  return p.name + "|" + p.account + "|" + region + "|" +
         std::string(ActionName(action));
}

}  // namespace resetd::workflow
