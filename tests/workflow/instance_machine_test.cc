// The per-instance state machine, table by table: no clock, store or
// scheduler, only values in and values out.
#include "workflow/instance_machine.h"

#include "gtest/gtest.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;

const absl::Time kT0 = absl::FromUnixSeconds(1795376535);
const absl::Duration kTimeout = absl::Minutes(10);

clients::InstanceStatus Seen(PowerState state, std::string op_state = "",
                             std::string op_request = "") {
  clients::InstanceStatus o;
  o.state = state;
  o.latest_operation_state = std::move(op_state);
  o.latest_operation_request_id = std::move(op_request);
  return o;
}

clients::Capabilities Observable(bool observable) {
  clients::Capabilities c;
  c.reset_result_observable = observable;
  return c;
}

TEST(InstanceMachineTest, AcceptedCallsStartTheMatchingWait) {
  const absl::Time deadline = kT0 + kTimeout;
  WaitState stop = WaitAfterAccepted(Action::kStop, Observable(true), "r1",
                                     deadline);
  EXPECT_EQ(stop.kind, WaitKind::kState);
  EXPECT_EQ(stop.target, PowerState::kStopped);
  EXPECT_EQ(stop.request_id, "r1");
  EXPECT_EQ(stop.deadline, deadline);
  WaitState reboot = WaitAfterAccepted(Action::kReboot, Observable(true), "r2",
                                       deadline);
  EXPECT_EQ(reboot.target, PowerState::kRunning);
  EXPECT_TRUE(reboot.needs_change);
  EXPECT_FALSE(WaitAfterAccepted(Action::kStart, Observable(true), "r3",
                                 deadline)
                   .needs_change);
  EXPECT_EQ(WaitAfterAccepted(Action::kResetPassword, Observable(true), "r4",
                              deadline)
                .kind,
            WaitKind::kOperation);
  // A reset whose result the provider does not report: nothing to wait for.
  WaitState blind = WaitAfterAccepted(Action::kResetPassword,
                                      Observable(false), "r5", deadline);
  EXPECT_FALSE(blind.active());
  EXPECT_EQ(blind.deadline, absl::InfiniteFuture());
}

TEST(InstanceMachineTest, StateWaitEndsAtItsTargetOnly) {
  WaitState w = WaitAfterAccepted(Action::kStop, Observable(true), "r1",
                                  kT0 + kTimeout);
  EXPECT_EQ(CheckWait(w, Seen(PowerState::kStopping), kT0).kind,
            WaitCheck::kPending);
  // Our own call still OPERATING: not over even if the state matches.
  EXPECT_EQ(CheckWait(w, Seen(PowerState::kStopped, "OPERATING", "r1"), kT0)
                .kind,
            WaitCheck::kPending);
  EXPECT_EQ(CheckWait(w, Seen(PowerState::kStopped), kT0).kind,
            WaitCheck::kOver);
}

TEST(InstanceMachineTest, OurFailedOperationFailsTheWait) {
  WaitState w = WaitAfterAccepted(Action::kStart, Observable(true), "r1",
                                  kT0 + kTimeout);
  clients::InstanceStatus o = Seen(PowerState::kStopped, "FAILED", "r1");
  o.latest_operation_error = "disk busy";
  WaitCheck c = CheckWait(w, o, kT0);
  EXPECT_EQ(c.kind, WaitCheck::kFailed);
  EXPECT_EQ(c.code, "OperationFailed");
  EXPECT_EQ(c.message, "disk busy");
  EXPECT_EQ(c.request_id, "r1");
  // Someone else's failed operation is not ours.
  WaitState other = WaitAfterAccepted(Action::kStart, Observable(true), "r1",
                                      kT0 + kTimeout);
  EXPECT_EQ(CheckWait(other, Seen(PowerState::kStopped, "FAILED", "r9"), kT0)
                .kind,
            WaitCheck::kPending);
}

TEST(InstanceMachineTest, RebootSeenOnlyRunningCountsAfterThreePolls) {
  WaitState w = WaitAfterAccepted(Action::kReboot, Observable(true), "r1",
                                  kT0 + kTimeout);
  EXPECT_EQ(CheckWait(w, Seen(PowerState::kRunning), kT0).kind,
            WaitCheck::kPending);
  EXPECT_EQ(CheckWait(w, Seen(PowerState::kRunning), kT0).kind,
            WaitCheck::kPending);
  EXPECT_EQ(CheckWait(w, Seen(PowerState::kRunning), kT0).kind,
            WaitCheck::kOver);
  // Seen leaving RUNNING: over as soon as it is back.
  WaitState seen = WaitAfterAccepted(Action::kReboot, Observable(true), "r2",
                                     kT0 + kTimeout);
  EXPECT_EQ(CheckWait(seen, Seen(PowerState::kRebooting), kT0).kind,
            WaitCheck::kPending);
  EXPECT_EQ(CheckWait(seen, Seen(PowerState::kRunning), kT0).kind,
            WaitCheck::kOver);
}

