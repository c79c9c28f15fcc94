// The per-instance state machine: given a fresh observation or an accepted
// call, what comes next. Pure functions over plain values (no clock, store or
// scheduler; `now` is passed in), beside recipe.h, which they build on.
// Thread-safe.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "clients/cloud_client.h"
#include "workflow/recipe.h"

namespace resetd::workflow {

// What an instance waits for between two observations.
enum class WaitKind {
  kNone,       // not waiting: the next observation goes to the recipe
  kStable,     // a transitional state (starting, stopping...) to settle
  kState,      // `target` after an accepted Stop/Start/Reboot
  kOperation,  // the provider's result of an accepted reset
};

// An instance's wait. `deadline` outlives a kStable wait on purpose: an
// instance that stays transitional across consecutive stable waits times out
// once, counted from the first.
struct WaitState {
  WaitKind kind = WaitKind::kNone;
  clients::PowerState target = clients::PowerState::kUnknown;  // kState
  std::string request_id;  // the accepted call's; may be empty
  absl::Time deadline = absl::InfiniteFuture();
  bool seen_change = false;   // left `target` (or saw OPERATING) since
  bool needs_change = false;  // a reboot: should be seen leaving RUNNING
  int polls = 0;              // observations during a kState wait
  // When the accepted call's wait began, and its last look that found it
  // still pending (InfinitePast: none); for the poll planner.
  absl::Time since = absl::InfinitePast();
  absl::Time last_pending = absl::InfinitePast();

  bool active() const { return kind != WaitKind::kNone; }
};

// Ends the wait (kind kNone). Keeps the deadline only after a kStable wait.
void EndWait(WaitState& wait);

// What a fresh observation `o` at `now` means for an active wait.
struct WaitCheck {
  enum Kind {
    kPending,         // still waiting: observe again later
    kOver,            // the wait is over: decide the next step
    kResetSucceeded,  // over, and the provider reports the reset done
    kFailed,          // over, failed: `code`, `message`, `request_id`
  } kind = kPending;
  std::string code;
  std::string message;
  std::string request_id;
};
// Updates the wait's bookkeeping (seen_change, polls). A wait still pending
// fails when the instance went to a forbidden state or `now` is past the
// deadline.
WaitCheck CheckWait(WaitState& wait, const clients::InstanceStatus& o,
                    absl::Time now);

// The wait a call starts once the provider accepted it (`request_id`), with
// its deadline at `deadline`; kNone for a reset whose result cannot be
// observed (it counts as done at once).
WaitState WaitAfterAccepted(Action action, const clients::Capabilities& caps,
                            const std::string& request_id,
                            absl::Time deadline);

// What the job allows an instance to do next (see NextStep).
struct StepContext {
  bool dry_run = false;
  bool held_down = false;    // this instance already counts as unavailable
  int max_unavailable = 0;   // the job's limit; 0 = none
  int job_held_down = 0;     // instances of the job down now
  absl::Duration transition_timeout;
  std::string provider_state;  // the provider's word for the observed state
};

// The next step of an instance with no wait pending, from the recipe's
// decision `d`.
struct Step {
  enum Kind {
    kSend,        // queue `action`
    kAdmission,   // `action` would exceed max_unavailable: wait for room
    kWaitStable,  // observe again (`wait` is now a kStable wait)
    kPlan,        // dry run: report the plan, touch nothing
    kDone,        // nothing left to do
    kGiveUp,      // the recipe cannot go on: fail with `code`/`message`
    kTimeout,     // stayed transitional too long: fail, restore power
  } kind = kDone;
  Action action = Action::kDescribe;
  bool takes_down = false;  // kSend of a Stop or Reboot
  std::string code;
  std::string message;
};
// Also moves `wait`'s deadline (set for a stable wait, cleared to act).
Step NextStep(const Decision& d, const StepContext& c, WaitState& wait,
              absl::Time now);

}  // namespace resetd::workflow
