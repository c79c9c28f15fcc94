#include "workflow/instance_machine.h"

namespace resetd::workflow {

using clients::PowerState;

namespace {

// Polls in a row that see RUNNING after a reboot before it counts as done.
constexpr int kRebootPollsWithoutChange = 3;

WaitCheck Over(WaitCheck::Kind kind) {
  WaitCheck c;
  c.kind = kind;
  return c;
}

WaitCheck Failed(std::string code, std::string message,
                 std::string request_id) {
  WaitCheck c;
  c.kind = WaitCheck::kFailed;
  c.code = std::move(code);
  c.message = std::move(message);
  c.request_id = std::move(request_id);
  return c;
}

// The provider's result of our reset.
WaitCheck CheckOperation(WaitState& w, const clients::InstanceStatus& o,
                         bool ours) {
  if (o.latest_operation_request_id.empty()) {
    // The provider did not say which call its latest operation was (the
    // field is nullable): take the first result that follows an OPERATING
    // seen after our call.
    if (o.latest_operation_state == "OPERATING") w.seen_change = true;
    if (!w.seen_change) return Over(WaitCheck::kPending);
  } else if (!ours) {
    return Over(WaitCheck::kPending);
  }
  if (o.latest_operation_state == "SUCCESS") {
    return Over(WaitCheck::kResetSucceeded);
  }
  if (o.latest_operation_state == "FAILED") {
    return Failed("ResetFailed",
                  o.latest_operation_error.empty()
                      ? "the provider reports FAILED"
                      : o.latest_operation_error,
                  w.request_id);
  }
  return Over(WaitCheck::kPending);
}

// The power state an accepted Stop/Start/Reboot leads to.
WaitCheck CheckState(WaitState& w, const clients::InstanceStatus& o,
                     bool ours) {
  if (ours && o.latest_operation_state == "OPERATING") {
    return Over(WaitCheck::kPending);
  }
  if (ours && o.latest_operation_state == "FAILED") {
    return Failed("OperationFailed", o.latest_operation_error, w.request_id);
  }
  if (o.state != w.target) w.seen_change = true;
  // A short reboot can happen between two polls: after a few polls that all
  // say RUNNING, the reboot (accepted by the provider) is taken as done.
  if (w.needs_change && !w.seen_change &&
      !(ours && o.latest_operation_state == "SUCCESS") &&
      ++w.polls < kRebootPollsWithoutChange) {
    return Over(WaitCheck::kPending);
  }
  return Over(o.state == w.target ? WaitCheck::kOver : WaitCheck::kPending);
}

}  // namespace

void EndWait(WaitState& wait) {
  if (wait.kind != WaitKind::kStable) wait.deadline = absl::InfiniteFuture();
  wait.kind = WaitKind::kNone;
}

WaitCheck CheckWait(WaitState& w, const clients::InstanceStatus& o,
                    absl::Time now) {
  const bool ours = !w.request_id.empty() &&
                    o.latest_operation_request_id == w.request_id;
  WaitCheck c;
  switch (w.kind) {
    case WaitKind::kOperation: c = CheckOperation(w, o, ours); break;
    case WaitKind::kState: c = CheckState(w, o, ours); break;
    case WaitKind::kStable:
    case WaitKind::kNone:
      c = Over(IsTransitional(o.state) ? WaitCheck::kPending
                                       : WaitCheck::kOver);
      break;
  }
  if (c.kind != WaitCheck::kPending) return c;
  if (IsForbidden(o.state)) {
    const std::string state(clients::PowerStateName(o.state));
    return Failed("InstanceState." + state, "the instance went " + state, "");
  }
  if (now >= w.deadline) {
    return Failed("Timeout", "no result within the transition timeout", "");
  }
  return c;
}

WaitState WaitAfterAccepted(Action action, const clients::Capabilities& caps,
                            const std::string& request_id,
                            absl::Time deadline) {
  WaitState w;
  w.request_id = request_id;
  w.deadline = deadline;
  switch (action) {
    case Action::kStop:
      w.kind = WaitKind::kState;
      w.target = PowerState::kStopped;
      break;
    case Action::kStart:
    case Action::kReboot:
      w.kind = WaitKind::kState;
      w.target = PowerState::kRunning;
      w.needs_change = action == Action::kReboot;
      break;
    case Action::kResetPassword:
    case Action::kResetVncPassword:
      if (caps.reset_result_observable) w.kind = WaitKind::kOperation;
      break;
    case Action::kDescribe:
      break;
  }
  if (w.kind == WaitKind::kNone) w.deadline = absl::InfiniteFuture();
  return w;
}

Step NextStep(const Decision& d, const StepContext& c, WaitState& wait,
              absl::Time now) {
  Step step;
  if (c.dry_run && d.kind == Decision::kAct) {
    step.kind = Step::kPlan;
    return step;
  }
  switch (d.kind) {
    case Decision::kWait:
      if (wait.deadline == absl::InfiniteFuture()) {
        wait.deadline = now + c.transition_timeout;
      }
      if (now >= wait.deadline) {
        step.kind = Step::kTimeout;
        step.code = "Timeout";
        step.message = "the instance stayed " + c.provider_state;
        return step;
      }
      wait.kind = WaitKind::kStable;
      wait.needs_change = false;
      wait.request_id.clear();
      step.kind = Step::kWaitStable;
      return step;
    case Decision::kFail:
      step.kind = Step::kGiveUp;
      step.code = d.code;
      step.message = d.message;
      return step;
    case Decision::kDone:
      step.kind = Step::kDone;
      return step;
    case Decision::kAct:
      break;
  }
  wait.deadline = absl::InfiniteFuture();
  step.action = d.action;
  step.takes_down = d.action == Action::kStop || d.action == Action::kReboot;
  const bool full = c.max_unavailable > 0 &&
                    c.job_held_down >= c.max_unavailable;
  step.kind = step.takes_down && !c.held_down && full ? Step::kAdmission
                                                      : Step::kSend;
  return step;
}

}  // namespace resetd::workflow
