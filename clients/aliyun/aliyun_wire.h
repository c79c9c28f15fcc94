// Alibaba Cloud ECS (API 2014-05-26) wire details that do not depend on a
// connection: state and error-code mappings, response parsing. Pure
// functions, thread-safe. See shared/reference/PROVIDER-WIRE-NOTES.md §3.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "clients/cloud_client.h"
#include "clients/http/http_transport.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::aliyun {

// The PowerState of an ECS instance Status: Pending, Running, Starting,
// Stopping, Stopped; kUnknown for any other word.
PowerState AliyunPowerState(std::string_view status);

// The canonical code of an ECS error `code` answered with `http_status`
// (0 when unknown). First match wins:
//   contains "Throttling" (Throttling, Throttling.User, Throttling.Api, ...),
//     or HTTP 429                                     -> kResourceExhausted
//   InvalidInstanceId.NotFound, NoSuchResource        -> kNotFound
//   InvalidAccessKeyId*, InvalidAccessKeySecret*, SignatureDoesNotMatch,
//     IncompleteSignature, InvalidSecurityToken*, InvalidTimeStamp*,
//     IllegalTimestamp, Forbidden.AccessKeyDisabled   -> kUnauthenticated
//   Forbidden*, NoPermission*, InvalidUser.Unauthorized, *.Forbidden,
//     RealNameAuthenticationError                     -> kPermissionDenied
//   IncorrectInstanceStatus* (e.g. a reset while Starting, .Initializing),
//     OperationConflict, InstanceNotReady, ServiceUnavailable*,
//     InternalError*, UnknownError, LastTokenProcessing,
//     SignatureNonceUsed (a new call has a new nonce) -> kUnavailable
//   InstanceLockedForSecurity, InvalidStatus.*, InvalidInstanceStatus.*,
//     InvalidOperation.InvalidEcsState, OperationDenied*,
//     ChargeTypeViolation, InsufficientBalance, QuotaExceed*
//                                                     -> kFailedPrecondition
//   InvalidPassword*, InvalidHostPassword*, IncorrectVncPassword*,
//     InvalidParameter*, InvalidParamater*, MissingParameter*,
//     UnsupportedParameter, InvalidInstanceId* (other), InvalidRegionId*,
//     InvalidAction*, IdempotentParameterMismatch, *.Malformed
//                                                     -> kInvalidArgument
//   any other code: HTTP 5xx                          -> kUnavailable
//                   otherwise                         -> kUnknown
absl::StatusCode AliyunErrorCode(std::string_view code, int http_status);

// The JSON body of an ECS answer to `action`. Errors, each with a
// ProviderError payload (code, message, RequestId, http_status):
//   HTTP 4xx/5xx: the code per AliyunErrorCode() from the JSON (or XML
//     <Error>) body's Code/Message/RequestId (lower-case keys accepted, the
//     RequestId falls back to the x-acs-request-id header); a body without
//     a code gives "HTTP <status>" and the status-only mapping;
//   HTTP 2xx whose body has a top-level Code other than 200/OK/Success
//     (the older RPC gateways' error form, which pop-core also treats as an
//     error): as above;
//   any other status, or a 2xx body that is not a JSON object: kInternal
//     ("unparseable response"); the body itself is never quoted.
absl::StatusOr<nlohmann::json> ParseAliyunResponse(
    std::string_view action, const http::HttpResponse& response);

// The outcome of a batch call sent with BatchOptimization=SuccessFirst.
// `body` is its parsed answer; every InstanceResponses.InstanceResponse[]
// whose Code is not "200" (or empty/OK/Success) is a failed instance.
// Returns OK when none failed. Otherwise an error whose canonical code is
// AliyunErrorCode() of the FIRST failed instance's code, carrying a
// ProviderError with that code, the call's RequestId, http_status 200 and
// the message "<k> of <n> instances failed: <id> <Code>: <Message>; ..."
// (n = the number of InstanceResponse entries),
// listing every failed instance. The instances that succeeded were acted on:
// a caller that retries must observe first (the engine always does).
absl::Status CheckInstanceResponses(std::string_view action,
                                    const nlohmann::json& body);

// InstanceStatus of one DescribeInstances `Instance` object (InstanceId,
// Status). Missing or null fields become empty strings.
InstanceStatus ParseAliyunInstance(const nlohmann::json& instance);

}  // namespace resetd::clients::aliyun
