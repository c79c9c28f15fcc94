// An in-memory provider for engine tests: instances with power states that
// change after a delay on a Clock (a FakeClock, or the real clock for tests
// that run the engine's own threads), passwords, the latest operation, a
// call log, and fault switches. Behaves like Tencent CVM by default (reset
// only on stopped instances; result through the latest operation).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "clients/cloud_client.h"
#include "clients/provider_error.h"
#include "tests/fakes/fake_clock.h"

namespace resetd::testing {

struct FakeCall {
  absl::Time time;
  std::string action;  // Describe, Stop, Start, Reboot, ResetPassword
  std::vector<std::string> ids;
  std::string result;      // "OK" or the error code
  std::string request_id;  // the request id its answer carried, if any
};

struct FakeInstance {
  clients::PowerState state = clients::PowerState::kRunning;
  std::string password;
  std::string vnc_password;
  // A pending transition.
  clients::PowerState next_state = clients::PowerState::kUnknown;
  absl::Time next_at = absl::InfiniteFuture();
  std::string op, op_state, op_request_id, op_error;
  absl::Time op_done_at = absl::InfiniteFuture();
  std::string op_final_state = "SUCCESS";
  bool reset_fails = false;   // the next reset ends FAILED
  bool stuck = false;         // transitions never finish
  bool refuse_reset = false;  // any reset batch holding it is refused
};

// Thread-safe.
class FakeCloudClient final : public clients::CloudClient {
 public:
  // `clock` must outlive the client.
  explicit FakeCloudClient(const Clock& clock,
                           absl::Duration transition = absl::Seconds(5))
      : clock_(clock), transition_(transition) {}

  clients::Capabilities& mutable_capabilities() { return caps_; }
  const clients::Capabilities& capabilities() const override { return caps_; }

  void Add(const std::string& id, clients::PowerState state) {
    absl::MutexLock lock(&mu_);
    instances_[id].state = state;
  }
  // Edits an instance under the lock.
  void Edit(const std::string& id,
            const std::function<void(FakeInstance&)>& f) {
    absl::MutexLock lock(&mu_);
    f(instances_[id]);
  }
  FakeInstance Get(const std::string& id) {
    absl::MutexLock lock(&mu_);
    Settle(instances_[id]);
    return instances_[id];
  }
  std::vector<FakeCall> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  // Instances an accepted Stop reached twice with no accepted Start or
  // Reboot in between (resetd must never do that).
  std::vector<std::string> StoppedTwiceWithoutStart();
  // The next `n` calls of `action` ("*" = any) fail with `status`.
  void FailNext(const std::string& action, int n, absl::Status status) {
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < n; ++i) faults_.push_back({action, status});
  }
  // The next `n` calls of `action` are applied, but their answer is lost:
  // they return kUnavailable "may have been applied", as CurlTransport does
  // when the server acted and then dropped the connection. Their call log
  // entry says "AnswerLost".
  void LoseAnswerOfNext(const std::string& action, int n) {
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < n; ++i) lost_answers_.push_back(action);
  }
  // Describe leaves latest_operation_request_id empty (it is nullable).
  void set_hide_request_ids(bool hide) {
    absl::MutexLock lock(&mu_);
    hide_request_ids_ = hide;
  }
  // Called under the lock after every accepted state change (observers).
  void OnChange(
      std::function<void(const std::map<std::string, FakeInstance>&)> f) {
    absl::MutexLock lock(&mu_);
    on_change_ = std::move(f);
  }

  absl::StatusOr<std::vector<clients::InstanceStatus>> Describe(
      std::string_view region, absl::Span<const std::string> ids) override;
  absl::StatusOr<clients::CallResult> Stop(std::string_view region,
                                           absl::Span<const std::string> ids,
                                           clients::StopMode mode) override;
  absl::StatusOr<clients::CallResult> Start(
      std::string_view region, absl::Span<const std::string> ids) override;
  absl::StatusOr<clients::CallResult> Reboot(std::string_view region,
                                             absl::Span<const std::string> ids,
                                             clients::StopMode mode) override;
  absl::StatusOr<clients::CallResult> ResetPassword(
      std::string_view region, absl::Span<const std::string> ids,
      const clients::ResetPasswordParams& params) override;
  absl::StatusOr<clients::CallResult> ResetVncPassword(
      std::string_view region, absl::Span<const std::string> ids,
      const Secret& password) override;

 private:
  struct Fault {
    std::string action;
    absl::Status status;
  };
  void Settle(FakeInstance& i) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Check(const std::string& action,
                     absl::Span<const std::string> ids,
                     clients::PowerState required, const std::string& rid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<clients::CallResult> Transition(
      const std::string& action, absl::Span<const std::string> ids,
      clients::PowerState from, clients::PowerState via,
      clients::PowerState to);
  // `result` unless an answer of `action` is to be lost (LoseAnswerOfNext).
  absl::StatusOr<clients::CallResult> Answer(
      const std::string& action, absl::StatusOr<clients::CallResult> result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NextRequestId() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return "req-" + std::to_string(++request_seq_);
  }

  const Clock& clock_;
  const absl::Duration transition_;
  clients::Capabilities caps_{100,  100, 100,
                              100,  100, clients::ResetEffect::kRequiresStopped,
                              true, true};
  absl::Mutex mu_;
  std::map<std::string, FakeInstance> instances_ ABSL_GUARDED_BY(mu_);
  std::vector<FakeCall> calls_ ABSL_GUARDED_BY(mu_);
  std::deque<Fault> faults_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> lost_answers_ ABSL_GUARDED_BY(mu_);
  std::function<void(const std::map<std::string, FakeInstance>&)> on_change_;
  int request_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool hide_request_ids_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace resetd::testing
