// Tencent Cloud Lighthouse (API 3.0, version 2020-03-24) wire details that do
// not depend on a connection: its instance states and error codes. Everything
// that Lighthouse shares with CVM (the API 3.0 envelope, error parsing, TC3)
// comes from clients/tencent. Pure functions, thread-safe.
//
// Sources: the official SDKs' generated Lighthouse models and error lists
// (tencentcloud-sdk-nodejs 4.1.313 lighthouse_models.d.ts, tencentcloud-sdk-go
// tencentcloud/lighthouse/v20200324/{client,errors}.go) and the API reference
// (cloud.tencent.com/document/api/1207/47573 DescribeInstances, 55546
// ResetInstancesPassword).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/cloud_client.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::lighthouse {

// The PowerState of a Lighthouse InstanceState. Lighthouse has CVM's words
// (PENDING, LAUNCH_FAILED, RUNNING, STOPPED, STARTING, STOPPING, REBOOTING,
// SHUTDOWN, TERMINATING, ENTER_RESCUE_MODE, RESCUE_MODE, EXIT_RESCUE_MODE)
// plus DELETING (-> kTerminating) and FREEZING (frozen, e.g. for arrears ->
// kShutdown: nothing may be done to it). kUnknown for other words.
PowerState LighthousePowerState(std::string_view instance_state);

// The canonical code of a Lighthouse error code (Response.Error.Code). The
// codes whose meaning differs from TencentErrorCode():
//   ResourceNotFound.InstanceIdNotFound, ResourceNotFound.InstanceNotFound
//                                                        -> kNotFound
//   UnsupportedOperation.LatestOperationUnfinished,
//   OperationDenied.InstanceCreating,
//   FailedOperation.DescribeInstanceStatus               -> kUnavailable
// Everything else as TencentErrorCode() (e.g. RequestLimitExceeded* ->
// kResourceExhausted, UnsupportedOperation.InvalidInstanceState ->
// kFailedPrecondition, InvalidParameterValue.InvalidPassword ->
// kInvalidArgument, UnauthorizedOperation* -> kPermissionDenied).
absl::StatusCode LighthouseErrorCode(std::string_view code);

// `status` (from ParseTencentResponse) with its canonical code re-derived by
// LighthouseErrorCode() when it carries a provider error code from an API
// error (HTTP 200 + Response.Error); message and payloads are kept. Any other
// status is returned unchanged.
absl::Status ToLighthouseStatus(const absl::Status& status);

// InstanceStatus of one DescribeInstances `Instance` object, with the state
// mapped by LighthousePowerState(). Null or missing fields become "".
InstanceStatus ParseLighthouseInstance(const nlohmann::json& instance);

}  // namespace resetd::clients::lighthouse
