#include "fakecloud/tencent_actions.h"

#include <map>

#include "common/secret.h"
#include "fakecloud/fleet_generator.h"
#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace {

using nlohmann::json;

using params::BadType;
using params::BadValue;
using params::Missing;
using params::ReadBool;
using params::ReadEnum;
using params::ReadInt;
using params::TakePassword;

const char* OsName(OsType os) {
  return os == OsType::kWindows ? "Windows Server 2019 DataCenter 64bit"
                                : "TencentOS Server 3.1 (TK4)";
}

json NullIfEmpty(const std::string& s) { return s.empty() ? json() : json(s); }

json InstanceJson(const InstanceView& v) {
  return {
      {"InstanceId", v.spec.instance_id},
      {"InstanceName", v.spec.name},
      {"InstanceState", CvmState(v.state)},
      {"Placement", {{"Zone", v.spec.zone}, {"ProjectId", 0}}},
      {"InstanceType", "S5.MEDIUM2"},
      {"CPU", 2},
      {"Memory", 2},
      {"InstanceChargeType", "POSTPAID_BY_HOUR"},
      {"OsName", OsName(v.spec.os_type)},
      {"ImageId",
       v.spec.os_type == OsType::kWindows ? "img-9id7emv7" : "img-eb30mz89"},
      {"RestrictState", v.spec.restrict_state},
      {"StopChargingMode", "NOT_APPLICABLE"},
      {"CreatedTime", "2024-01-01T00:00:00Z"},
      {"LatestOperation", NullIfEmpty(v.latest_operation)},
      {"LatestOperationState", NullIfEmpty(v.latest_operation_state)},
      {"LatestOperationRequestId", NullIfEmpty(v.latest_operation_request_id)},
      {"LatestOperationErrorMsg", NullIfEmpty(v.latest_operation_error_msg)},
      {"Tags", json::array()}};
}

// Shared front half of both Describe actions.
std::optional<ApiError> DescribeViews(Fleet& fleet, const ActionContext& ctx,
                                      const json& p,
                                      std::vector<InstanceView>* views,
                                      size_t* total) {
  std::vector<std::string> ids;
  if (auto e = ReadInstanceIds(p, false, &ids)) return e;
  if (p.contains("Filters") && !ids.empty()) {
    return ApiError{
        codes::kInvalidParameterCombination,
        "`InstanceIds` and `Filters` cannot be specified together."};
  }
  if (p.contains("Filters")) {
    return ApiError{"InvalidFilter", "fakecloud does not support Filters."};
  }
  *views = fleet.Describe(ctx.scope(), ids);
  *total = views->size();
  return params::Page(p, views);
}

ActionResult DescribeInstances(Fleet& fleet, const ActionContext& ctx,
                               json& p) {
  std::vector<InstanceView> views;
  size_t total = 0;
  if (auto e = DescribeViews(fleet, ctx, p, &views, &total)) return {e};
  json set = json::array();
  for (const InstanceView& v : views) set.push_back(InstanceJson(v));
  return {std::nullopt, {{"TotalCount", total}, {"InstanceSet", set}}};
}

ActionResult DescribeInstancesStatus(Fleet& fleet, const ActionContext& ctx,
                                     json& p) {
  std::vector<InstanceView> views;
  size_t total = 0;
  if (auto e = DescribeViews(fleet, ctx, p, &views, &total)) return {e};
  json set = json::array();
  for (const InstanceView& v : views) {
    set.push_back({{"InstanceId", v.spec.instance_id},
                   {"InstanceState", CvmState(v.state)}});
  }
  return {std::nullopt, {{"TotalCount", total}, {"InstanceStatusSet", set}}};
}

const std::vector<std::string> kStopTypes = {"SOFT", "HARD", "SOFT_FIRST"};

