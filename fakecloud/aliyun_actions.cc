#include "fakecloud/aliyun_actions.h"

#include <algorithm>
#include <set>

#include "fakecloud/aliyun_password_rules.h"

namespace resetd::fakecloud {

namespace {

using nlohmann::json;
namespace ac = aliyun_codes;

constexpr size_t kMaxBatch = 100;

std::string Get(const AliyunParams& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? "" : it->second;
}

AliyunError Missing(const std::string& name) {
  return {400, ac::kMissingParameter,
          "The input parameter \"" + name +
              "\" that is mandatory for processing this request is not "
              "supplied."};
}

AliyunError Invalid(const std::string& name, const std::string& why = "") {
  return {400, ac::kInvalidParameter,
          "The specified parameter \"" + name + "\" is not valid" +
              (why.empty() ? "." : ": " + why + ".")};
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() < 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// InstanceId.1, InstanceId.2, ... in index order (the SDK's 1-based lists).
std::vector<std::string> IndexedIds(const AliyunParams& p) {
  std::vector<std::pair<long, std::string>> indexed;
  for (const auto& [name, value] : p) {
    if (name.rfind("InstanceId.", 0) != 0) continue;
    const std::string index = name.substr(11);
    if (AllDigits(index)) indexed.emplace_back(std::stol(index), value);
  }
  std::sort(indexed.begin(), indexed.end());
  std::vector<std::string> ids;
  for (auto& [index, id] : indexed) ids.push_back(std::move(id));
  return ids;
}

std::optional<AliyunError> ReadIds(const AliyunParams& p, bool required,
                                   std::vector<std::string>* ids) {
  *ids = IndexedIds(p);
  if (ids->empty() && required) return Missing("InstanceId");
  if (ids->size() > kMaxBatch) {
    return Invalid("InstanceId", "the number of instance IDs (" +
                                     std::to_string(ids->size()) +
                                     ") must be 1 to 100");
  }
  return std::nullopt;
}

std::optional<AliyunError> ReadBool(const AliyunParams& p,
                                    const std::string& name, bool* out) {
  auto it = p.find(name);
  if (it == p.end()) return std::nullopt;
  if (it->second == "true") {
    *out = true;
  } else if (it->second == "false") {
    *out = false;
  } else {
    return Invalid(name, "must be true or false");
  }
  return std::nullopt;
}

std::optional<AliyunError> ReadEnum(const AliyunParams& p,
                                    const std::string& name,
                                    const std::vector<std::string>& allowed) {
  auto it = p.find(name);
  if (it == p.end()) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), it->second) != allowed.end())
    return std::nullopt;
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return Invalid(name, "must be one of " + list);
}

std::optional<AliyunError> ReadInt(const AliyunParams& p,
                                   const std::string& name, long min, long max,
                                   long* out) {
  auto it = p.find(name);
  if (it == p.end()) return std::nullopt;
  if (!AllDigits(it->second)) return Invalid(name, "must be an integer");
  *out = std::stol(it->second);
  if (*out < min || *out > max) {
    return Invalid(name, "must be between " + std::to_string(min) + " and " +
                             std::to_string(max));
  }
  return std::nullopt;
}

std::map<std::string, std::string> States(const std::vector<InstanceView>& v) {
  std::map<std::string, std::string> states;
  for (const InstanceView& view : v) states[view.spec.instance_id] = view.state;
  return states;
}

// ECS has no states for these; the real API shows the instance with an
// operation lock instead (overdue: financial; being released: recycling;
// locked by security or a failed creation: security).
json LockReasons(const std::string& state) {
  std::string reason;
  if (state == "SHUTDOWN" || state == "FREEZING") reason = "financial";
  if (state == "TERMINATING" || state == "DELETING") reason = "recycling";
  if (state == "LAUNCH_FAILED" || state.find("RESCUE") != std::string::npos ||
      state.find("MIGRATE") != std::string::npos) {
    reason = "security";
  }
  json locks = json::array();
  if (!reason.empty()) locks.push_back({{"LockReason", reason}});
  return locks;
}

