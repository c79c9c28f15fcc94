// Huawei Cloud ECS (v1 cloudservers) wire details that do not depend on a
// connection: state and error-code mappings, response parsing. Pure
// functions, thread-safe. See shared/reference/PROVIDER-WIRE-NOTES.md §4.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/cloud_client.h"
#include "clients/http/http_transport.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::huawei {

// The PowerState of a server from its `status`, `OS-EXT-STS:task_state`
// ("" when null) and `locked`:
//   ACTIVE   -> kRunning; task_state powering-off -> kStopping,
//               rebooting / reboot_* / rebooting_hard -> kRebooting
//   SHUTOFF  -> kStopped; task_state powering-on -> kStarting
//   (ACTIVE or SHUTOFF with task_state deleting -> kTerminating,
//    migrating / resize_* -> kMigrating, rebuild* -> kPending,
//    shelving* -> kShutdown)
//   REBOOT, HARD_REBOOT                               -> kRebooting
//   BUILD, REBUILD                                    -> kPending
//   ERROR                                             -> kLaunchFailed
//   DELETED                                           -> kTerminating
//   SHELVED, SHELVED_OFFLOADED                        -> kShutdown
//   MIGRATING, RESIZE, VERIFY_RESIZE, REVERT_RESIZE   -> kMigrating
//   UNKNOWN and any other word                        -> kUnknown
// ERROR is a broken instance (a failed build or a failed operation): the
// engine must leave it alone, and kLaunchFailed is the forbidden state that
// says so. DELETED servers are still listed for a while: kTerminating (not
// kNotFound, which means the id is unknown). A locked server refuses every
// action (Ecs.0605) until its owner unlocks it, like a server isolated by
// the provider: `locked` turns any state but kTerminating into kShutdown.
PowerState HuaweiPowerState(std::string_view status,
                            std::string_view task_state, bool locked);

// The `type` of os-stop and reboot: HARD for kForce, SOFT otherwise. Huawei
// has no soft-then-force; kSoftThenForce gets SOFT because a forced power-off
// may lose data the caller did not agree to lose. If the guest ignores it,
// the instance stays ACTIVE and the caller's wait times out; it may then ask
// for kForce.
std::string_view HuaweiStopType(StopMode mode);

// The canonical code for a Huawei error code (`error.code` / `error_code`)
// and HTTP status (checked against the ECS and API Gateway error code
// references):
//   APIGW.0308/APIG.0308 (throttling threshold reached), Common.1503 (API
//     flow control), Common.0024 (flow limit)           -> kResourceExhausted
//   Ecs.0603 (other commands being executed), Ecs.0002, Ecs.0226 (start
//     failed), Ecs.0227 (reboot failed), Ecs.0301, Ecs.0611 (batch operation
//     failed), Ecs.1000-Ecs.1300 (Nova/IAM/VPC/EVS unreachable),
//     Common.0001, Common.0020-0022, Common.0999          -> kUnavailable
//   Ecs.0100 (status does not meet requirements), Ecs.0605 (locked),
//     Ecs.0030 (frozen), Ecs.0023 / Common.0018 (project id in the token
//     differs from the URL: wrong project_ids entry)  -> kFailedPrecondition
//   Ecs.0114, Ecs.0614 (the ECS does not exist)          -> kNotFound
//   Ecs.0000, Ecs.0005 (invalid parameters), Ecs.0011 (password complexity),
//     Ecs.0118 (too many in a batch), Common.0002 (empty body),
//     APIGW.0201 (bad request), APIGW.0101 (no such API: endpoint or path
//     wrong)                                              -> kInvalidArgument
//   APIGW.0301 (incorrect IAM authentication, e.g. a bad signature),
//     APIGW.0303, APIGW.0305, APIGW.0307 (expired), Common.0013
//                                                        -> kUnauthenticated
//   APIGW.0302, APIGW.0304, APIGW.0306, Ecs.0003, Ecs.0066-Ecs.0071
//     (account restricted), Ecs.0110, Pdp.0001 (policy)  -> kPermissionDenied
//   (APIG.xxxx is treated as APIGW.xxxx.) Any other code, or none, by HTTP
//   status: 401 -> kUnauthenticated, 403 -> kPermissionDenied, 409 ->
//   kFailedPrecondition, 429 -> kResourceExhausted, 5xx -> kUnavailable,
//   anything else (Huawei answers 400 for system faults too) -> kUnknown.
absl::StatusCode HuaweiErrorCode(std::string_view code, int http_status);

// The JSON body of a successful (2xx) answer to `action`; null for an empty
// body (204). Errors, each with a ProviderError payload (http_status set,
// request_id from the X-Request-Id response header, never from the body):
//   non-2xx: the code per HuaweiErrorCode, with the provider's code and
//     message from {"error":{"code","message"}} or {"error_code",
//     "error_msg"}; a body that is neither (an HTML 502) gives an empty code
//     and the message "HTTP <status>"; the body itself is never quoted;
//   a 2xx whose non-empty body is not JSON: kInternal ("unparseable
//     response").
absl::StatusOr<nlohmann::json> ParseHuaweiResponse(
    std::string_view action, const http::HttpResponse& response);

// InstanceStatus of one ListServersDetails `servers[]` object. provider_state
// is `status`, then "/" + task_state when there is one, then " (locked)" when
// locked, e.g. "ACTIVE/powering-off". Null or missing fields are "".
InstanceStatus ParseHuaweiServer(const nlohmann::json& server);

}  // namespace resetd::clients::huawei
