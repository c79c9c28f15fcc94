#include "fakecloud/lighthouse_actions.h"

#include <set>

#include "fakecloud/fleet.h"
#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace {

using nlohmann::json;
namespace lc = lighthouse_codes;

constexpr size_t kMaxIds = 100;

std::string Quoted(const std::vector<std::string>& ids) {
  return "`" + Join(ids, "`, `") + "`";
}

// Lighthouse rejects parameters the action does not define.
std::optional<ApiError> OnlyKnown(const json& p,
                                  const std::set<std::string>& known) {
  for (const auto& [name, value] : p.items()) {
    if (!known.count(name)) {
      return ApiError{lc::kUnknownParameter,
                      "The parameter `" + name + "` is not recognized."};
    }
  }
  return std::nullopt;
}

// InstanceIds: at most 100, well formed, no duplicates.
std::optional<ApiError> ReadIds(const json& p, bool required,
                                std::vector<std::string>* ids) {
  if (auto e = params::ReadIdArray(p, required, ids)) return e;
  if (ids->size() > kMaxIds) {
    return ApiError{lc::kLimitExceeded, "The number of `InstanceIds` (" +
                                            std::to_string(ids->size()) +
                                            ") exceeds the limit of 100."};
  }
  std::vector<std::string> malformed, duplicated;
  std::set<std::string> seen;
  for (const std::string& id : *ids) {
    if (!IsWellFormedId(Provider::kTencentLighthouse, id)) {
      malformed.push_back(id);
    } else if (!seen.insert(id).second) {
      duplicated.push_back(id);
    }
  }
  if (!malformed.empty()) {
    return ApiError{lc::kIdMalformed, "The instance ID(s) " +
                                          Quoted(malformed) +
                                          " are malformed; expected "
                                          "lhins-xxxxxxxx."};
  }
  if (!duplicated.empty()) {
    return ApiError{lc::kDuplicated, "The instance ID(s) " +
                                         Quoted(duplicated) +
                                         " are duplicated in `InstanceIds`."};
  }
  return std::nullopt;
}

json NullIfEmpty(const std::string& s) { return s.empty() ? json() : json(s); }

json InstanceJson(const InstanceView& v) {
  const bool windows = v.spec.os_type == OsType::kWindows;
  const std::string suffix = v.spec.instance_id.substr(6);
  return {
      {"InstanceId", v.spec.instance_id},
      {"BundleId", "bundle_gen_02"},
      {"BlueprintId", windows ? "lhbp-1l4ptuvm" : "lhbp-f1lkcd41"},
      {"CPU", 2},
      {"Memory", 2},
      {"InstanceName", v.spec.name},
      {"InstanceChargeType", "PREPAID"},
      {"SystemDisk",
       {{"DiskType", "CLOUD_SSD"},
        {"DiskSize", 50},
        {"DiskId", "lhdisk-" + suffix}}},
      {"PrivateAddresses", json::array({"10.0.0.2"})},
      {"PublicAddresses", json::array()},
      {"InternetAccessible",
       {{"InternetChargeType", "TRAFFIC_POSTPAID_BY_HOUR"},
        {"InternetMaxBandwidthOut", 4},
        {"PublicIpAssigned", false}}},
      {"RenewFlag", "NOTIFY_AND_MANUAL_RENEW"},
      {"LoginSettings", {{"KeyIds", json::array()}}},
      {"InstanceState", LighthouseState(v.state)},
      {"Uuid", "00000000-0000-4000-8000-0000" + suffix},
      {"LatestOperation", NullIfEmpty(v.latest_operation)},
      {"LatestOperationState", NullIfEmpty(v.latest_operation_state)},
      {"LatestOperationRequestId", NullIfEmpty(v.latest_operation_request_id)},
      {"IsolatedTime", nullptr},
      {"CreatedTime", "2024-01-01T00:00:00Z"},
      {"ExpiredTime", "2034-01-01T00:00:00Z"},
      {"PlatformType", windows ? "WINDOWS" : "LINUX_UNIX"},
      {"Platform", windows ? "WINDOWS_SERVER_2019" : "UBUNTU"},
      {"OsName", windows ? "Windows Server 2019 DataCenter 64bit"
                         : "Ubuntu Server 22.04 LTS 64bit"},
      {"Zone", v.spec.zone},
      {"Tags", json::array()},
      {"InstanceRestrictState", v.spec.restrict_state == "NETWORK_RESTRICT"
                                    ? "NETWORK_RESTRICT"
                                    : "NORMAL"}};
}

// Unlike CVM, Lighthouse's DescribeInstances names unknown ids in an error.
ActionResult DescribeInstances(Fleet& fleet, const ActionContext& ctx,
                               json& p) {
  if (auto e = OnlyKnown(p, {"InstanceIds", "Filters", "Offset", "Limit"}))
    return {e};
  std::vector<std::string> ids;
  if (auto e = ReadIds(p, false, &ids)) return {e};
  if (p.contains("Filters") && !ids.empty()) {
    return {ApiError{lc::kParameterConflict,
                     "`InstanceIds` and `Filters` cannot be specified "
                     "together."}};
  }
  if (p.contains("Filters")) {
    return {
        ApiError{lc::kInvalidFilter, "fakecloud does not support Filters."}};
  }
  std::vector<InstanceView> views = fleet.Describe(ctx.scope(), ids);
  if (views.size() < ids.size()) {
    std::set<std::string> found;
    for (const InstanceView& v : views) found.insert(v.spec.instance_id);
    ApiError missing{codes::kInstanceIdNotFound, ""};
    for (const std::string& id : ids) {
      if (!found.count(id)) missing.subjects.emplace_back(id, "");
    }
    return {LighthouseError(std::move(missing))};
  }
  const size_t total = views.size();
  if (auto e = params::Page(p, &views)) return {e};
  json set = json::array();
  for (const InstanceView& v : views) set.push_back(InstanceJson(v));
  return {std::nullopt, {{"TotalCount", total}, {"InstanceSet", set}}};
}

