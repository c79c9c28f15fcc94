#include "workflow/task_runner.h"

#include <utility>

#include "common/log_value.h"
#include "workflow/power_state_proto.h"

namespace resetd::workflow {

using clients::PowerState;
using resetd::v1::InstanceState;

TaskRunner::TaskRunner(Clock& clock, const EngineOptions& options,
                       WorkflowMetrics& metrics, spdlog::logger& log,
                       Batcher& batcher, TimerQueue& timers,
                       StepJournal& journal, ClaimWaitlist& waitlist)
    : clock_(clock),
      options_(options),
      metrics_(metrics),
      log_(log),
      batcher_(batcher),
      timers_(timers),
      journal_(journal),
      waitlist_(waitlist),
      polls_(options) {}

void TaskRunner::Observed(Task& t, const clients::InstanceStatus* status) {
  clients::InstanceStatus gone;
  if (status == nullptr) {
    gone.instance_id = t.id;
    gone.state = PowerState::kNotFound;
    status = &gone;
  }
  t.observed = status->state;
  t.provider_state = status->provider_state;
  t.observed_once = true;
  t.describe_group = 0;
  Advance(t, status);
}

void TaskRunner::Accepted(Task& t, Action action, absl::Time sent,
                          const std::string& request_id) {
  AddStep(t, action, sent, "OK", request_id);
  OnAccepted(t, action, request_id);
}

void TaskRunner::CallFailed(const std::vector<Task*>& live, Action action,
                            absl::Time sent, const CallFailure& failure) {
  const absl::Time now = clock_.Now();
  // A split puts each half in a group of its own.
  uint32_t first_half = 0, second_half = 0;
  if (failure.kind == CallFailure::kSplit) {
    first_half = next_group_++;
    second_half = next_group_++;
  }
  for (size_t i = 0; i < live.size(); ++i) {
    Task& t = *live[i];
    if (action != Action::kDescribe) {
      AddStep(t, action, sent, failure.code, failure.request_id);
    }
    if (failure.kind == CallFailure::kFail ||
        (failure.kind == CallFailure::kRetry && !failure.throttled &&
         ++t.retries > options_.max_retries)) {
      Fail(t, failure.code, failure.message, failure.request_id);
      continue;
    }
    // Observe again before retrying: the call may have been applied, or the
    // instance may have changed.
    if (IsReset(t.action)) t.reset_sent = false;
    absl::Time at = now + RetryBackoff(options_.poll_interval, t.retries);
    if (failure.kind == CallFailure::kSplit) {
      (action == Action::kDescribe ? t.describe_group : t.group) =
          i < live.size() / 2 ? first_half : second_half;
      at = now;
    }
    ScheduleObserve(t, at);
  }
}

void TaskRunner::Unrecorded(Task& t, Action action) {
  // Nothing may be sent that is not recorded: back off and decide again.
  if (IsReset(action)) t.reset_sent = false;
  ScheduleObserve(t, clock_.Now() + options_.poll_interval);
  Touch(t);
}

void TaskRunner::Admit(JobRun& job) {
  while (!job.admission.empty() &&
         (job.spec.max_unavailable() <= 0 ||
          job.held_down < job.spec.max_unavailable())) {
    Task* t = job.admission.front();
    job.admission.pop_front();
    if (t->phase != Task::Phase::kAdmission) continue;
    // Observe again: the instance may have changed while it waited.
    Enqueue(*t, Action::kDescribe);
  }
}

void TaskRunner::OnAccepted(Task& t, Action action, const std::string& rid) {
  const clients::Capabilities caps = RecipeCaps(t);
  t.retries = 0;
  t.group = 0;
  if (action == Action::kStop) {
    SetHeldStopped(t, t.original == PowerState::kRunning);
  }
  if ((action == Action::kStart || action == Action::kReboot) && t.reset_done) {
    t.reset_applied = true;
  }
  WaitState wait = WaitAfterAccepted(
      action, caps, rid, clock_.Now() + options_.transition_timeout);
  if (wait.active()) {
    StartWaiting(t, std::move(wait));
  } else if (IsReset(action)) {
    // The provider does not report the reset's result: done once accepted.
    MarkResetDone(t);
    Advance(t);
  }
}

void TaskRunner::MarkResetDone(Task& t) {
  t.reset_done = true;  // ResultOf derives the verification from it
  Touch(t);
}

clients::Capabilities TaskRunner::RecipeCaps(const Task& t) const {
  clients::Capabilities caps = t.provider->client->capabilities();
  if (t.job->spec.password_kind() == resetd::v1::PASSWORD_KIND_VNC) {
    // A VNC password follows its own rule of when it takes effect.
    caps.reset_effect = caps.vnc_reset_effect;
    caps.reset_result_observable = false;
  }
  return caps;
}

void TaskRunner::StartWaiting(Task& t, WaitState wait) {
  const absl::Time now = clock_.Now();
  t.wait = std::move(wait);
  t.wait.since = now;
  Touch(t);
  polls_.SetPolling(t, true);
  ScheduleObserve(t, polls_.First(t, now));
}

void TaskRunner::ScheduleObserve(Task& t, absl::Time at) {
  t.phase = t.wait.active() ? Task::Phase::kWaiting : Task::Phase::kObserve;
  ++t.generation;
  timers_.Schedule(t, at);
}

namespace {

// What is known of `t`'s instance without a fresh look.
clients::InstanceStatus KnownStatus(const Task& t) {
  clients::InstanceStatus s;
  s.instance_id = t.id;
  s.state = t.observed;
  s.provider_state = t.provider_state;
  return s;
}

}  // namespace

void TaskRunner::Advance(Task& t, const clients::InstanceStatus* fresh) {
  if (t.phase == Task::Phase::kDone) return;
  const absl::Time now = clock_.Now();
  if (t.wait.active()) {
    clients::InstanceStatus known;
    if (fresh == nullptr) fresh = &(known = KnownStatus(t));
    const WaitCheck check = CheckWait(t.wait, *fresh, now);
    switch (check.kind) {
      case WaitCheck::kPending:
        t.wait.last_pending = now;
        polls_.SetPolling(t, true);
        ScheduleObserve(t, polls_.Next(t, now));
        return;
      case WaitCheck::kResetSucceeded:
        polls_.Over(t, now);
        MarkResetDone(t);
        break;
      case WaitCheck::kFailed:
        Fail(t, check.code, check.message, check.request_id);
        if (t.phase == Task::Phase::kDone) return;
        break;
      case WaitCheck::kOver:
        polls_.Over(t, now);
        break;
    }
    EndWait(t.wait);
    polls_.SetPolling(t, false);
    t.phase = Task::Phase::kObserve;
  }
  const PowerState s = t.observed;
  if (t.original == PowerState::kUnknown &&
      (s == PowerState::kRunning || s == PowerState::kStopped)) {
    t.original = s;
  }
  if (t.held_stopped && s == PowerState::kRunning) SetHeldStopped(t, false);
  if (t.held_down && s == PowerState::kRunning) SetHeldDown(t, false);
  JobRun& job = *t.job;
  if (job.cancelled && !t.reset_sent) t.skip_reset = true;
  const RecipeInput in{t.original, s, t.reset_done, t.reset_applied,
                       t.skip_reset};
  const clients::Capabilities caps = RecipeCaps(t);
  const StepContext context{job.spec.dry_run(),          t.held_down,
                            job.spec.max_unavailable(),  job.held_down,
                            options_.transition_timeout, t.provider_state};
  const Step step =
      NextStep(Decide(caps, job.spec.power_policy(), in), context, t.wait, now);
  ApplyStep(t, step, in, caps);
}

void TaskRunner::ApplyStep(Task& t, const Step& step, const RecipeInput& in,
                           const clients::Capabilities& caps) {
  JobRun& job = *t.job;
  switch (step.kind) {
    case Step::kPlan:
      // Plan only: say what would happen, touch nothing.
      t.done_note =
          "dry-run: " +
          (t.blocked_by.job_id.empty()
               ? std::string()
               : "after job " + t.blocked_by.job_id + " releases it: ") +
          PlanDescription(caps, job.spec.power_policy(), in);
      Finish(t);
      return;
    case Step::kTimeout:
      Fail(t, step.code, step.message, "");
      return;
    case Step::kWaitStable:
      Touch(t);
      polls_.SetPolling(t, true);
      ScheduleObserve(t, polls_.Next(t, clock_.Now()));
      return;
    case Step::kGiveUp:
      t.failed = true;
      if (ErrorCode(t).empty()) SetError(t, step.code, step.message);
      Finish(t);
      return;
    case Step::kDone:
      Finish(t);
      return;
    case Step::kAdmission:
      t.phase = Task::Phase::kAdmission;
      job.admission.push_back(&t);
      Touch(t);
      return;
    case Step::kSend:
      if (step.takes_down) SetHeldDown(t, true);
      Enqueue(t, step.action);
      return;
  }
}

void TaskRunner::Enqueue(Task& t, Action action) {
  if (action == Action::kResetPassword &&
      t.job->spec.password_kind() == resetd::v1::PASSWORD_KIND_VNC) {
    action = Action::kResetVncPassword;
  }
  ++t.generation;
  t.phase = Task::Phase::kQueued;
  t.action = action;
  batcher_.Add(BatchKeyOf(t, action), *t.provider, t, clock_.Now());
  if (action != Action::kDescribe) {
    if (t.state == resetd::v1::INSTANCE_STATE_PENDING) {
      t.state = resetd::v1::INSTANCE_STATE_IN_PROGRESS;
    }
    Touch(t);
  }
}

void TaskRunner::Fail(Task& t, const std::string& code,
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
  t.failed = true;
  SetError(t, code, message, request_id);
  t.skip_reset = true;
  t.wait = WaitState();
  polls_.SetPolling(t, false);
  t.phase = Task::Phase::kObserve;
  Touch(t);
  // Return the instance to its power state if it can be: observe it and let
  // the recipe restore (a forbidden state ends it as failed).
  if (IsForbidden(t.observed) || !t.observed_once) {
    Finish(t);
    return;
  }
  ScheduleObserve(t, clock_.Now());
}

void TaskRunner::Finish(Task& t) {
  if (t.phase == Task::Phase::kDone) return;
  if (t.phase == Task::Phase::kClaim) waitlist_.Remove(t);
  ++t.generation;
  t.phase = Task::Phase::kDone;
  polls_.SetPolling(t, false);
  // The claim goes with the done record (the store releases it there).
  if (t.claim == resetd::v1::CLAIM_STATE_HELD)
    waitlist_.Released(ClaimKeyOf(t));
  t.claim = resetd::v1::CLAIM_STATE_NONE;
  SetHeldDown(t, false);
  if (t.observed == PowerState::kRunning) SetHeldStopped(t, false);
  JobRun& job = *t.job;
  InstanceState state = resetd::v1::INSTANCE_STATE_SUCCEEDED;
  if (t.failed) {
    state = resetd::v1::INSTANCE_STATE_FAILED;
    t.done_note.clear();
  } else if (job.cancelled && !t.reset_done) {
    state = resetd::v1::INSTANCE_STATE_CANCELLED;
  }
  t.state = state;  // ResultOf: the final power state is `observed`
  metrics_.CountInstanceResult(
      state == resetd::v1::INSTANCE_STATE_SUCCEEDED ? "succeeded"
      : state == resetd::v1::INSTANCE_STATE_FAILED  ? "failed"
                                                    : "cancelled");
  Touch(t);
  if (--job.remaining == 0) FinishJob(job);
}

void TaskRunner::FinishJob(JobRun& job) {
  const JobTally tally = Tally(job);
  const bool was_running = job.state == resetd::v1::JOB_STATE_RUNNING;
  job.state = EndState(job, tally);
  (was_running ? metrics_.jobs_running() : metrics_.jobs_queued()).Decrement();
  metrics_.CountJobEnded(job.state);
  // The job has no work left: drop the password.
  job.reset.reset();
  job.update_time = clock_.Now();
  journal_.MarkDirty(job);
  log_.info(
      "event=job_ended job_id={} state={} succeeded={} failed={} "
      "cancelled={} seconds={:.1f}",
      job.job_id, resetd::v1::JobState_Name(job.state), tally.succeeded,
      tally.failed,
      static_cast<int>(job.tasks.size()) - tally.succeeded - tally.failed,
      absl::ToDoubleSeconds(job.update_time - job.create_time));
  Bump(job);
}

void TaskRunner::Cancel(JobRun& job) {
  if (job.cancelled || job.remaining == 0) return;
  job.cancelled = true;
  log_.info("event=job_cancelled job_id={}", job.job_id);
  journal_.MarkDirty(job);
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
  Bump(job);
}

void TaskRunner::SetHeldDown(Task& t, bool held) {
  if (t.held_down == held) return;
  t.held_down = held;
  t.job->held_down += held ? 1 : -1;
}

void TaskRunner::SetHeldStopped(Task& t, bool held) {
  if (t.held_stopped == held) return;
  t.held_stopped = held;
  if (held) {
    metrics_.held_stopped().Increment();
  } else {
    metrics_.held_stopped().Decrement();
  }
}

void TaskRunner::AddStep(Task& t, Action action, absl::Time start,
                         const std::string& outcome,
                         const std::string& request_id) {
  t.steps.push_back(MakeStep(t.job->strings, ActionName(action), start,
                             clock_.Now(), outcome, request_id));
  metrics_.CountStep(std::string(ActionName(action)),
                     outcome == "OK" ? "ok" : "error");
}

void TaskRunner::Touch(Task& t) {
  metrics_.last_progress().Set(
      absl::ToDoubleSeconds(clock_.Now() - absl::UnixEpoch()));
  journal_.MarkDirty(t);
  t.version = ++version_;
  JobRun& job = *t.job;
  job.version = version_;
  job.update_time = clock_.Now();
  if (job.state == resetd::v1::JOB_STATE_QUEUED) {
    job.state = resetd::v1::JOB_STATE_RUNNING;
    journal_.MarkDirty(job);
    metrics_.jobs_queued().Decrement();
    metrics_.jobs_running().Increment();
  }
}

}  // namespace resetd::workflow