json InstanceJson(const InstanceView& v) {
  const bool windows = v.spec.os_type == OsType::kWindows;
  const std::string suffix = v.spec.instance_id.substr(2);
  const std::string status = AliyunStatus(v.state);
  return {
      {"InstanceId", v.spec.instance_id},
      {"InstanceName", v.spec.name},
      {"HostName", "iZ" + suffix + "Z"},
      {"Description", ""},
      {"RegionId", v.spec.region},
      {"ZoneId", v.spec.zone},
      {"Status", status},
      {"OSType", windows ? "windows" : "linux"},
      {"OSName", windows ? "Windows Server 2022 Datacenter 64bit"
                         : "Alibaba Cloud Linux 3.2104 LTS 64bit"},
      {"ImageId", windows ? "win2022_21H2_x64_dtc_en-us_40G_alibase_20240101.vhd"
                          : "aliyun_3_x64_20G_alibase_20240101.vhd"},
      {"InstanceType", "ecs.g7.large"},
      {"Cpu", 2},
      {"Memory", 8192},
      {"InstanceChargeType", "PostPaid"},
      {"InternetChargeType", "PayByTraffic"},
      {"InstanceNetworkType", "vpc"},
      {"StoppedMode", status == "Stopped" ? "KeepCharging" : "Not-applicable"},
      {"SerialNumber", "00000000-0000-4000-8000-" + suffix.substr(8)},
      {"CreationTime", "2024-01-01T00:00Z"},
      {"ExpiredTime", "2099-12-31T15:59Z"},
      {"VpcAttributes",
       {{"VpcId", "vpc-fakecloud0000000000000"},
        {"VSwitchId", "vsw-fakecloud0000000000000"},
        {"PrivateIpAddress", {{"IpAddress", json::array({"172.16.0.10"})}}}}},
      {"PublicIpAddress", {{"IpAddress", json::array()}}},
      {"OperationLocks", {{"LockReason", LockReasons(v.state)}}},
      {"Tags", {{"Tag", json::array()}}}};
}

std::optional<AliyunError> ReadDescribeIds(const AliyunParams& p,
                                           std::vector<std::string>* ids) {
  auto it = p.find("InstanceIds");
  if (it == p.end() || it->second.empty()) return std::nullopt;
  json parsed = json::parse(it->second, nullptr, false);
  AliyunError malformed{400, ac::kInvalidInstanceIdsMalformed,
                        "The specified parameter \"InstanceIds\" is not "
                        "valid: a JSON array of instance IDs is expected."};
  if (parsed.is_discarded() || !parsed.is_array()) return malformed;
  for (const json& id : parsed) {
    if (!id.is_string()) return malformed;
    ids->push_back(id.get<std::string>());
  }
  if (ids->size() > kMaxBatch) {
    return Invalid("InstanceIds", "at most 100 instance IDs");
  }
  return std::nullopt;
}

// NextToken is fakecloud's own: the offset of the next page, in decimal.
AliyunResult DescribeInstances(Fleet& fleet, const AliyunContext& ctx,
                               const AliyunParams& p) {
  std::vector<std::string> ids;
  if (auto e = ReadDescribeIds(p, &ids)) return {e};
  long max_results = 10, offset = 0;
  if (auto e = ReadInt(p, "MaxResults", 1, 100, &max_results)) return {e};
  const std::string token = Get(p, "NextToken");
  if (!token.empty() && !AllDigits(token)) return {Invalid("NextToken")};
  if (!token.empty()) offset = std::stol(token);
  std::vector<InstanceView> views = fleet.Describe(ctx.scope(), ids);
  const long total = static_cast<long>(views.size());
  json list = json::array();
  for (long i = offset; i < total && i < offset + max_results; ++i)
    list.push_back(InstanceJson(views[i]));
  const long next = offset + max_results;
  return {std::nullopt,
          {{"Instances", {{"Instance", list}}},
           {"TotalCount", total},
           {"NextToken", next < total ? std::to_string(next) : ""},
           {"PageNumber", 1},
           {"PageSize", max_results}}};
}

AliyunResult DescribeInstanceStatus(Fleet& fleet, const AliyunContext& ctx,
                                    const AliyunParams& p) {
  std::vector<std::string> ids;
  if (auto e = ReadIds(p, false, &ids)) return {e};
  long page_size = 10, page_number = 1;
  if (auto e = ReadInt(p, "PageSize", 1, 50, &page_size)) return {e};
  if (auto e = ReadInt(p, "PageNumber", 1, 1000000000, &page_number))
    return {e};
  std::vector<InstanceView> views = fleet.Describe(ctx.scope(), ids);
  const long total = static_cast<long>(views.size());
  json list = json::array();
  const long first = (page_number - 1) * page_size;
  for (long i = first; i < total && i < first + page_size; ++i) {
    list.push_back({{"InstanceId", views[i].spec.instance_id},
                    {"Status", AliyunStatus(views[i].state)}});
  }
  return {std::nullopt,
          {{"InstanceStatuses", {{"InstanceStatus", list}}},
           {"TotalCount", total},
           {"PageNumber", page_number},
           {"PageSize", page_size}}};
}

