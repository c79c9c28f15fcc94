// The Alibaba Cloud ECS actions (RPC API 2014-05-26) that fakecloud
// implements on the shared Fleet: DescribeInstances, DescribeInstanceStatus,
// StopInstances, StartInstances, RebootInstances, ModifyInstanceAttribute,
// ModifyInstanceVncPasswd. Stateless functions; thread-safe as the Fleet is.
// Codes, statuses and their sources: fakecloud/README.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fakecloud/aliyun_auth.h"
#include "fakecloud/aliyun_error.h"
#include "fakecloud/api_error.h"
#include "fakecloud/fleet.h"
#include "nlohmann/json.hpp"

namespace resetd::fakecloud {

// Per call facts an action needs.
struct AliyunContext {
  std::string region;  // RegionId, or the instance's region (see below)
  std::string request_id;

  Scope scope() const { return Scope{Provider::kAliyunEcs, region}; }
};

// An error, or the fields of the answer besides RequestId.
struct AliyunResult {
  std::optional<AliyunError> error;
  nlohmann::json payload = nlohmann::json::object();
};

using AliyunActionFn = AliyunResult (*)(Fleet& fleet,
                                        const AliyunContext& context,
                                        const AliyunParams& params);

// The implemented actions by name.
const std::map<std::string, AliyunActionFn>& AliyunActions();

// Whether `action` takes no RegionId (ModifyInstanceAttribute: the endpoint
// routes it; fakecloud then uses the region of its InstanceId).
bool AliyunActionWithoutRegion(const std::string& action);

// The region of the Alibaba instance `instance_id`, or "" if there is none.
std::string AliyunInstanceRegion(Fleet& fleet, const std::string& instance_id);

// The ECS Status of a canonical state: Pending, Running, Starting, Stopping
// or Stopped (REBOOTING reads Starting, as ECS shows a reboot; the states
// ECS does not have map to the nearest one: live migration and rescue
// Running, SHUTDOWN/FREEZING Stopped, TERMINATING/DELETING Stopping,
// LAUNCH_FAILED Pending).
std::string AliyunStatus(const std::string& canonical);

// `error` (the fleet's canonical codes) in ECS's words:
// InvalidInstanceId.NotFound -> 404 InvalidInstanceId.NotFound,
// UnsupportedOperation.InstanceState* -> 403 IncorrectInstanceStatus,
// OperationDenied.InstanceOperationInProgress -> 403 OperationConflict,
// InvalidParameterValue.InvalidPassword -> 400 InvalidPassword.Malformed,
// anything else 400 with the same code.
AliyunError AliyunFleetError(const ApiError& error);

// The instance ids a request names (InstanceId, InstanceId.N, InstanceIds),
// for the call log; never fails.
std::vector<std::string> AliyunIdsOf(const AliyunParams& params);

// fakecloud's default rates, requests per second per (AccessKeyId, region,
// action): 20 for every action (Alibaba publishes none; see README).
std::map<std::string, int> AliyunDefaultRates();

}  // namespace resetd::fakecloud
