#include "clients/tencent/tencent_wire.h"

#include <ostream>
#include <streambuf>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>

#include "clients/provider_error.h"

namespace resetd::clients::tencent {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

// "" for a missing, null or non-string field.
std::string StringField(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// Same code and payloads as `status`, another message.
absl::Status WithMessage(const absl::Status& status, std::string message) {
  absl::Status out(status.code(), message);
  status.ForEachPayload([&out](auto type_url, const absl::Cord& payload) {
    out.SetPayload(type_url, payload);
  });
  return out;
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

absl::Status HttpError(std::string_view action,
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
  std::string message =
      std::string(action) + ": HTTP " + std::to_string(response.status);
  if (!error.code.empty()) message += " " + error.code + ": " + error.message;
  if (error.message.empty())
    error.message = "HTTP " + std::to_string(response.status);
  return WithMessage(MakeProviderStatus(code, error), message);
}

absl::Status UnparseableError(std::string_view action,
                              const http::HttpResponse& response) {
  ProviderError error;
  error.http_status = response.status;
  error.message = "unparseable response";
  return WithMessage(MakeProviderStatus(absl::StatusCode::kInternal, error),
                     std::string(action) + ": unparseable response (HTTP " +
                         std::to_string(response.status) + ", " +
                         std::to_string(response.body.size()) + " bytes)");
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
  if (EndsWith(s, "SERVICE_LIVE_MIGRATE")) return PowerState::kMigrating;
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

absl::StatusCode TencentErrorCode(std::string_view c) {
  using C = absl::StatusCode;
  if (StartsWith(c, "RequestLimitExceeded")) return C::kResourceExhausted;
  if (StartsWith(c, "InternalError") || c == "InternalServerError" ||
      StartsWith(c, "ResourceInUse") || StartsWith(c, "ResourceUnavailable") ||
      c == "OperationDenied.InstanceOperationInProgress") {
    return C::kUnavailable;
  }
  if (StartsWith(c, "UnsupportedOperation") ||
      StartsWith(c, "OperationDenied") ||
      StartsWith(c, "ResourceInsufficient") || StartsWith(c, "LimitExceeded") ||
      c == "InvalidInstance.NotSupported") {
    return C::kFailedPrecondition;
  }
  if (c == "InvalidInstanceId.NotFound") return C::kNotFound;
  if (StartsWith(c, "InvalidInstanceId") || StartsWith(c, "InvalidParameter") ||
      c == "InvalidPassword" || c == "MissingParameter" ||
      c == "UnknownParameter" || c == "InvalidAction") {
    return C::kInvalidArgument;
  }
  if (c == "AuthFailure.UnauthorizedOperation" ||
      StartsWith(c, "UnauthorizedOperation")) {
    return C::kPermissionDenied;
  }
  if (StartsWith(c, "AuthFailure")) return C::kUnauthenticated;
  return C::kUnknown;
}

absl::StatusOr<nlohmann::json> ParseTencentResponse(
    std::string_view action, const http::HttpResponse& response) {
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200) return HttpError(action, response, parsed);
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

absl::Status RedactStatus(const absl::Status& status, std::string_view secret) {
  if (secret.empty() || status.ok()) return status;
  std::string message(status.message());
  ReplaceAll(message, secret, "***");
  absl::Status out = WithMessage(status, std::move(message));
  if (std::optional<ProviderError> error = GetProviderError(status)) {
    ReplaceAll(error->message, secret, "***");
    out.SetPayload(kProviderErrorPayloadUrl,
                   *MakeProviderStatus(status.code(), *error)
                        .GetPayload(kProviderErrorPayloadUrl));
  }
  return out;
}

namespace {

// An ostream that appends to a string whose capacity the caller reserved,
// so serialising a password leaves no reallocated copies behind.
class AppendBuf final : public std::streambuf {
 public:
  explicit AppendBuf(std::string& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) out_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<size_t>(n));
    return n;
  }

 private:
  std::string& out_;
};

}  // namespace

absl::StatusOr<std::string> SerializeBody(const nlohmann::ordered_json& body,
                                          size_t reserve) {
  std::string out;
  try {
    if (reserve == 0) return body.dump();
    out.reserve(reserve);
    AppendBuf buf(out);
    std::ostream stream(&buf);
    stream << body;
  } catch (const nlohmann::ordered_json::exception&) {
    // nlohmann's message would quote the offending bytes; keep them out.
    WipeString(out);
    return absl::InvalidArgumentError("request parameters are not valid UTF-8");
  }
  return out;
}

}  // namespace resetd::clients::tencent
