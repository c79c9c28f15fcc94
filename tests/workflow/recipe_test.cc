#include "workflow/recipe.h"

#include "gtest/gtest.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using clients::ResetEffect;

clients::Capabilities Caps(ResetEffect effect) {
  clients::Capabilities c;
  c.reset_effect = effect;
  return c;
}

std::string Plan(ResetEffect effect, PowerState state,
                 resetd::v1::PowerPolicy policy =
                     resetd::v1::POWER_POLICY_RESTORE_ORIGINAL) {
  RecipeInput in;
  in.original = state;
  in.observed = state;
  return PlanDescription(Caps(effect), policy, in);
}

TEST(RecipeTest, RequiresStoppedSequencesStopResetStart) {
  EXPECT_EQ(Plan(ResetEffect::kRequiresStopped, PowerState::kRunning),
            "Stop, ResetPassword, Start");
  EXPECT_EQ(Plan(ResetEffect::kRequiresStopped, PowerState::kStopped),
            "ResetPassword");
  EXPECT_EQ(Plan(ResetEffect::kRequiresStopped, PowerState::kStopped,
                 resetd::v1::POWER_POLICY_ALWAYS_START),
            "ResetPassword, Start");
  EXPECT_EQ(Plan(ResetEffect::kRequiresStopped, PowerState::kRunning,
                 resetd::v1::POWER_POLICY_LEAVE_STOPPED),
            "Stop, ResetPassword");
}

TEST(RecipeTest, AppliesAtNextBootResetsThenReboots) {
  EXPECT_EQ(Plan(ResetEffect::kAppliesAtNextBoot, PowerState::kRunning),
            "ResetPassword, Reboot");
  EXPECT_EQ(Plan(ResetEffect::kAppliesAtNextBoot, PowerState::kStopped),
            "ResetPassword");
  EXPECT_EQ(Plan(ResetEffect::kAppliesAtNextBoot, PowerState::kStopped,
                 resetd::v1::POWER_POLICY_ALWAYS_START),
            "ResetPassword, Start");
}

TEST(RecipeTest, RestartsItselfOnlyResets) {
  EXPECT_EQ(Plan(ResetEffect::kRestartsItself, PowerState::kRunning),
            "ResetPassword");
}

TEST(RecipeTest, ForbiddenStatesFailWithTheStateAsCode) {
  for (auto s : {PowerState::kTerminating, PowerState::kShutdown,
                 PowerState::kLaunchFailed, PowerState::kRescue,
                 PowerState::kMigrating}) {
    RecipeInput in;
    in.observed = s;
    Decision d = Decide(Caps(ResetEffect::kRequiresStopped),
                        resetd::v1::POWER_POLICY_RESTORE_ORIGINAL, in);
    EXPECT_EQ(d.kind, Decision::kFail);
    EXPECT_EQ(d.code, "InstanceState." + std::string(clients::PowerStateName(s)));
  }
  RecipeInput gone;
  gone.observed = PowerState::kNotFound;
  EXPECT_EQ(Decide(Caps(ResetEffect::kRequiresStopped),
                   resetd::v1::POWER_POLICY_RESTORE_ORIGINAL, gone)
                .code,
            "InvalidInstanceId.NotFound");
}

TEST(RecipeTest, TransitionalStatesWait) {
  for (auto s : {PowerState::kStarting, PowerState::kStopping,
                 PowerState::kRebooting, PowerState::kPending,
                 PowerState::kUnknown}) {
    RecipeInput in;
    in.observed = s;
    EXPECT_EQ(Decide(Caps(ResetEffect::kRequiresStopped),
                     resetd::v1::POWER_POLICY_RESTORE_ORIGINAL, in)
                  .kind,
              Decision::kWait);
  }
}

TEST(RecipeTest, SkippedResetOnlyRestoresPower) {
  RecipeInput in;
  in.original = PowerState::kRunning;
  in.observed = PowerState::kStopped;
  in.skip_reset = true;
  Decision d = Decide(Caps(ResetEffect::kRequiresStopped),
                      resetd::v1::POWER_POLICY_RESTORE_ORIGINAL, in);
  EXPECT_EQ(d.kind, Decision::kAct);
  EXPECT_EQ(d.action, Action::kStart);
  in.observed = PowerState::kRunning;
  EXPECT_EQ(Decide(Caps(ResetEffect::kRequiresStopped),
                   resetd::v1::POWER_POLICY_RESTORE_ORIGINAL, in)
                .kind,
            Decision::kDone);
}

}  // namespace
}  // namespace resetd::workflow
