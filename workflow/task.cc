#include "workflow/task.h"

#include "workflow/power_state_proto.h"

namespace resetd::workflow {

std::string PhaseText(const Task& t) {
  switch (t.phase) {
    case Task::Phase::kDone:
      return t.done_note.empty() ? "done" : t.done_note;
    case Task::Phase::kClaim:
      return "wait:job " + t.blocked_by.job_id;
    case Task::Phase::kAdmission:
      return "wait:max-unavailable";
    default:
      break;
  }
  switch (t.wait.kind) {
    case WaitKind::kOperation:
      return "wait:reset-result";
    case WaitKind::kState:
      return "wait:" + std::string(clients::PowerStateName(t.wait.target));
    case WaitKind::kStable:
      return "wait:stable";
    case WaitKind::kNone:
      break;
  }
  if (t.action != Action::kDescribe &&
      (t.phase == Task::Phase::kQueued || t.phase == Task::Phase::kInFlight)) {
    return std::string(ActionName(t.action)) +
           (t.phase == Task::Phase::kQueued ? ":queued" : ":sent");
  }
  return "observe";
}

resetd::v1::StoredInstance ToRecord(const Task& t) {
  resetd::v1::StoredInstance r;
  r.set_job_id(t.job->job_id);
  r.set_index(t.index);
  r.set_instance_id(t.id);
  r.set_provider(t.provider->name);
  r.set_region(t.region);
  r.set_original_power_state(ToProto(t.original));
  r.set_reset_sent(t.reset_sent);
  r.set_reset_done(t.reset_done);
  r.set_reset_applied(t.reset_applied);
  r.set_skip_reset(t.skip_reset);
  r.set_failed(t.failed);
  r.set_done(t.phase == Task::Phase::kDone);
  r.set_held_stopped(t.held_stopped);
  *r.mutable_result() = ResultOf(t);
  r.set_claim_scope(ClaimKeyOf(t).scope);
  r.set_claim(t.claim);
  if (t.claim == resetd::v1::CLAIM_STATE_WAITING) {
    r.set_wait_job_id(t.blocked_by.job_id);
    r.set_wait_index(t.blocked_by.index);
  }
  return r;
}

void RestoreTask(const resetd::v1::StoredInstance& r, JobRun& job, Task& t) {
  t.job = &job;
  t.index = r.index();
  t.id = r.instance_id();
  t.region = r.region();
  t.original = FromProto(r.original_power_state());
  t.reset_sent = r.reset_sent();
  t.reset_done = r.reset_done();
  t.reset_applied = r.reset_applied();
  t.skip_reset = r.skip_reset();
  t.failed = r.failed();
  t.held_stopped = r.held_stopped();
  t.state = r.result().state();
  if (r.result().has_error()) {
    t.error = std::make_unique<resetd::v1::ProviderError>(r.result().error());
  }
  t.steps.clear();
  t.steps.reserve(r.result().steps_size());
  for (const auto& step : r.result().steps()) {
    t.steps.push_back(StepFromProto(step, job.strings));
  }
  t.observed_once = t.original != clients::PowerState::kUnknown;
  t.observed = FromProto(r.result().final_power_state());
  t.phase = r.done() ? Task::Phase::kDone : Task::Phase::kObserve;
  t.claim = r.claim();
  t.blocked_by = ClaimHolder{r.wait_job_id(), r.wait_index()};
}

resetd::v1::InstanceResult ResultOf(const Task& t) {
  resetd::v1::InstanceResult r;
  r.set_instance_id(t.id);
  r.set_provider(t.provider->name);
  r.set_region(t.region);
  r.set_state(t.state);
  r.set_original_power_state(ToProto(t.original));
  if (t.phase == Task::Phase::kDone) {
    r.set_final_power_state(ToProto(t.observed));
  }
  r.mutable_steps()->Reserve(static_cast<int>(t.steps.size()));
  for (const TaskStep& step : t.steps) {
    StepToProto(step, t.job->strings, r.add_steps());
  }
  if (t.error != nullptr) *r.mutable_error() = *t.error;
  r.set_phase(PhaseText(t));
  r.set_held_stopped(t.held_stopped);
  if (t.reset_done) {
    r.set_verification(t.provider->client->capabilities().reset_verifiable
                           ? resetd::v1::RESET_VERIFICATION_VERIFIED
                           : resetd::v1::RESET_VERIFICATION_UNVERIFIABLE);
  }
  return r;
}

void SetError(Task& t, const std::string& code, const std::string& message,
              const std::string& request_id) {
  if (t.error == nullptr) {
    t.error = std::make_unique<resetd::v1::ProviderError>();
  }
  t.error->set_code(code);
  t.error->set_message(message);
  t.error->set_request_id(request_id);
}

const std::string& ErrorCode(const Task& t) {
  static const std::string* const kNone = new std::string();
  return t.error == nullptr ? *kNone : t.error->code();
}

JobTally Tally(const JobRun& job) {
  JobTally out;
  for (const auto& t : job.tasks) {
    if (t->state == resetd::v1::INSTANCE_STATE_SUCCEEDED) ++out.succeeded;
    if (t->state == resetd::v1::INSTANCE_STATE_FAILED) ++out.failed;
  }
  return out;
}

resetd::v1::JobState EndState(const JobRun& job, const JobTally& tally) {
  if (job.cancelled) return resetd::v1::JOB_STATE_CANCELLED;
  if (tally.succeeded == 0 && tally.failed == 0 && !job.tasks.empty()) {
    return resetd::v1::JOB_STATE_CANCELLED;
  }
  if (tally.failed == 0) return resetd::v1::JOB_STATE_SUCCEEDED;
  if (tally.succeeded == 0) return resetd::v1::JOB_STATE_FAILED;
  return resetd::v1::JOB_STATE_PARTIALLY_FAILED;
}

}  // namespace resetd::workflow
