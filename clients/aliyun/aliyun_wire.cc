#include "clients/aliyun/aliyun_wire.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "clients/provider_error.h"
#include "clients/wire_util.h"

namespace resetd::clients::aliyun {
namespace {

bool StartsWithAny(absl::string_view s,
                   std::initializer_list<absl::string_view> prefixes) {
  for (absl::string_view prefix : prefixes) {
    if (absl::StartsWith(s, prefix)) return true;
  }
  return false;
}

// The first of `keys` that the object has as a non-empty field (ECS answers
// some, e.g. Code, as a string or as a number).
std::string AnyField(const nlohmann::json& object,
                     std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    std::string value = StringOrIntegerField(object, key);
    if (!value.empty()) return value;
  }
  return "";
}

// Text of the first <tag>...</tag> in `xml`; "" when absent.
std::string XmlElement(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const size_t begin = xml.find(open);
  if (begin == std::string_view::npos) return "";
  const size_t start = begin + open.size();
  const size_t end = xml.find(close, start);
  if (end == std::string_view::npos) return "";
  return std::string(xml.substr(start, end - start));
}

bool IsSuccessCode(std::string_view code) {
  return code.empty() || code == "200" || code == "OK" || code == "Success" ||
         code == "success";
}

// Code, message and request id of an error answer (JSON or XML body).
ProviderError ErrorFields(const http::HttpResponse& response,
                          const nlohmann::json& parsed) {
  ProviderError error;
  error.http_status = response.status;
  if (parsed.is_object()) {
    error.code = AnyField(parsed, {"Code", "code"});
    error.message = AnyField(parsed, {"Message", "message"});
    error.request_id = AnyField(parsed, {"RequestId", "requestId"});
  } else if (response.body.find("<Error>") != std::string::npos) {
    error.code = XmlElement(response.body, "Code");
    error.message = XmlElement(response.body, "Message");
    error.request_id = XmlElement(response.body, "RequestId");
  }
  if (error.request_id.empty()) {
    if (const std::string* id = response.Header("x-acs-request-id")) {
      error.request_id = *id;
    }
  }
  return error;
}

absl::Status ApiError(std::string_view action, ProviderError error) {
  const absl::StatusCode code = AliyunErrorCode(error.code, error.http_status);
  std::string message = std::string(action) + ": ";
  if (error.code.empty()) {
    message += "HTTP " + std::to_string(error.http_status);
    error.code = "HTTP " + std::to_string(error.http_status);
  } else {
    message += error.code + ": " + error.message + " (HTTP " +
               std::to_string(error.http_status) + ")";
  }
  if (!error.request_id.empty()) {
    message += " RequestId " + error.request_id;
  }
  return WithMessage(MakeProviderStatus(code, error), std::move(message));
}

}  // namespace

PowerState AliyunPowerState(std::string_view s) {
  if (s == "Running") return PowerState::kRunning;
  if (s == "Stopped") return PowerState::kStopped;
  if (s == "Starting") return PowerState::kStarting;
  if (s == "Stopping") return PowerState::kStopping;
  if (s == "Pending") return PowerState::kPending;
  return PowerState::kUnknown;
}