ActionResult RunPowerAction(Fleet& fleet, const ActionContext& ctx,
                            const json& p, PowerAction action) {
  std::vector<std::string> ids;
  if (auto e = ReadInstanceIds(p, true, &ids)) return {e};
  if (action != PowerAction::kStart) {
    bool force = false;
    if (auto e = ReadEnum(p, "StopType", kStopTypes)) return {e};
    if (auto e = ReadBool(p, "ForceStop", &force)) return {e};
    if (p.contains("ForceStop") && p.contains("StopType")) {
      return {ApiError{codes::kInvalidParameterCombination,
                       "`ForceStop` and `StopType` cannot be specified "
                       "together."}};
    }
  }
  if (action == PowerAction::kStop) {
    if (auto e =
            ReadEnum(p, "StoppedMode", {"KEEP_CHARGING", "STOP_CHARGING"})) {
      return {e};
    }
  }
  return {fleet.Power(action, ctx.scope(), ids, ctx.request_id)};
}

ActionResult StopInstances(Fleet& f, const ActionContext& c, json& p) {
  return RunPowerAction(f, c, p, PowerAction::kStop);
}
ActionResult StartInstances(Fleet& f, const ActionContext& c, json& p) {
  return RunPowerAction(f, c, p, PowerAction::kStart);
}
ActionResult RebootInstances(Fleet& f, const ActionContext& c, json& p) {
  return RunPowerAction(f, c, p, PowerAction::kReboot);
}

ActionResult ResetInstancesPassword(Fleet& fleet, const ActionContext& ctx,
                                    json& p) {
  Secret password;
  std::optional<ApiError> password_error = TakePassword(p, &password);
  std::vector<std::string> ids;
  if (auto e = ReadInstanceIds(p, true, &ids)) return {e};
  if (password_error) return {password_error};
  if (p.contains("UserName")) {
    if (!p["UserName"].is_string()) return {BadType("UserName", "a string")};
    if (p["UserName"].get<std::string>().size() > 64) {
      return {ApiError{codes::kTooLong,
                       "The value of parameter `UserName` exceeds 64 "
                       "characters."}};
    }
  }
  ResetOptions options;  // kRequiresStopped, CVM's password rules
  if (auto e = ReadBool(p, "ForceStop", &options.force_stop)) return {e};
  return {
      fleet.ResetPassword(ctx.scope(), ids, password, options, ctx.request_id)};
}

const std::map<std::string, ActionFn>& Actions() {
  static const auto* actions = new std::map<std::string, ActionFn>{
      {"DescribeInstances", &DescribeInstances},
      {"DescribeInstancesStatus", &DescribeInstancesStatus},
      {"StopInstances", &StopInstances},
      {"StartInstances", &StartInstances},
      {"RebootInstances", &RebootInstances},
      {"ResetInstancesPassword", &ResetInstancesPassword}};
  return *actions;
}

}  // namespace

std::string CvmState(const std::string& canonical) {
  if (canonical == "DELETING") return "TERMINATING";
  if (canonical == "FREEZING") return "SHUTDOWN";
  return canonical;
}

std::optional<ApiError> ReadInstanceIds(const json& p, bool required,
                                        std::vector<std::string>* ids) {
  if (auto e = params::ReadIdArray(p, required, ids)) return e;
  std::vector<std::string> malformed;
  for (const std::string& id : *ids) {
    if (!IsWellFormedInstanceId(id)) malformed.push_back(id);
  }
  if (ids->size() > kMaxInstanceIds) {
    return ApiError{codes::kLimitExceeded, "The number of `InstanceIds` (" +
                                               std::to_string(ids->size()) +
                                               ") exceeds the limit of 100."};
  }
  if (!malformed.empty()) {
    return ApiError{codes::kInstanceIdMalformed,
                    "The instance ID(s) `" + Join(malformed, "`, `") +
                        "` are malformed; expected ins-xxxxxxxx."};
  }
  return std::nullopt;
}

ActionFn FindAction(const std::string& name) {
  auto it = Actions().find(name);
  return it == Actions().end() ? nullptr : it->second;
}

std::vector<std::string> ActionNames() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : Actions()) names.push_back(name);
  return names;
}

}  // namespace resetd::fakecloud