ActionResult RunPower(Fleet& fleet, const ActionContext& ctx, const json& p,
                      PowerAction action) {
  // StopInstances and RebootInstances take StopType (SOFT, HARD,
  // SOFT_FIRST; the SDK model's lighthouse_models.d.ts); StartInstances
  // takes only InstanceIds.
  std::set<std::string> known = {"InstanceIds"};
  if (action != PowerAction::kStart) known.insert("StopType");
  if (auto e = OnlyKnown(p, known)) return {e};
  if (auto it = p.find("StopType"); it != p.end()) {
    if (!it->is_string() || (*it != "SOFT" && *it != "HARD" &&
                             *it != "SOFT_FIRST")) {
      return {ApiError{codes::kInvalidParameterValue,
                       "`StopType` must be SOFT, HARD or SOFT_FIRST."}};
    }
  }
  std::vector<std::string> ids;
  if (auto e = ReadIds(p, true, &ids)) return {e};
  return {fleet.Power(action, ctx.scope(), ids, ctx.request_id)};
}

ActionResult StopInstances(Fleet& f, const ActionContext& c, json& p) {
  return RunPower(f, c, p, PowerAction::kStop);
}
ActionResult StartInstances(Fleet& f, const ActionContext& c, json& p) {
  return RunPower(f, c, p, PowerAction::kStart);
}
ActionResult RebootInstances(Fleet& f, const ActionContext& c, json& p) {
  return RunPower(f, c, p, PowerAction::kReboot);
}

// The reset shuts a running instance down itself and leaves it STOPPED.
ActionResult ResetInstancesPassword(Fleet& fleet, const ActionContext& ctx,
                                    json& p) {
  Secret password;
  std::optional<ApiError> password_error = params::TakePassword(p, &password);
  if (auto e = OnlyKnown(p, {"InstanceIds", "UserName"})) return {e};
  std::vector<std::string> ids;
  if (auto e = ReadIds(p, true, &ids)) return {e};
  if (password_error) return {password_error};
  if (p.contains("UserName")) {
    if (!p["UserName"].is_string()) {
      return {params::BadType("UserName", "a string")};
    }
    if (p["UserName"].get<std::string>().size() > 64) {
      return {ApiError{lc::kOutOfRange,
                       "The value of parameter `UserName` exceeds 64 "
                       "characters."}};
    }
  }
  ResetOptions options;
  options.mode = ResetMode::kSelfStopping;
  return {
      fleet.ResetPassword(ctx.scope(), ids, password, options, ctx.request_id)};
}

// "`a` (RUNNING), `b` (STOPPED)" style list, in Lighthouse's states.
std::string StatedIds(const ApiError& error) {
  std::vector<std::string> parts;
  for (const auto& [id, state] : error.subjects) {
    parts.push_back("`" + id + "` which is in the state of `" +
                    LighthouseState(state) + "`");
  }
  return Join(parts, ", ");
}

std::vector<std::string> SubjectIds(const ApiError& error) {
  std::vector<std::string> ids;
  for (const auto& subject : error.subjects) ids.push_back(subject.first);
  return ids;
}

}  // namespace

const std::map<std::string, ActionFn>& LighthouseActions() {
  static const auto* actions = new std::map<std::string, ActionFn>{
      {"DescribeInstances", &DescribeInstances},
      {"StopInstances", &StopInstances},
      {"StartInstances", &StartInstances},
      {"RebootInstances", &RebootInstances},
      {"ResetInstancesPassword", &ResetInstancesPassword}};
  return *actions;
}

std::string LighthouseState(const std::string& canonical) {
  if (canonical == "ENTER_SERVICE_LIVE_MIGRATE" ||
      canonical == "SERVICE_LIVE_MIGRATE" ||
      canonical == "EXIT_SERVICE_LIVE_MIGRATE") {
    return "RUNNING";
  }
  return canonical;
}

ApiError LighthouseError(ApiError error) {
  if (error.code == codes::kInstanceIdNotFound) {
    error.code = lc::kIdNotFound;
    error.message =
        "The instance ID(s) " + Quoted(SubjectIds(error)) + " do not exist.";
  } else if (error.code.rfind("UnsupportedOperation.InstanceState", 0) == 0) {
    bool pending = !error.subjects.empty();
    for (const auto& subject : error.subjects) {
      pending = pending && subject.second == "PENDING";
    }
    error.code = pending ? lc::kInstanceCreating : lc::kInvalidState;
    error.message =
        "The request does not support the instance " + StatedIds(error) + ".";
  } else if (error.code == codes::kOperationInProgress) {
    error.code = lc::kOperationUnfinished;
    error.message = "The latest operation of the instance(s) " +
                    Quoted(SubjectIds(error)) +
                    " is unfinished, please try again later.";
  }
  return error;
}

// Lighthouse's published request rates (API reference, "frequency limit"
// of each action).
std::map<std::string, int> LighthouseDefaultRates() {
  return {{"DescribeInstances", 100},
          {"StopInstances", 10},
          {"StartInstances", 10},
          {"RebootInstances", 10},
          {"ResetInstancesPassword", 20}};
}

}  // namespace resetd::fakecloud