json InstanceResponse(const std::string& id,
                      const std::optional<ApiError>& error,
                      const std::map<std::string, std::string>& before,
                      const std::map<std::string, std::string>& after) {
  auto status = [](const std::map<std::string, std::string>& m,
                   const std::string& id) {
    auto it = m.find(id);
    return it == m.end() ? std::string() : AliyunStatus(it->second);
  };
  std::string code = "200", message = "success";
  if (error) {
    AliyunError e = AliyunFleetError(*error);
    code = e.code;
    message = e.message;
  }
  return {{"InstanceId", id},
          {"Code", code},
          {"Message", message},
          {"PreviousStatus", status(before, id)},
          {"CurrentStatus", status(after, id)}};
}

// The flags every batch power action shares, then the action itself:
// AllTogether (the default) acts on all instances or none; SuccessFirst on
// every instance it can, reporting each one.
AliyunResult RunBatch(Fleet& fleet, const AliyunContext& ctx,
                      const AliyunParams& p, PowerAction action) {
  std::vector<std::string> ids;
  if (auto e = ReadIds(p, true, &ids)) return {e};
  if (auto e = ReadEnum(p, "BatchOptimization", {"AllTogether", "SuccessFirst"}))
    return {e};
  bool dry_run = false, force = false;
  if (auto e = ReadBool(p, "DryRun", &dry_run)) return {e};
  if (auto e = ReadBool(p, "ForceStop", &force)) return {e};
  if (auto e = ReadBool(p, "ForceReboot", &force)) return {e};
  if (action == PowerAction::kStop) {
    if (auto e = ReadEnum(p, "StoppedMode",
                          {"StopCharging", "KeepCharging", "Not-applicable"}))
      return {e};
  }
  const Scope scope = ctx.scope();
  const auto before = States(fleet.Describe(scope, ids));
  const bool success_first = Get(p, "BatchOptimization") == "SuccessFirst";
  if (dry_run) {
    if (before.size() < std::set<std::string>(ids.begin(), ids.end()).size()) {
      return {AliyunError{404, ac::kInstanceNotFound,
                          "The specified InstanceId does not exist."}};
    }
    return {AliyunError{400, ac::kDryRunSuccess,
                        "Request validation has been passed with DryRun "
                        "flag set."}};
  }
  std::map<std::string, std::optional<ApiError>> errors;
  if (success_first) {
    for (const std::string& id : ids) {
      if (!errors.count(id))
        errors[id] = fleet.Power(action, scope, {id}, ctx.request_id);
    }
  } else if (auto e = fleet.Power(action, scope, ids, ctx.request_id)) {
    return {AliyunFleetError(*e)};
  }
  const auto after = States(fleet.Describe(scope, ids));
  json responses = json::array();
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) continue;
    responses.push_back(InstanceResponse(id, errors[id], before, after));
  }
  return {std::nullopt,
          {{"InstanceResponses", {{"InstanceResponse", responses}}}}};
}

AliyunResult StopInstances(Fleet& f, const AliyunContext& c,
                           const AliyunParams& p) {
  return RunBatch(f, c, p, PowerAction::kStop);
}
AliyunResult StartInstances(Fleet& f, const AliyunContext& c,
                            const AliyunParams& p) {
  return RunBatch(f, c, p, PowerAction::kStart);
}
AliyunResult RebootInstances(Fleet& f, const AliyunContext& c,
                             const AliyunParams& p) {
  return RunBatch(f, c, p, PowerAction::kReboot);
}

