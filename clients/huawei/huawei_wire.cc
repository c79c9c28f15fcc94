#include "clients/huawei/huawei_wire.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "clients/provider_error.h"
#include "clients/wire_util.h"

namespace resetd::clients::huawei {
namespace {

using C = absl::StatusCode;

bool OneOf(std::string_view s, std::initializer_list<std::string_view> list) {
  for (std::string_view item : list) {
    if (s == item) return true;
  }
  return false;
}

PowerState FromTaskState(std::string_view task_state) {
  const absl::string_view task = AbslView(task_state);
  if (task == "powering-off") return PowerState::kStopping;
  if (task == "powering-on") return PowerState::kStarting;
  if (absl::StartsWith(task, "reboot")) return PowerState::kRebooting;
  if (task == "deleting") return PowerState::kTerminating;
  if (task == "migrating" || absl::StartsWith(task, "resize_")) {
    return PowerState::kMigrating;
  }
  if (absl::StartsWith(task, "rebuild")) return PowerState::kPending;
  if (absl::StartsWith(task, "shelving")) return PowerState::kShutdown;
  return PowerState::kUnknown;  // no transition that matters
}

PowerState FromStatus(std::string_view s) {
  if (s == "ACTIVE") return PowerState::kRunning;
  if (s == "SHUTOFF") return PowerState::kStopped;
  if (s == "REBOOT" || s == "HARD_REBOOT") return PowerState::kRebooting;
  if (s == "BUILD" || s == "REBUILD") return PowerState::kPending;
  if (s == "ERROR") return PowerState::kLaunchFailed;
  if (s == "DELETED") return PowerState::kTerminating;
  if (s == "SHELVED" || s == "SHELVED_OFFLOADED") return PowerState::kShutdown;
  if (OneOf(s, {"MIGRATING", "RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE"})) {
    return PowerState::kMigrating;
  }
  return PowerState::kUnknown;
}

// The code by HTTP status alone.
C ByHttpStatus(int status) {
  if (status == 401) return C::kUnauthenticated;
  if (status == 403) return C::kPermissionDenied;
  if (status == 409) return C::kFailedPrecondition;
  if (status == 429) return C::kResourceExhausted;
  if (status >= 500 && status <= 599) return C::kUnavailable;
  return C::kUnknown;
}

std::optional<C> ByGatewayCode(std::string_view c) {
  if (c == "0308") return C::kResourceExhausted;
  if (OneOf(c, {"0301", "0303", "0305", "0307"})) return C::kUnauthenticated;
  if (OneOf(c, {"0302", "0304", "0306"})) return C::kPermissionDenied;
  if (c == "0101" || c == "0201") return C::kInvalidArgument;
  return std::nullopt;
}

std::optional<C> ByEcsCode(std::string_view c) {
  if (c == "Ecs.0114" || c == "Ecs.0614") return C::kNotFound;
  if (OneOf(c,
            {"Ecs.0000", "Ecs.0005", "Ecs.0011", "Ecs.0118", "Common.0002"})) {
    return C::kInvalidArgument;
  }
  if (OneOf(c,
            {"Ecs.0100", "Ecs.0605", "Ecs.0030", "Ecs.0023", "Common.0018"})) {
    return C::kFailedPrecondition;
  }
  if (OneOf(c, {"Ecs.0003", "Ecs.0066", "Ecs.0067", "Ecs.0068", "Ecs.0069",
                "Ecs.0070", "Ecs.0071", "Ecs.0110", "Pdp.0001"})) {
    return C::kPermissionDenied;
  }
  if (c == "Common.0013") return C::kUnauthenticated;
  if (c == "Common.1503" || c == "Common.0024") return C::kResourceExhausted;
  if (OneOf(c, {"Ecs.0603", "Ecs.0002", "Ecs.0226", "Ecs.0227", "Ecs.0301",
                "Ecs.0611", "Common.0001", "Common.0020", "Common.0021",
                "Common.0022", "Common.0999"}) ||
      (absl::StartsWith(AbslView(c), "Ecs.1") && c.size() == 8)) {
    return C::kUnavailable;
  }
  return std::nullopt;
}

// A non-2xx answer, with the request id of the X-Request-Id header and the
// code and message of either error body form.
absl::Status HuaweiHttpError(std::string_view action,
                             const http::HttpResponse& response,
                             const nlohmann::json& body) {
  ProviderError error;
  error.http_status = response.status;
  if (const std::string* id = response.Header("x-request-id")) {
    error.request_id = *id;
  }
  const nlohmann::json* nested =
      body.is_object() && body.contains("error") ? &body["error"] : nullptr;
  error.code =
      StringField(nested ? *nested : body, nested ? "code" : "error_code");
  error.message =
      StringField(nested ? *nested : body, nested ? "message" : "error_msg");
  const C code = HuaweiErrorCode(error.code, response.status);
  return HttpError(action, code, std::move(error), "X-Request-Id");
}

}  // namespace

PowerState HuaweiPowerState(std::string_view status,
                            std::string_view task_state, bool locked) {
  PowerState state = FromStatus(status);
  if (state == PowerState::kRunning || state == PowerState::kStopped) {
    const PowerState transition = FromTaskState(task_state);
    const bool wrong_way =
        (state == PowerState::kRunning &&
         transition == PowerState::kStarting) ||
        (state == PowerState::kStopped && transition == PowerState::kStopping);
    if (transition != PowerState::kUnknown && !wrong_way) state = transition;
  }
  if (locked && state != PowerState::kTerminating)
    state = PowerState::kShutdown;
  return state;
}

std::string_view HuaweiStopType(StopMode mode) {
  return mode == StopMode::kForce ? "HARD" : "SOFT";
}

absl::StatusCode HuaweiErrorCode(std::string_view code, int http_status) {
  std::optional<C> mapped;
  if (absl::StartsWith(AbslView(code), "APIGW.")) {
    mapped = ByGatewayCode(code.substr(6));
  } else if (absl::StartsWith(AbslView(code), "APIG.")) {
    mapped = ByGatewayCode(code.substr(5));
  } else {
    mapped = ByEcsCode(code);
  }
  return mapped.has_value() ? *mapped : ByHttpStatus(http_status);
}

absl::StatusOr<nlohmann::json> ParseHuaweiResponse(
    std::string_view action, const http::HttpResponse& response) {
  const bool empty =
      response.body.find_first_not_of(" \t\r\n") == std::string::npos;
  nlohmann::json body =
      empty ? nlohmann::json()
            : nlohmann::json::parse(response.body, nullptr, false);
  if (response.status < 200 || response.status > 299) {
    return HuaweiHttpError(action, response, body);
  }
  if (body.is_discarded()) {
    return UnparseableError(action, response, "x-request-id");
  }
  return body;
}

InstanceStatus ParseHuaweiServer(const nlohmann::json& server) {
  InstanceStatus status;
  status.instance_id = StringField(server, "id");
  const std::string word = StringField(server, "status");
  const std::string task = StringField(server, "OS-EXT-STS:task_state");
  auto locked_it = server.is_object() ? server.find("locked") : server.end();
  const bool locked = server.is_object() && locked_it != server.end() &&
                      locked_it->is_boolean() && locked_it->get<bool>();
  status.state = HuaweiPowerState(word, task, locked);
  status.provider_state = word;
  if (!task.empty()) status.provider_state += "/" + task;
  if (locked) status.provider_state += " (locked)";
  return status;
}

}  // namespace resetd::clients::huawei