absl::StatusCode AliyunErrorCode(std::string_view code, int http_status) {
  using C = absl::StatusCode;
  const absl::string_view c = AbslView(code);
  if (c.find("Throttling") != absl::string_view::npos || http_status == 429) {
    return C::kResourceExhausted;
  }
  if (c == "InvalidInstanceId.NotFound" || c == "NoSuchResource") {
    return C::kNotFound;
  }
  if (StartsWithAny(c, {"InvalidAccessKeyId", "InvalidAccessKeySecret",
                        "SignatureDoesNotMatch", "IncompleteSignature",
                        "InvalidSecurityToken", "InvalidTimeStamp",
                        "IllegalTimestamp", "Forbidden.AccessKeyDisabled"})) {
    return C::kUnauthenticated;
  }
  if (StartsWithAny(
          c, {"Forbidden", "NoPermission", "RealNameAuthenticationError"}) ||
      c == "InvalidUser.Unauthorized" || absl::EndsWith(c, ".Forbidden")) {
    return C::kPermissionDenied;
  }
  if (StartsWithAny(
          c, {"IncorrectInstanceStatus", "OperationConflict",
              "InstanceNotReady", "ServiceUnavailable", "InternalError",
              "UnknownError", "LastTokenProcessing", "SignatureNonceUsed"})) {
    return C::kUnavailable;
  }
  if (StartsWithAny(
          c, {"InstanceLockedForSecurity", "InvalidStatus.",
              "InvalidInstanceStatus.", "InvalidOperation.InvalidEcsState",
              "OperationDenied", "ChargeTypeViolation", "InsufficientBalance",
              "QuotaExceed"})) {
    return C::kFailedPrecondition;
  }
  if (StartsWithAny(
          c, {"InvalidPassword", "InvalidHostPassword", "IncorrectVncPassword",
              "InvalidVncPassword", "InvalidParameter", "InvalidParamater",
              "MissingParameter", "UnsupportedParameter", "InvalidInstanceId",
              "InvalidRegionId", "InvalidAction",
              "IdempotentParameterMismatch"}) ||
      absl::EndsWith(c, ".Malformed")) {
    return C::kInvalidArgument;
  }
  if (http_status >= 500 && http_status <= 599) return C::kUnavailable;
  return C::kUnknown;
}

absl::StatusOr<nlohmann::json> ParseAliyunResponse(
    std::string_view action, const http::HttpResponse& response) {
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status >= 400 && response.status <= 599) {
    return ApiError(action, ErrorFields(response, parsed));
  }
  if (response.status < 200 || response.status > 299 || !parsed.is_object()) {
    return UnparseableError(action, response, "x-acs-request-id");
  }
  if (!IsSuccessCode(AnyField(parsed, {"Code", "code"}))) {
    return ApiError(action, ErrorFields(response, parsed));
  }
  return parsed;
}

absl::Status CheckInstanceResponses(std::string_view action,
                                    const nlohmann::json& body) {
  auto outer = body.find("InstanceResponses");
  if (outer == body.end() || !outer->is_object()) return absl::OkStatus();
  auto list = outer->find("InstanceResponse");
  if (list == outer->end() || !list->is_array()) return absl::OkStatus();
  ProviderError first;
  std::string failures;
  size_t failed = 0;
  for (const nlohmann::json& r : *list) {
    const std::string code = StringOrIntegerField(r, "Code");
    if (IsSuccessCode(code)) continue;
    const std::string id = StringOrIntegerField(r, "InstanceId");
    const std::string message = StringOrIntegerField(r, "Message");
    if (failed++ == 0) first.code = code;
    if (!failures.empty()) failures += "; ";
    failures += id + " " + code + ": " + message;
  }
  if (failed == 0) return absl::OkStatus();
  first.http_status = 200;
  first.request_id = StringOrIntegerField(body, "RequestId");
  first.message = std::to_string(failed) + " of " +
                  std::to_string(list->size()) +
                  " instances failed: " + failures;
  return WithMessage(MakeProviderStatus(AliyunErrorCode(first.code, 0), first),
                     std::string(action) + ": " + first.code + ": " +
                         first.message + " RequestId " + first.request_id);
}

InstanceStatus ParseAliyunInstance(const nlohmann::json& instance) {
  InstanceStatus status;
  status.instance_id = StringOrIntegerField(instance, "InstanceId");
  status.provider_state = StringOrIntegerField(instance, "Status");
  status.state = AliyunPowerState(status.provider_state);
  // An operation lock (overdue, being released, security) refuses every
  // action: the instance must be left alone, whatever its Status says.
  std::string locks;
  auto ops = instance.find("OperationLocks");
  if (ops != instance.end() && ops->is_object()) {
    auto reasons = ops->find("LockReason");
    if (reasons != ops->end() && reasons->is_array()) {
      for (const auto& r : *reasons) {
        std::string reason =
            r.is_object() ? StringOrIntegerField(r, "LockReason") : "";
        if (!reason.empty()) locks += (locks.empty() ? "" : ",") + reason;
      }
    }
  }
  if (!locks.empty()) {
    status.state = PowerState::kShutdown;
    status.provider_state += " (locked: " + locks + ")";
  }
  return status;
}

}  // namespace resetd::clients::aliyun
