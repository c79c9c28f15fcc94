// Recipes: what an instance needs next, chosen from the provider's declared
// capabilities and the instance's observed power state — never from the
// provider's name. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "clients/cloud_client.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::workflow {

// A cloud action the engine sends.
enum class Action {
  kDescribe,
  kStop,
  kStart,
  kReboot,
  kResetPassword,
  kResetVncPassword,  // what kResetPassword becomes in a VNC job
};
std::string_view ActionName(Action action);
// kResetPassword or kResetVncPassword.
inline bool IsReset(Action a) {
  return a == Action::kResetPassword || a == Action::kResetVncPassword;
}

// What the recipe needs to know about one instance.
struct RecipeInput {
  clients::PowerState original = clients::PowerState::kUnknown;
  clients::PowerState observed = clients::PowerState::kUnknown;
  bool reset_done = false;     // the reset was accepted (and confirmed, where
                               // the provider reports its result)
  bool reset_applied = false;  // a boot after the reset (next-boot providers)
  bool skip_reset = false;     // failed or cancelled: only restore power
};

struct Decision {
  enum Kind { kAct, kWait, kDone, kFail } kind = kWait;
  Action action = Action::kDescribe;  // for kAct
  std::string code;                   // for kFail: why
  std::string message;
};

// True for states in which resetd must touch nothing (terminating, isolated,
// launch failed, rescue mode, migrating, unknown id).
bool IsForbidden(clients::PowerState state);
// True for states that change by themselves (starting, stopping, ...).
bool IsTransitional(clients::PowerState state);

// The power state the instance must end in.
clients::PowerState FinalTarget(resetd::v1::PowerPolicy policy,
                                clients::PowerState original);

// The next step for an instance whose original state is known and whose
// observed state is fresh.
Decision Decide(const clients::Capabilities& caps,
                resetd::v1::PowerPolicy policy, const RecipeInput& in);

}  // namespace resetd::workflow

namespace resetd::workflow {

// The steps the recipe would take from `in` if every call succeeded, e.g.
// "Stop, ResetPassword, Start" (dry runs). "nothing" when already done.
std::string PlanDescription(const clients::Capabilities& caps,
                            resetd::v1::PowerPolicy policy, RecipeInput in);

}  // namespace resetd::workflow
