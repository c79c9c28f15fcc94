// The fake cloud's instances and their power/operation state machines.
//
// State advances lazily: every scheduled transition carries the time at which
// it happens, and each call first applies the transitions that are due at
// clock.Now(). Tests therefore drive timing with a fake clock, instantly.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/secret.h"
#include "fakecloud/api_error.h"
#include "fakecloud/password_rules.h"
#include "fakecloud/provider.h"

namespace resetd::fakecloud {

// How one instance starts out.
struct InstanceSpec {
  Provider provider = Provider::kTencentCvm;  // the only API that sees it
  std::string instance_id;  // ins-xxxxxxxx, lhins-xxxxxxxx, ...
  std::string region;       // e.g. ap-guangzhou
  std::string zone;         // e.g. ap-guangzhou-3
  std::string name;
  OsType os_type = OsType::kLinux;
  std::string state = "RUNNING";  // any canonical state (IsKnownState)
  std::string restrict_state = "NORMAL";
  bool stuck = false;        // transitions started on it never finish
  bool reset_fails = false;  // every password reset on it ends FAILED
};

// A point-in-time copy of one instance, as Describe and the admin API show it.
struct InstanceView {
  InstanceSpec spec;                   // spec.state is the initial state
  std::string state;                   // current InstanceState
  std::string latest_operation;        // "" = never operated (null)
  std::string latest_operation_state;  // OPERATING / SUCCESS / FAILED
  std::string latest_operation_request_id;
  std::string latest_operation_error_msg;
  std::string password_digest;  // hex SHA-256 of the password, "" if never set
  // A password accepted in ResetMode::kAppliesAtNextBoot that becomes
  // password_digest when the instance next reaches RUNNING by a start or a
  // reboot; "" if none is waiting.
  std::string staged_password_digest;
  // hex SHA-256 of the VNC (management terminal) password, "" if never set.
  std::string vnc_password_digest;
  // How long the operations begun on it take, end to end (a stuck one's not
  // counted): no client can be done with it sooner. For benchmarks' floors.
  absl::Duration busy;
};

// A delay drawn uniformly from [min, max] for each transition.
struct DelayRange {
  absl::Duration min = absl::ZeroDuration();
  absl::Duration max = absl::ZeroDuration();
};

struct FleetOptions {
  DelayRange transition{absl::Seconds(2), absl::Seconds(6)};  // per power step
  DelayRange reset{absl::Seconds(1), absl::Seconds(3)};       // password write
  uint64_t seed = 1;  // seeds the delay draws
};

enum class PowerAction { kStop, kStart, kReboot };

// Which instances a call may see: those of one provider in one region.
struct Scope {
  Provider provider = Provider::kTencentCvm;
  std::string region;
};

// How a password reset takes effect; each provider's API picks its mode.
enum class ResetMode {
  // CVM: only a STOPPED instance, or a RUNNING one with `force_stop`, which
  // is then stopped, written and started again (RUNNING at the end).
  kRequiresStopped,
  // Lighthouse: a RUNNING instance is shut down by the reset itself (a normal
  // shutdown, then a forced one), the password is written and the instance
  // is left STOPPED. A STOPPED instance stays STOPPED.
  kSelfStopping,
  // Alibaba/Huawei: RUNNING or STOPPED instances accept the password at once
  // (the operation ends SUCCESS after the reset delay, the state does not
  // change), but it only becomes password_digest at the next start or reboot.
  kAppliesAtNextBoot,
};

// A provider's password rule: nullopt if acceptable for `os`, else a reason
// that never quotes the password.
using PasswordCheck = std::optional<std::string> (*)(std::string_view password,
                                                     OsType os);

struct ResetOptions {
  ResetMode mode = ResetMode::kRequiresStopped;
  bool force_stop = false;  // kRequiresStopped only
  // Checked against the strictest OS of the batch (Windows wins); nullptr =
  // no check at all (Huawei accepts anything and fails silently).
  PasswordCheck check = &CheckPassword;
  // The LatestOperation the reset records.
  std::string operation = "ResetInstancesPassword";
  // Overrides FleetOptions::reset for this call (Alibaba's
  // ModifyInstanceAttribute answers synchronously: a zero delay).
  std::optional<DelayRange> write_delay;
};
// Changes an admin may make to one instance at run time.
struct InstancePatch {
  std::optional<std::string> state;  // also cancels pending transitions
  std::optional<bool> stuck;
  std::optional<bool> reset_fails;
};

// Thread-safe: every method takes the fleet's mutex.
class Fleet {
 public:
  Fleet(const Clock& clock, FleetOptions options,
        std::vector<InstanceSpec> instances);
  ~Fleet();

