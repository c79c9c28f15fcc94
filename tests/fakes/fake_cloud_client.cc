#include "tests/fakes/fake_cloud_client.h"

#include <algorithm>

namespace resetd::testing {

using clients::PowerState;

namespace {
absl::Status ProviderStatus(absl::StatusCode code, const std::string& pcode,
                            const std::string& msg, const std::string& rid) {
  return clients::MakeProviderStatus(code, {pcode, msg, rid, 200});
}
}  // namespace

void FakeCloudClient::Settle(FakeInstance& i) {
  const absl::Time now = clock_.Now();
  if (!i.stuck && i.next_at <= now) {
    i.state = i.next_state;
    i.next_at = absl::InfiniteFuture();
    i.next_state = PowerState::kUnknown;
  }
  if (!i.stuck && i.op_done_at <= now) {
    i.op_state = i.op_final_state;
    i.op_done_at = absl::InfiniteFuture();
  }
}

absl::Status FakeCloudClient::Check(const std::string& action,
                                    absl::Span<const std::string> ids,
                                    PowerState required,
                                    const std::string& rid) {
  calls_.push_back({clock_.Now(), action, {ids.begin(), ids.end()}, "OK", rid});
  auto fail = [&](absl::Status s) {
    auto pe = clients::GetProviderError(s);
    calls_.back().result = pe ? pe->code : "ERROR";
    calls_.back().request_id = pe ? pe->request_id : "";
    return s;
  };
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->action == "*" || it->action == action) {
      absl::Status s = it->status;
      faults_.erase(it);
      return fail(s);
    }
  }
  if (static_cast<int>(ids.size()) > 100) {
    return fail(ProviderStatus(absl::StatusCode::kInvalidArgument,
                               "InvalidParameterValue.LimitExceeded",
                               "too many ids", rid));
  }
  for (const auto& id : ids) {
    auto it = instances_.find(id);
    if (it == instances_.end()) {
      return fail(ProviderStatus(absl::StatusCode::kNotFound,
                                 "InvalidInstanceId.NotFound", id, rid));
    }
    Settle(it->second);
    if (required != PowerState::kUnknown && it->second.state != required) {
      return fail(ProviderStatus(
          absl::StatusCode::kFailedPrecondition,
          "UnsupportedOperation.InstanceState" +
              std::string(clients::PowerStateName(it->second.state)),
          id, rid));
    }
    if (it->second.op_state == "OPERATING") {
      return fail(ProviderStatus(absl::StatusCode::kUnavailable,
                                 "OperationDenied.InstanceOperationInProgress",
                                 id, rid));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<clients::CallResult> FakeCloudClient::Answer(
    const std::string& action, absl::StatusOr<clients::CallResult> result) {
  auto it = std::find(lost_answers_.begin(), lost_answers_.end(), action);
  if (!result.ok() || it == lost_answers_.end()) return result;
  lost_answers_.erase(it);
  calls_.back().result = "AnswerLost";
  calls_.back().request_id = "";
  return absl::UnavailableError(
      "POST https://fake: the connection dropped before an answer; the "
      "request may have been applied (not re-sent)");
}

absl::StatusOr<std::vector<clients::InstanceStatus>> FakeCloudClient::Describe(
    std::string_view, absl::Span<const std::string> ids) {
  absl::MutexLock lock(&mu_);
  calls_.push_back({clock_.Now(), "Describe", {ids.begin(), ids.end()}, "OK"});
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->action == "Describe") {
      absl::Status s = it->status;
      faults_.erase(it);
      calls_.back().result = "ERROR";
      return s;
    }
  }
  std::vector<clients::InstanceStatus> out;
  for (const auto& id : ids) {
    auto it = instances_.find(id);
    if (it == instances_.end()) continue;
    Settle(it->second);
    const FakeInstance& i = it->second;
    clients::InstanceStatus s;
    s.instance_id = id;
    s.state = i.state;
    s.provider_state = std::string(clients::PowerStateName(i.state));
    s.latest_operation = i.op;
    s.latest_operation_state = i.op_state;
    s.latest_operation_request_id = hide_request_ids_ ? "" : i.op_request_id;
    s.latest_operation_error = i.op_state == "FAILED" ? i.op_error : "";
    out.push_back(s);
  }
  return out;
}