// The password is accepted at once (the API answers synchronously) and
// takes effect at the next start or reboot from the API. Other attributes
// (InstanceName, Description, HostName, ...) are accepted and not kept.
AliyunResult ModifyInstanceAttribute(Fleet& fleet, const AliyunContext& ctx,
                                     const AliyunParams& p) {
  const std::string id = Get(p, "InstanceId");
  if (id.empty()) return {Missing("InstanceId")};
  auto password = p.find("Password");
  if (password == p.end()) {
    if (fleet.Describe(ctx.scope(), {id}).empty()) {
      return {AliyunFleetError({codes::kInstanceIdNotFound, ""})};
    }
    return {};
  }
  ResetOptions options;
  options.mode = ResetMode::kAppliesAtNextBoot;
  options.check = &CheckAliyunPassword;
  options.operation = "ModifyInstanceAttribute";
  options.write_delay = DelayRange{};
  if (auto e = fleet.ResetPassword(ctx.scope(), {id}, Secret(password->second),
                                   options, ctx.request_id)) {
    return {AliyunFleetError(*e)};
  }
  std::vector<InstanceView> views = fleet.Describe(ctx.scope(), {id});
  if (!views.empty() && views[0].latest_operation_state == "FAILED") {
    return {AliyunError{500, ac::kInternalError,
                        "The request processing has failed due to some "
                        "unknown error, exception or failure."}};
  }
  return {};
}

AliyunResult ModifyInstanceVncPasswd(Fleet& fleet, const AliyunContext& ctx,
                                     const AliyunParams& p) {
  const std::string id = Get(p, "InstanceId");
  if (id.empty()) return {Missing("InstanceId")};
  auto vnc = p.find("VncPassword");
  if (vnc == p.end()) return {Missing("VncPassword")};
  if (auto reason = CheckAliyunVncPassword(vnc->second)) {
    return {AliyunError{400, ac::kInvalidVncPassword,
                        "The specified parameter \"VncPassword\" is not "
                        "valid: " +
                            *reason + "."}};
  }
  if (auto e = fleet.SetVncPassword(ctx.scope(), {id}, Secret(vnc->second))) {
    return {AliyunFleetError(*e)};
  }
  return {};
}

}  // namespace

const std::map<std::string, AliyunActionFn>& AliyunActions() {
  static const auto* actions = new std::map<std::string, AliyunActionFn>{
      {"DescribeInstances", &DescribeInstances},
      {"DescribeInstanceStatus", &DescribeInstanceStatus},
      {"StopInstances", &StopInstances},
      {"StartInstances", &StartInstances},
      {"RebootInstances", &RebootInstances},
      {"ModifyInstanceAttribute", &ModifyInstanceAttribute},
      {"ModifyInstanceVncPasswd", &ModifyInstanceVncPasswd}};
  return *actions;
}

bool AliyunActionWithoutRegion(const std::string& action) {
  return action == "ModifyInstanceAttribute";
}

std::string AliyunInstanceRegion(Fleet& fleet, const std::string& id) {
  for (const InstanceView& v : fleet.Snapshot()) {
    if (v.spec.instance_id == id && v.spec.provider == Provider::kAliyunEcs)
      return v.spec.region;
  }
  return "";
}

std::string AliyunStatus(const std::string& s) {
  if (s == "PENDING" || s == "LAUNCH_FAILED") return "Pending";
  if (s == "STARTING" || s == "REBOOTING") return "Starting";
  if (s == "STOPPING" || s == "TERMINATING" || s == "DELETING")
    return "Stopping";
  if (s == "STOPPED" || s == "SHUTDOWN" || s == "FREEZING") return "Stopped";
  return "Running";
}

AliyunError AliyunFleetError(const ApiError& error) {
  if (error.code == codes::kInstanceIdNotFound) {
    return {404, ac::kInstanceNotFound,
            "The specified InstanceId does not exist."};
  }
  if (error.code.rfind("UnsupportedOperation.InstanceState", 0) == 0) {
    return {403, ac::kIncorrectInstanceStatus,
            "The current status of the resource does not support this "
            "operation."};
  }
  if (error.code == codes::kOperationInProgress) {
    return {403, ac::kOperationConflict,
            "Request was denied due to conflict with a previous request."};
  }
  if (error.code == codes::kInvalidPassword) {
    return {400, ac::kInvalidPassword,
            "The specified parameter \"Password\" is not valid: " +
                error.message + "."};
  }
  return {400, error.code, error.message};
}

std::vector<std::string> AliyunIdsOf(const AliyunParams& p) {
  std::vector<std::string> ids = IndexedIds(p);
  if (std::string id = Get(p, "InstanceId"); !id.empty()) ids.push_back(id);
  std::vector<std::string> listed;
  if (!ReadDescribeIds(p, &listed)) {
    ids.insert(ids.end(), listed.begin(), listed.end());
  }
  return ids;
}

std::map<std::string, int> AliyunDefaultRates() {
  std::map<std::string, int> rates;
  for (const auto& [name, fn] : AliyunActions()) rates[name] = 20;
  return rates;
}

}  // namespace resetd::fakecloud
