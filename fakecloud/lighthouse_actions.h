// The Tencent Cloud Lighthouse actions (API 3.0, version 2020-03-24) that
// fakecloud implements, on top of the shared Fleet: DescribeInstances,
// StopInstances, StartInstances, RebootInstances, ResetInstancesPassword.
// Stateless functions; thread-safe as the Fleet is. Sources of every code
// and rule: fakecloud/README.md.
#pragma once

#include <map>
#include <string>

#include "fakecloud/action_params.h"
#include "fakecloud/api_error.h"

namespace resetd::fakecloud {

namespace lighthouse_codes {
inline constexpr char kUnknownParameter[] = "UnknownParameter";
inline constexpr char kParameterConflict[] =
    "InvalidParameter.ParameterConflict";
inline constexpr char kInvalidFilter[] = "InvalidParameter.InvalidFilter";
inline constexpr char kLimitExceeded[] = "InvalidParameterValue.LimitExceeded";
inline constexpr char kIdMalformed[] =
    "InvalidParameterValue.InstanceIdMalformed";
inline constexpr char kDuplicated[] = "InvalidParameterValue.Duplicated";
inline constexpr char kOutOfRange[] = "InvalidParameterValue.OutOfRange";
inline constexpr char kIdNotFound[] = "ResourceNotFound.InstanceIdNotFound";
inline constexpr char kInvalidState[] =
    "UnsupportedOperation.InvalidInstanceState";
inline constexpr char kOperationUnfinished[] =
    "UnsupportedOperation.LatestOperationUnfinished";
inline constexpr char kInstanceCreating[] = "OperationDenied.InstanceCreating";
}  // namespace lighthouse_codes

// The implemented actions by name.
const std::map<std::string, ActionFn>& LighthouseActions();

// The Lighthouse InstanceState of a canonical state (the live-migration
// states CVM has and Lighthouse does not show read as RUNNING).
std::string LighthouseState(const std::string& canonical);

// `error` (the fleet's canonical codes) in Lighthouse's words:
// InvalidInstanceId.NotFound -> ResourceNotFound.InstanceIdNotFound,
// UnsupportedOperation.InstanceState* -> UnsupportedOperation.
// InvalidInstanceState (OperationDenied.InstanceCreating for PENDING),
// OperationDenied.InstanceOperationInProgress -> UnsupportedOperation.
// LatestOperationUnfinished; anything else unchanged.
ApiError LighthouseError(ApiError error);

// The documented default rates: 20 requests/s for every implemented action.
std::map<std::string, int> LighthouseDefaultRates();

}  // namespace resetd::fakecloud
