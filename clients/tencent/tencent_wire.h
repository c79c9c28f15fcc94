// Tencent Cloud API 3.0 wire details of CVM that do not depend on a
// connection: state and error-code mappings, response parsing. Pure
// functions, thread-safe. See shared/reference/PROVIDER-WIRE-NOTES.md §2.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "clients/cloud_client.h"
#include "clients/http/http_transport.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::tencent {

// The PowerState of a CVM InstanceState ("RUNNING", "ENTER_RESCUE_MODE", ...);
// kUnknown for words it does not know.
PowerState TencentPowerState(std::string_view instance_state);

// StopInstances / RebootInstances StopType: SOFT, SOFT_FIRST or HARD.
std::string_view TencentStopType(StopMode mode);

// The canonical code for a Tencent error code (Response.Error.Code):
//   RequestLimitExceeded*                              -> kResourceExhausted
//   InternalError*, InternalServerError, ResourceInUse*,
//   ResourceUnavailable*, OperationDenied.InstanceOperationInProgress
//                                                      -> kUnavailable
//   UnsupportedOperation*, OperationDenied* (other), ResourceInsufficient*,
//   LimitExceeded*, InvalidInstance.NotSupported       -> kFailedPrecondition
//   InvalidInstanceId.NotFound                         -> kNotFound
//   InvalidInstanceId*, InvalidParameter*, InvalidPassword, MissingParameter,
//   UnknownParameter, InvalidAction                    -> kInvalidArgument
//   AuthFailure.UnauthorizedOperation, UnauthorizedOperation*
//                                                      -> kPermissionDenied
//   AuthFailure* (other)                               -> kUnauthenticated
//   anything else                                      -> kUnknown
absl::StatusCode TencentErrorCode(std::string_view code);

// The `Response` object of a Tencent API 3.0 answer to `action`.
// Errors, every one with a ProviderError payload (http_status set):
//   HTTP 200 with Response.Error: the code per TencentErrorCode, with the
//     provider's code, message and RequestId;
//   HTTP 429: kResourceExhausted; other 5xx: kUnavailable; other non-200:
//     kUnknown (code and request id taken from the body when it has them);
//   a 200 whose body is not a JSON object with a Response object: kInternal
//     ("unparseable response"), the body itself is not quoted.
absl::StatusOr<nlohmann::json> ParseTencentResponse(
    std::string_view action, const http::HttpResponse& response);

// The ids of `ids` that a Tencent "not found" error message names (e.g.
// "The instance `ins-aaaaaaaa` is not found."), in the order of `ids`.
// Empty when the message names none of them.
std::vector<std::string> IdsNamedInMessage(std::string_view message,
                                           absl::Span<const std::string> ids);

// InstanceStatus of one DescribeInstances `Instance` object. Null or missing
// fields become empty strings.
InstanceStatus ParseTencentInstance(const nlohmann::json& instance);

}  // namespace resetd::clients::tencent
