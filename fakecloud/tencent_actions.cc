#include "fakecloud/tencent_actions.h"

#include <map>

#include "common/secret.h"
#include "fakecloud/fleet_generator.h"
#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace {

using nlohmann::json;

ApiError Missing(const std::string& name) {
  return {codes::kMissingParameter,
          "The request is missing a required parameter `" + name + "`."};
}

ApiError BadType(const std::string& name, const char* type) {
  return {codes::kInvalidParameter,
          "The value of parameter `" + name + "` must be " + type + "."};
}

ApiError BadValue(const std::string& name, const std::string& why) {
  return {codes::kInvalidParameterValue,
          "The value of parameter `" + name + "` is invalid: " + why + "."};
}

// Reads an integer that may arrive as a JSON number or (GET) a string.
std::optional<ApiError> ReadInt(const json& p, const std::string& name,
                                int64_t min, int64_t max, int64_t* out) {
  if (!p.contains(name)) return std::nullopt;
  const json& v = p[name];
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
  } else if (!v.is_string() || v.get<std::string>().empty() ||
             v.get<std::string>().find_first_not_of("-0123456789") !=
                 std::string::npos) {
    return BadType(name, "an integer");
  } else {
    *out = std::stoll(v.get<std::string>());
  }
  if (*out < min || *out > max) {
    return BadValue(name, "must be between " + std::to_string(min) + " and " +
                              std::to_string(max));
  }
  return std::nullopt;
}

std::optional<ApiError> ReadBool(const json& p, const std::string& name,
                                 bool* out) {
  if (!p.contains(name)) return std::nullopt;
  const json& v = p[name];
  if (v.is_boolean())
    *out = v.get<bool>();
  else if (v == "true" || v == "TRUE" || v == "True")
    *out = true;
  else if (v == "false" || v == "FALSE" || v == "False")
    *out = false;
  else
    return BadType(name, "a boolean");
  return std::nullopt;
}

std::optional<ApiError> ReadEnum(const json& p, const std::string& name,
                                 const std::vector<std::string>& allowed) {
  if (!p.contains(name)) return std::nullopt;
  if (!p[name].is_string()) return BadType(name, "a string");
  const std::string v = p[name].get<std::string>();
  for (const std::string& a : allowed) {
    if (v == a) return std::nullopt;
  }
  return BadValue(name, "must be one of " + Join(allowed, ", "));
}

const char* OsName(OsType os) {
  return os == OsType::kWindows ? "Windows Server 2019 DataCenter 64bit"
                                : "TencentOS Server 3.1 (TK4)";
}

json NullIfEmpty(const std::string& s) { return s.empty() ? json() : json(s); }

json InstanceJson(const InstanceView& v) {
  return {
      {"InstanceId", v.spec.instance_id},
      {"InstanceName", v.spec.name},
      {"InstanceState", v.state},
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

// The page of `views` selected by Offset and Limit (default 20, max 100).
std::optional<ApiError> Page(const json& p, std::vector<InstanceView>* views) {
  int64_t offset = 0, limit = 20;
  if (auto e = ReadInt(p, "Offset", 0, INT32_MAX, &offset)) return e;
  if (auto e = ReadInt(p, "Limit", 0, 100, &limit)) return e;
  if (offset >= static_cast<int64_t>(views->size())) {
    views->clear();
    return std::nullopt;
  }
  views->erase(views->begin(), views->begin() + offset);
  if (static_cast<int64_t>(views->size()) > limit) views->resize(limit);
  return std::nullopt;
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
  *views = fleet.Describe(ctx.region, ids);
  *total = views->size();
  return Page(p, views);
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
    set.push_back(
        {{"InstanceId", v.spec.instance_id}, {"InstanceState", v.state}});
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
  return {fleet.Power(action, ctx.region, ids, ctx.request_id)};
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

// Moves the password out of `p`, wiping the copy the JSON held.
std::optional<ApiError> TakePassword(json& p, Secret* password) {
  if (!p.contains("Password")) return Missing("Password");
  if (!p["Password"].is_string()) return BadType("Password", "a string");
  std::string& held = p["Password"].get_ref<std::string&>();
  *password = Secret(held);
  WipeString(held);
  p.erase("Password");
  return std::nullopt;
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
  bool force = false;
  if (auto e = ReadBool(p, "ForceStop", &force)) return {e};
  return {
      fleet.ResetPassword(ctx.region, ids, password, force, ctx.request_id)};
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

std::optional<ApiError> ReadInstanceIds(const json& p, bool required,
                                        std::vector<std::string>* ids) {
  if (!p.contains("InstanceIds") ||
      (p["InstanceIds"].is_array() && p["InstanceIds"].empty())) {
    if (required) return Missing("InstanceIds");
    return std::nullopt;
  }
  const json& v = p["InstanceIds"];
  if (!v.is_array()) return BadType("InstanceIds", "an array of strings");
  std::vector<std::string> malformed;
  for (const json& id : v) {
    if (!id.is_string()) return BadType("InstanceIds", "an array of strings");
    ids->push_back(id.get<std::string>());
    if (!IsWellFormedInstanceId(ids->back())) malformed.push_back(ids->back());
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