absl::StatusOr<clients::CallResult> FakeCloudClient::Transition(
    const std::string& action, absl::Span<const std::string> ids,
    PowerState from, PowerState via, PowerState to) {
  absl::MutexLock lock(&mu_);
  const std::string rid = NextRequestId();
  if (auto s = Check(action, ids, from, rid); !s.ok()) return s;
  for (const auto& id : ids) {
    FakeInstance& i = instances_[id];
    i.state = via;
    i.next_state = to;
    i.next_at = clock_.Now() + transition_;
    i.op = action;
    i.op_state = "OPERATING";
    i.op_request_id = rid;
    i.op_final_state = "SUCCESS";
    i.op_done_at = i.next_at;
  }
  if (on_change_) on_change_(instances_);
  return Answer(action, clients::CallResult{rid});
}

absl::StatusOr<clients::CallResult> FakeCloudClient::Stop(
    std::string_view, absl::Span<const std::string> ids, clients::StopMode) {
  return Transition("Stop", ids, PowerState::kRunning, PowerState::kStopping,
                    PowerState::kStopped);
}

absl::StatusOr<clients::CallResult> FakeCloudClient::Start(
    std::string_view, absl::Span<const std::string> ids) {
  return Transition("Start", ids, PowerState::kStopped, PowerState::kStarting,
                    PowerState::kRunning);
}

absl::StatusOr<clients::CallResult> FakeCloudClient::Reboot(
    std::string_view, absl::Span<const std::string> ids, clients::StopMode) {
  return Transition("Reboot", ids, PowerState::kRunning, PowerState::kRebooting,
                    PowerState::kRunning);
}

absl::StatusOr<clients::CallResult> FakeCloudClient::ResetPassword(
    std::string_view, absl::Span<const std::string> ids,
    const clients::ResetPasswordParams& params) {
  absl::MutexLock lock(&mu_);
  const std::string rid = NextRequestId();
  PowerState required =
      caps_.reset_effect == clients::ResetEffect::kRequiresStopped
          ? PowerState::kStopped
          : PowerState::kUnknown;
  if (auto s = Check("ResetPassword", ids, required, rid); !s.ok()) return s;
  for (const auto& id : ids) {
    if (instances_[id].refuse_reset) {
      calls_.back().result = "InvalidParameter.Refused";
      return ProviderStatus(absl::StatusCode::kInvalidArgument,
                            "InvalidParameter.Refused", "refused " + id, rid);
    }
  }
  for (const auto& id : ids) {
    FakeInstance& i = instances_[id];
    i.op = "ResetInstancesPassword";
    i.op_state = "OPERATING";
    i.op_request_id = rid;
    i.op_done_at = clock_.Now() + transition_;
    i.op_final_state = i.reset_fails ? "FAILED" : "SUCCESS";
    i.op_error = i.reset_fails ? "the guest agent did not answer" : "";
    if (!i.reset_fails) i.password = std::string(params.password.Reveal());
    if (caps_.reset_effect == clients::ResetEffect::kRestartsItself &&
        i.state == PowerState::kRunning) {
      // Like Lighthouse: the reset shuts the instance down itself and
      // leaves it stopped.
      i.state = PowerState::kStopping;
      i.next_state = PowerState::kStopped;
      i.next_at = i.op_done_at;
    }
  }
  if (on_change_) on_change_(instances_);
  return Answer("ResetPassword", clients::CallResult{rid});
}

absl::StatusOr<clients::CallResult> FakeCloudClient::ResetVncPassword(
    std::string_view, absl::Span<const std::string> ids,
    const Secret& password) {
  absl::MutexLock lock(&mu_);
  const std::string rid = NextRequestId();
  if (!caps_.vnc_password) {
    return absl::UnimplementedError("this provider has no VNC password");
  }
  if (auto s = Check("ResetVncPassword", ids, PowerState::kUnknown, rid);
      !s.ok()) {
    return s;
  }
  for (const auto& id : ids) {
    instances_[id].vnc_password = std::string(password.Reveal());
  }
  return clients::CallResult{rid};
}

std::vector<std::string> FakeCloudClient::StoppedTwiceWithoutStart() {
  std::map<std::string, bool> stopped;
  std::vector<std::string> out;
  for (const auto& c : calls()) {
    if (c.result != "OK") continue;
    for (const auto& id : c.ids) {
      if (c.action == "Stop") {
        if (stopped[id]) out.push_back(id);
        stopped[id] = true;
      } else if (c.action == "Start" || c.action == "Reboot") {
        stopped[id] = false;
      }
    }
  }
  return out;
}

}  // namespace resetd::testing
