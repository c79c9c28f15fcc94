#include "workflow/recipe.h"

namespace resetd::workflow {

using clients::PowerState;
using clients::ResetEffect;

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kDescribe: return "Describe";
    case Action::kStop: return "Stop";
    case Action::kStart: return "Start";
    case Action::kReboot: return "Reboot";
    case Action::kResetPassword: return "ResetPassword";
    case Action::kResetVncPassword: return "ResetVncPassword";
  }
  return "Unknown";
}

bool IsForbidden(PowerState s) {
  switch (s) {
    case PowerState::kLaunchFailed:
    case PowerState::kShutdown:
    case PowerState::kTerminating:
    case PowerState::kRescue:
    case PowerState::kMigrating:
    case PowerState::kNotFound:
      return true;
    default:
      return false;
  }
}

bool IsTransitional(PowerState s) {
  switch (s) {
    case PowerState::kStarting:
    case PowerState::kStopping:
    case PowerState::kRebooting:
    case PowerState::kPending:
    case PowerState::kUnknown:
      return true;
    default:
      return false;
  }
}

PowerState FinalTarget(resetd::v1::PowerPolicy policy, PowerState original) {
  switch (policy) {
    case resetd::v1::POWER_POLICY_ALWAYS_START: return PowerState::kRunning;
    case resetd::v1::POWER_POLICY_LEAVE_STOPPED: return PowerState::kStopped;
    default: return original;
  }
}

namespace {

Decision Act(Action a) { return {Decision::kAct, a, "", ""}; }

Decision Forbidden(PowerState s) {
  if (s == PowerState::kNotFound) {
    return {Decision::kFail, Action::kDescribe, "InvalidInstanceId.NotFound",
            "the provider does not know this instance id"};
  }
  std::string name(clients::PowerStateName(s));
  return {Decision::kFail, Action::kDescribe, "InstanceState." + name,
          "the instance is " + name + "; resetd does not touch it"};
}

Decision FirstReset(const clients::Capabilities& caps, PowerState observed) {
  if (caps.reset_effect == ResetEffect::kRequiresStopped &&
      observed == PowerState::kRunning) {
    return Act(Action::kStop);
  }
  return Act(Action::kResetPassword);
}

Decision Restore(const clients::Capabilities& caps, PowerState target,
                 const RecipeInput& in) {
  bool needs_boot = caps.reset_effect == ResetEffect::kAppliesAtNextBoot &&
                    in.reset_done && !in.reset_applied;
  if (in.observed == PowerState::kRunning) {
    if (target == PowerState::kStopped) return Act(Action::kStop);
    return needs_boot ? Act(Action::kReboot) : Decision{Decision::kDone};
  }
  // Stopped. A start also applies a next-boot reset.
  if (target == PowerState::kRunning) return Act(Action::kStart);
  return {Decision::kDone};
}

}  // namespace

Decision Decide(const clients::Capabilities& caps,
                resetd::v1::PowerPolicy policy, const RecipeInput& in) {
  if (IsForbidden(in.observed)) return Forbidden(in.observed);
  if (IsTransitional(in.observed)) return {Decision::kWait};
  if (!in.reset_done && !in.skip_reset) return FirstReset(caps, in.observed);
  return Restore(caps, FinalTarget(policy, in.original), in);
}

}  // namespace resetd::workflow

namespace resetd::workflow {

std::string PlanDescription(const clients::Capabilities& caps,
                            resetd::v1::PowerPolicy policy, RecipeInput in) {
  std::string plan;
  for (int i = 0; i < 8; ++i) {
    Decision d = Decide(caps, policy, in);
    if (d.kind != Decision::kAct) break;
    if (!plan.empty()) plan += ", ";
    plan += ActionName(d.action);
    switch (d.action) {
      case Action::kStop: in.observed = PowerState::kStopped; break;
      case Action::kStart:
      case Action::kReboot:
        in.observed = PowerState::kRunning;
        if (in.reset_done) in.reset_applied = true;
        break;
      case Action::kResetPassword:
      case Action::kResetVncPassword:
        in.reset_done = true;
        if (caps.reset_effect == ResetEffect::kRestartsItself) {
          in.reset_applied = true;
        }
        break;
      case Action::kDescribe: break;
    }
  }
  return plan.empty() ? "nothing" : plan;
}

}  // namespace resetd::workflow