TEST(InstanceMachineTest, OperationWaitTakesOurResultOrTheFirstAfterOperating) {
  WaitState w = WaitAfterAccepted(Action::kResetPassword, Observable(true),
                                  "r1", kT0 + kTimeout);
  EXPECT_EQ(CheckWait(w, Seen(PowerState::kStopped, "SUCCESS", "r0"), kT0)
                .kind,
            WaitCheck::kPending);
  EXPECT_EQ(CheckWait(w, Seen(PowerState::kStopped, "SUCCESS", "r1"), kT0)
                .kind,
            WaitCheck::kResetSucceeded);
  // No request id reported: an earlier SUCCESS is not taken, one after
  // OPERATING is.
  WaitState anon = WaitAfterAccepted(Action::kResetPassword, Observable(true),
                                     "r2", kT0 + kTimeout);
  EXPECT_EQ(CheckWait(anon, Seen(PowerState::kStopped, "SUCCESS"), kT0).kind,
            WaitCheck::kPending);
  EXPECT_EQ(CheckWait(anon, Seen(PowerState::kStopped, "OPERATING"), kT0).kind,
            WaitCheck::kPending);
  WaitCheck failed =
      CheckWait(anon, Seen(PowerState::kStopped, "FAILED"), kT0);
  EXPECT_EQ(failed.kind, WaitCheck::kFailed);
  EXPECT_EQ(failed.code, "ResetFailed");
  EXPECT_EQ(failed.message, "the provider reports FAILED");
}

TEST(InstanceMachineTest, PendingWaitFailsOnForbiddenStateOrDeadline) {
  WaitState w = WaitAfterAccepted(Action::kStop, Observable(true), "r1",
                                  kT0 + kTimeout);
  WaitCheck gone = CheckWait(w, Seen(PowerState::kTerminating), kT0);
  EXPECT_EQ(gone.kind, WaitCheck::kFailed);
  EXPECT_EQ(gone.code, "InstanceState.TERMINATING");
  WaitCheck late = CheckWait(w, Seen(PowerState::kStopping), kT0 + kTimeout);
  EXPECT_EQ(late.kind, WaitCheck::kFailed);
  EXPECT_EQ(late.code, "Timeout");
}

StepContext Context() {
  StepContext c;
  c.transition_timeout = kTimeout;
  c.provider_state = "STOPPING";
  return c;
}

Decision Act(Action a) {
  Decision d;
  d.kind = Decision::kAct;
  d.action = a;
  return d;
}

TEST(InstanceMachineTest, StableWaitsShareOneDeadline) {
  Decision wait;
  wait.kind = Decision::kWait;
  WaitState w;
  EXPECT_EQ(NextStep(wait, Context(), w, kT0).kind, Step::kWaitStable);
  EXPECT_EQ(w.kind, WaitKind::kStable);
  EXPECT_EQ(w.deadline, kT0 + kTimeout);
  // The wait ends (stable for a moment), then the recipe waits again: the
  // deadline still counts from the first wait.
  EndWait(w);
  EXPECT_EQ(NextStep(wait, Context(), w, kT0 + absl::Minutes(5)).kind,
            Step::kWaitStable);
  EXPECT_EQ(w.deadline, kT0 + kTimeout);
  EndWait(w);
  Step late = NextStep(wait, Context(), w, kT0 + kTimeout);
  EXPECT_EQ(late.kind, Step::kTimeout);
  EXPECT_EQ(late.message, "the instance stayed STOPPING");
}

TEST(InstanceMachineTest, OtherWaitsDoNotCarryTheirDeadline) {
  WaitState w = WaitAfterAccepted(Action::kStop, Observable(true), "r1",
                                  kT0 + absl::Minutes(1));
  EndWait(w);
  EXPECT_EQ(w.deadline, absl::InfiniteFuture());
  Decision wait;
  wait.kind = Decision::kWait;
  EXPECT_EQ(NextStep(wait, Context(), w, kT0 + absl::Minutes(5)).kind,
            Step::kWaitStable);
  EXPECT_EQ(w.deadline, kT0 + absl::Minutes(5) + kTimeout);
}

TEST(InstanceMachineTest, ActingClearsTheDeadlineAndRespectsMaxUnavailable) {
  StepContext c = Context();
  c.max_unavailable = 2;
  c.job_held_down = 2;
  WaitState w;
  w.deadline = kT0;
  Step stop = NextStep(Act(Action::kStop), c, w, kT0);
  EXPECT_EQ(stop.kind, Step::kAdmission);
  EXPECT_EQ(w.deadline, absl::InfiniteFuture());
  // Already counted, or not taking the instance down: goes.
  c.held_down = true;
  EXPECT_EQ(NextStep(Act(Action::kReboot), c, w, kT0).kind, Step::kSend);
  c.held_down = false;
  Step reset = NextStep(Act(Action::kResetPassword), c, w, kT0);
  EXPECT_EQ(reset.kind, Step::kSend);
  EXPECT_FALSE(reset.takes_down);
  c.job_held_down = 1;
  Step room = NextStep(Act(Action::kStop), c, w, kT0);
  EXPECT_EQ(room.kind, Step::kSend);
  EXPECT_TRUE(room.takes_down);
}

TEST(InstanceMachineTest, DryRunPlansInsteadOfActing) {
  StepContext c = Context();
  c.dry_run = true;
  WaitState w;
  EXPECT_EQ(NextStep(Act(Action::kStop), c, w, kT0).kind, Step::kPlan);
  Decision fail;
  fail.kind = Decision::kFail;
  fail.code = "InstanceState.RESCUE";
  Step give_up = NextStep(fail, c, w, kT0);
  EXPECT_EQ(give_up.kind, Step::kGiveUp);
  EXPECT_EQ(give_up.code, "InstanceState.RESCUE");
}

}  // namespace
}  // namespace resetd::workflow