  // The instances of `scope` named by `ids` (all of the scope's instances,
  // in creation order, if `ids` is empty). Unknown ids, and those of another
  // provider or region, are skipped, as the real DescribeInstances does.
  std::vector<InstanceView> Describe(const Scope& scope,
                                     const std::vector<std::string>& ids);
  // Describe() for the CVM instances of `region`.
  std::vector<InstanceView> Describe(const std::string& region,
                                     const std::vector<std::string>& ids);

  // Stops, starts or reboots every instance of `ids` in `scope`, or none:
  // returns InvalidInstanceId.NotFound, UnsupportedOperation.InstanceState*
  // or OperationDenied.InstanceOperationInProgress if any instance cannot
  // (canonical codes; ApiError::subjects names the instances). Records
  // `request_id` as each instance's LatestOperationRequestId.
  std::optional<ApiError> Power(PowerAction action, const Scope& scope,
                                const std::vector<std::string>& ids,
                                const std::string& request_id);
  // Power() on the CVM instances of `region`.
  std::optional<ApiError> Power(PowerAction action, const std::string& region,
                                const std::vector<std::string>& ids,
                                const std::string& request_id);

  // Resets the password of every instance of `ids` in `scope`, or none, as
  // `options.mode` describes. Besides the errors of Power, returns
  // InvalidParameterValue.InvalidPassword if `options.check` rejects
  // `password` for the strictest OS of the batch. Only the password's
  // SHA-256 is kept.
  std::optional<ApiError> ResetPassword(const Scope& scope,
                                        const std::vector<std::string>& ids,
                                        const Secret& password,
                                        const ResetOptions& options,
                                        const std::string& request_id);
  // ResetPassword() on the CVM instances of `region`, kRequiresStopped.
  std::optional<ApiError> ResetPassword(const std::string& region,
                                        const std::vector<std::string>& ids,
                                        const Secret& password, bool force_stop,
                                        const std::string& request_id);

  // Sets the VNC password of every instance of `ids` in `scope`, or none
  // (InvalidInstanceId.NotFound). Only its SHA-256 is kept; the power and
  // operation state are not touched.
  std::optional<ApiError> SetVncPassword(const Scope& scope,
                                         const std::vector<std::string>& ids,
                                         const Secret& password);

  // Every instance of every region, in creation order.
  std::vector<InstanceView> Snapshot();

  // Applies `patch` to `instance_id`. Returns false if there is no such id.
  bool Patch(const std::string& instance_id, const InstancePatch& patch);

  // Replaces the delay ranges used by transitions scheduled from now on.
  void SetDelays(DelayRange transition, DelayRange reset);

 private:
  struct Step;
  struct Instance;
  enum class Op { kStop, kStart, kReboot, kReset };

  void AdvanceLocked(Instance& instance, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<ApiError> FindLocked(const Scope& scope,
                                     const std::vector<std::string>& ids,
                                     std::vector<Instance*>* found)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<ApiError> CheckStatesLocked(
      Op op, const std::vector<Instance*>& targets, const ResetOptions& reset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void BeginLocked(Op op, Instance& instance, const std::string& request_id,
                   const ResetOptions& reset, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ScheduleResetLocked(Instance& instance, const ResetOptions& reset,
                           absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SchedulePowerLocked(Op op, Instance& instance, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Time AfterLocked(const Instance& instance, const DelayRange& range,
                         absl::Time* t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration DrawLocked(const DelayRange& range)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  InstanceView ViewLocked(const Instance& instance) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  absl::Mutex mu_;
  FleetOptions options_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  std::vector<Instance> instances_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, size_t> index_ ABSL_GUARDED_BY(mu_);  // id -> slot
};

// The UnsupportedOperation.InstanceState* code for an instance in `state`
// (e.g. "STOPPED" -> "UnsupportedOperation.InstanceStateStopped").
std::string UnsupportedStateCode(const std::string& state);

// Whether `state` is a canonical state: an InstanceState of the CVM
// reference, or one of Lighthouse's own (DELETING, FREEZING).
bool IsKnownState(const std::string& state);

}  // namespace resetd::fakecloud
