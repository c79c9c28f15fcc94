// The one interface through which the workflow layer talks to any cloud.
// Knows nothing of jobs. Implementations live one folder per provider; only
// the composition root (service/main.cc) names a concrete one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/secret.h"

namespace resetd::clients {

// An instance's power state, normalised across providers.
enum class PowerState {
  kUnknown,
  kRunning,
  kStopped,
  kStarting,
  kStopping,
  kRebooting,
  kPending,
  kLaunchFailed,
  kShutdown,      // isolated / shut down by the provider
  kTerminating,
  kRescue,        // entering, in or leaving rescue mode
  kMigrating,
  kNotFound,      // the provider does not know this id
};
std::string_view PowerStateName(PowerState state);

// One instance as Describe observed it.
struct InstanceStatus {
  std::string instance_id;
  PowerState state = PowerState::kUnknown;
  std::string provider_state;  // the provider's own word, e.g. "RUNNING"
  // The latest asynchronous operation on the instance, where the provider
  // reports one (Tencent: LatestOperation*). Empty when unknown.
  std::string latest_operation;        // e.g. "ResetInstancesPassword"
  std::string latest_operation_state;  // "SUCCESS", "OPERATING", "FAILED"
  std::string latest_operation_request_id;
  std::string latest_operation_error;
};

enum class StopMode { kSoft, kSoftThenForce, kForce };

// How a password reset takes effect on the provider; chooses the recipe.
enum class ResetEffect {
  kRequiresStopped,    // only on a stopped instance (Tencent CVM)
  kAppliesAtNextBoot,  // accepted while running, applies after a reboot
  kRestartsItself,     // the reset stops and restarts the instance itself
  kImmediate,          // in effect at once, whatever the power state
};

// What a provider can do, declared by its client. The workflow layer picks
// recipes from these, never from the provider's name.
struct Capabilities {
  int max_describe_batch = 100;
  int max_stop_batch = 100;
  int max_start_batch = 100;
  int max_reboot_batch = 100;
  int max_reset_batch = 100;
  ResetEffect reset_effect = ResetEffect::kRequiresStopped;
  // Describe reports the reset's outcome (latest_operation_state), so the
  // engine waits for SUCCESS/FAILED after a reset.
  bool reset_result_observable = false;
  // The provider checks the password and reports failure (false: the
  // reset is "applied, unverifiable").
  bool reset_verifiable = false;
  // The provider has a VNC (remote console) password: ResetVncPassword.
  bool vnc_password = false;
  int max_vnc_batch = 1;
  ResetEffect vnc_reset_effect = ResetEffect::kImmediate;
};

// A call the provider accepted. Asynchronous actions report their outcome
// later through Describe.
struct CallResult {
  std::string request_id;  // the provider's request id
};

struct ResetPasswordParams {
  std::string username;  // empty = the provider's default account
  Secret password;
  bool force_stop = false;  // allow the provider to stop a running instance
};

// A client of one provider account. Every call covers up to the matching
// Capabilities batch limit of ids; more is a caller bug and returns
// kInvalidArgument without sending anything.
//
// Errors: the canonical code says what the caller should do —
//   kUnavailable: retry this call later (transport failure, provider
//     internal error, operation in progress);
//   kResourceExhausted: throttled by the provider; slow down and retry;
//   kDeadlineExceeded: no answer in time; the call may have been applied;
//   kFailedPrecondition: the instance's state forbids it; do not retry;
//   kNotFound / kInvalidArgument: bad id or parameter; do not retry;
//   kUnauthenticated / kPermissionDenied: credentials; do not retry.
// Every error that came from the provider carries a ProviderError payload
// (see provider_error.h) with its code, message and request id.
//
// Implementations are thread-safe: calls may run concurrently.
class CloudClient {
 public:
  virtual ~CloudClient() = default;

  virtual const Capabilities& capabilities() const = 0;

  // Observes the instances. Returns one status per id that the provider
  // knows; ids it does not know are returned with state kNotFound.
  virtual absl::StatusOr<std::vector<InstanceStatus>> Describe(
      std::string_view region, absl::Span<const std::string> ids) = 0;

  // Stops running instances.
  virtual absl::StatusOr<CallResult> Stop(std::string_view region,
                                          absl::Span<const std::string> ids,
                                          StopMode mode) = 0;

  // Starts stopped instances.
  virtual absl::StatusOr<CallResult> Start(
      std::string_view region, absl::Span<const std::string> ids) = 0;

  // Reboots running instances.
  virtual absl::StatusOr<CallResult> Reboot(std::string_view region,
                                            absl::Span<const std::string> ids,
                                            StopMode mode) = 0;

  // Resets the login password of the instances.
  virtual absl::StatusOr<CallResult> ResetPassword(
      std::string_view region, absl::Span<const std::string> ids,
      const ResetPasswordParams& params) = 0;

  // Resets the VNC (remote console) password of the instances. Providers
  // without one (capabilities().vnc_password false) return kUnimplemented.
  virtual absl::StatusOr<CallResult> ResetVncPassword(
      std::string_view region, absl::Span<const std::string> ids,
      const Secret& password) {
    return absl::UnimplementedError("this provider has no VNC password");
  }
};

}  // namespace resetd::clients
