#include "clients/tencent/tencent_wire.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "clients/provider_error.h"
#include "clients/wire_util.h"

namespace resetd::clients::tencent {
namespace {

// A non-200 answer: its code by HTTP status (the gateway's, not an API
// error's), and the provider's code and request id when the body has them.
absl::Status TencentHttpError(std::string_view action,
                              const http::HttpResponse& response,
                              const nlohmann::json& parsed) {
  ProviderError error;
  error.http_status = response.status;
  if (parsed.is_object() && parsed.contains("Response") &&
      parsed["Response"].is_object()) {
    const nlohmann::json& r = parsed["Response"];
    error.request_id = StringField(r, "RequestId");
    if (r.contains("Error") && r["Error"].is_object()) {
      error.code = StringField(r["Error"], "Code");
      error.message = StringField(r["Error"], "Message");
    }
  }
  absl::StatusCode code = absl::StatusCode::kUnknown;
  if (response.status == 429) {
    code = absl::StatusCode::kResourceExhausted;
  } else if (response.status >= 500 && response.status <= 599) {
    code = absl::StatusCode::kUnavailable;
  }
  return HttpError(action, code, std::move(error));
}

absl::Status ApiError(std::string_view action, int http_status,
                      const nlohmann::json& r) {
  ProviderError error;
  error.http_status = http_status;
  error.request_id = StringField(r, "RequestId");
  error.code = StringField(r["Error"], "Code");
  error.message = StringField(r["Error"], "Message");
  return WithMessage(MakeProviderStatus(TencentErrorCode(error.code), error),
                     std::string(action) + ": " + error.code + ": " +
                         error.message + " (RequestId " + error.request_id +
                         ")");
}

}  // namespace

PowerState TencentPowerState(std::string_view s) {
  if (s == "RUNNING") return PowerState::kRunning;
  if (s == "STOPPED") return PowerState::kStopped;
  if (s == "STARTING") return PowerState::kStarting;
  if (s == "STOPPING") return PowerState::kStopping;
  if (s == "REBOOTING") return PowerState::kRebooting;
  if (s == "PENDING") return PowerState::kPending;
  if (s == "LAUNCH_FAILED") return PowerState::kLaunchFailed;
  if (s == "SHUTDOWN") return PowerState::kShutdown;
  if (s == "TERMINATING") return PowerState::kTerminating;
  if (s == "ENTER_RESCUE_MODE" || s == "RESCUE_MODE" ||
      s == "EXIT_RESCUE_MODE") {
    return PowerState::kRescue;
  }
  if (absl::EndsWith(AbslView(s), "SERVICE_LIVE_MIGRATE")) {
    return PowerState::kMigrating;
  }
  return PowerState::kUnknown;
}

std::string_view TencentStopType(StopMode mode) {
  switch (mode) {
    case StopMode::kSoft:
      return "SOFT";
    case StopMode::kSoftThenForce:
      return "SOFT_FIRST";
    case StopMode::kForce:
      return "HARD";
  }
  return "SOFT_FIRST";
}

absl::StatusCode TencentErrorCode(std::string_view code) {
  using C = absl::StatusCode;
  const absl::string_view c = AbslView(code);
  if (absl::StartsWith(c, "RequestLimitExceeded")) return C::kResourceExhausted;
  if (absl::StartsWith(c, "InternalError") || c == "InternalServerError" ||
      absl::StartsWith(c, "ResourceInUse") ||
      absl::StartsWith(c, "ResourceUnavailable") ||
      c == "OperationDenied.InstanceOperationInProgress") {
    return C::kUnavailable;
  }
  if (absl::StartsWith(c, "UnsupportedOperation") ||
      absl::StartsWith(c, "OperationDenied") ||
      absl::StartsWith(c, "ResourceInsufficient") ||
      absl::StartsWith(c, "LimitExceeded") ||
      c == "InvalidInstance.NotSupported") {
    return C::kFailedPrecondition;
  }
  if (c == "InvalidInstanceId.NotFound") return C::kNotFound;
  if (absl::StartsWith(c, "InvalidInstanceId") ||
      absl::StartsWith(c, "InvalidParameter") || c == "InvalidPassword" ||
      c == "MissingParameter" || c == "UnknownParameter" ||
      c == "InvalidAction") {
    return C::kInvalidArgument;
  }
  if (c == "AuthFailure.UnauthorizedOperation" ||
      absl::StartsWith(c, "UnauthorizedOperation")) {
    return C::kPermissionDenied;
  }
  if (absl::StartsWith(c, "AuthFailure")) return C::kUnauthenticated;
  return C::kUnknown;
}

absl::StatusOr<nlohmann::json> ParseTencentResponse(
    std::string_view action, const http::HttpResponse& response) {
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200) {
    return TencentHttpError(action, response, parsed);
  }
  if (!parsed.is_object() || !parsed.contains("Response") ||
      !parsed["Response"].is_object()) {
    return UnparseableError(action, response);
  }
  nlohmann::json& r = parsed["Response"];
  if (r.contains("Error")) {
    if (!r["Error"].is_object()) return UnparseableError(action, response);
    return ApiError(action, response.status, r);
  }
  return std::move(r);
}

std::vector<std::string> IdsNamedInMessage(std::string_view message,
                                           absl::Span<const std::string> ids) {
  // Whole tokens only: "ins-1" must not match inside "ins-12".
  auto is_id_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  };
  std::vector<std::string> named;
  for (const std::string& id : ids) {
    if (id.empty()) continue;
    for (size_t pos = message.find(id); pos != std::string_view::npos;
         pos = message.find(id, pos + 1)) {
      const size_t end = pos + id.size();
      if ((pos == 0 || !is_id_char(message[pos - 1])) &&
          (end == message.size() || !is_id_char(message[end]))) {
        if (std::find(named.begin(), named.end(), id) == named.end()) {
          named.push_back(id);
        }
        break;
      }
    }
  }
  return named;
}

InstanceStatus ParseTencentInstance(const nlohmann::json& instance) {
  InstanceStatus status;
  status.instance_id = StringField(instance, "InstanceId");
  status.provider_state = StringField(instance, "InstanceState");
  status.state = TencentPowerState(status.provider_state);
  status.latest_operation = StringField(instance, "LatestOperation");
  status.latest_operation_state = StringField(instance, "LatestOperationState");
  status.latest_operation_request_id =
      StringField(instance, "LatestOperationRequestId");
  status.latest_operation_error =
      StringField(instance, "LatestOperationErrorMsg");
  return status;
}

}  // namespace resetd::clients::tencent
