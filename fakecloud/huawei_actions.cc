#include "fakecloud/huawei_actions.h"

#include <set>

#include "common/crypto.h"
#include "common/secret.h"
#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace {

using nlohmann::json;
namespace hc = huawei_codes;

constexpr size_t kMaxBatch = 1000;  // "一次最多可以启动/关闭/重启1000台"

HuaweiError Invalid(const std::string& why) {
  return {400, hc::kInvalidParam, "Invalid parameter: " + why};
}

std::string HuaweiTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

json NullIfEmpty(const std::string& s) { return s.empty() ? json() : json(s); }

// Moves the string at `slot` into a Secret and wipes the JSON's copy.
std::optional<HuaweiError> TakePassword(json& object, const char* key,
                                        Secret* out) {
  auto it = object.is_object() ? object.find(key) : object.end();
  if (it == object.end() || !it->is_string() ||
      it->get_ref<const std::string&>().empty()) {
    if (it != object.end()) object.erase(it);
    return Invalid(std::string("`") + key + "` must be a non-empty string");
  }
  std::string& text = it->get_ref<std::string&>();
  *out = Secret(text);
  WipeString(text);
  object.erase(it);
  return std::nullopt;
}

std::optional<HuaweiError> CheckIds(const std::vector<std::string>& ids) {
  std::vector<std::string> bad;
  for (const std::string& id : ids) {
    if (!IsWellFormedId(Provider::kHuaweiEcs, id)) bad.push_back(id);
  }
  if (bad.empty()) return std::nullopt;
  return HuaweiError{400, hc::kInvalidServerId,
                     "Invalid server ID: " + Join(bad, ", ") + "."};
}

// servers: [{"id":..}], 1 to 1000 well-formed ids.
std::optional<HuaweiError> ReadServers(const json& option,
                                       std::vector<std::string>* ids) {
  auto it = option.is_object() ? option.find("servers") : option.end();
  if (it == option.end() || !it->is_array() || it->empty()) {
    return Invalid("`servers` must be a non-empty array");
  }
  if (it->size() > kMaxBatch) {
    return HuaweiError{400, hc::kTooMany,
                       "Too many servers in one request: " +
                           std::to_string(it->size()) + " (at most 1000)."};
  }
  for (const json& server : *it) {
    if (!server.is_object() || !server.contains("id") ||
        !server["id"].is_string()) {
      return Invalid("each of `servers` must be {\"id\": string}");
    }
    ids->push_back(server["id"].get<std::string>());
  }
  return CheckIds(*ids);
}

// The fleet's canonical error in ECS words.
HuaweiError Translate(const ApiError& e) {
  std::vector<std::string> parts;
  for (const auto& [id, state] : e.subjects) {
    const HuaweiServerState s = HuaweiStateOf(state, false);
    parts.push_back(state.empty()
                        ? id
                        : id + " (" + s.status +
                              (s.task_state.empty() ? "" : "/" + s.task_state) +
                              ")");
  }
  const std::string who = Join(parts, ", ");
  if (e.code == codes::kInstanceIdNotFound) {
    return {404, hc::kNotExist, "The ECS does not exist: " + who + "."};
  }
  if (e.code == codes::kOperationInProgress) {
    return {409, hc::kInProgress,
            "Other commands are being executed on the ECS: " + who + "."};
  }
  if (e.code.rfind("UnsupportedOperation.InstanceState", 0) == 0) {
    return {409, hc::kBadState,
            "The ECS status does not meet requirements: " + who + "."};
  }
  return {400, hc::kRequestError, e.message};
}

std::string QueryValue(const HuaweiCall& call, const std::string& key,
                       bool* present) {
  *present = false;
  std::string value;
  for (const auto& [k, v] : call.query) {
    if (k == key) {
      *present = true;
      value = v;
    }
  }
  return value;
}

std::optional<HuaweiError> QueryInt(const HuaweiCall& call,
                                    const std::string& key, int64_t min,
                                    int64_t max, int64_t* out) {
  bool present = false;
  const std::string text = QueryValue(call, key, &present);
  if (!present) return std::nullopt;
  try {
    size_t used = 0;
    int64_t v = std::stoll(text, &used);
    if (used == text.size() && v >= min && v <= max) {
      *out = v;
      return std::nullopt;
    }
  } catch (const std::exception&) {
  }
  return Invalid("`" + key + "` must be an integer in [" + std::to_string(min) +
                 ", " + std::to_string(max) + "]");
}

}  // namespace

std::optional<HuaweiRoute> RouteHuawei(const std::string& method,
                                       const std::string& path) {
  std::vector<std::string_view> s = Split(path, '/');
  // s[0] is "" (the leading slash); s[1] the version; s[2] the project.
  if (s.size() < 4 || !s[0].empty() || s[2].empty()) return std::nullopt;
  HuaweiRoute r;
  r.project_id = std::string(s[2]);
  const size_t n = s.size();
  auto is = [&](size_t i, std::string_view word) {
    return i < n && s[i] == word;
  };
  if (is(1, "v2.1")) {
    if (method == "PUT" && n == 6 && is(3, "servers") && !s[4].empty() &&
        is(5, "os-reset-password")) {
      r.api = "NovaResetServerPassword";
      r.server_id = std::string(s[4]);
      return r;
    }
    return std::nullopt;
  }
  if (!is(1, "v1")) return std::nullopt;
  if (is(3, "jobs") && n == 5 && method == "GET" && !s[4].empty()) {
    r.api = "ShowJob";
    r.job_id = std::string(s[4]);
  } else if (!is(3, "cloudservers") || n < 5 || s[4].empty()) {
    return std::nullopt;
  } else if (n == 5 && method == "GET") {
    r.api = s[4] == "detail" ? "ListServersDetails" : "ShowServer";
    r.server_id = s[4] == "detail" ? "" : std::string(s[4]);
  } else if (n == 5 && method == "POST" && s[4] == "action") {
    r.api = "ServerAction";
  } else if (n == 5 && method == "PUT" && s[4] == "os-reset-passwords") {
    r.api = "BatchResetServersPassword";
  } else if (n == 6 && method == "PUT" && s[5] == "os-reset-password") {
    r.api = "ResetServerPassword";
    r.server_id = std::string(s[4]);
  } else {
    return std::nullopt;
  }
  return r;
}

HuaweiServerState HuaweiStateOf(const std::string& c, bool hard_reboot) {
  if (c == "RUNNING") return {"ACTIVE", "", "active", 1};
  if (c == "STOPPED") return {"SHUTOFF", "", "stopped", 4};
  if (c == "STOPPING") return {"ACTIVE", "powering-off", "active", 1};
  if (c == "STARTING") return {"SHUTOFF", "powering-on", "stopped", 4};
  if (c == "REBOOTING") {
    return hard_reboot
               ? HuaweiServerState{"HARD_REBOOT", "reboot_started_hard",
                                   "active", 1}
               : HuaweiServerState{"REBOOT", "reboot_started", "active", 1};
  }
  if (c == "PENDING") return {"BUILD", "spawning", "building", 0};
  if (c == "LAUNCH_FAILED") return {"ERROR", "", "error", 0};
  if (c == "SHUTDOWN") return {"SHUTOFF", "", "stopped", 4, true};
  if (c == "FREEZING") return {"ACTIVE", "", "active", 1, true};
  if (c == "TERMINATING" || c == "DELETING") {
    return {"ACTIVE", "deleting", "active", 1};
  }
  if (c == "ENTER_RESCUE_MODE") return {"ACTIVE", "rescuing", "active", 1};
  if (c == "RESCUE_MODE") return {"RESCUE", "", "rescued", 1};
  if (c == "EXIT_RESCUE_MODE") return {"RESCUE", "unrescuing", "rescued", 1};
  if (c.find("LIVE_MIGRATE") != std::string::npos) {
    return {"MIGRATING", "migrating", "active", 1};
  }
  return {"UNKNOWN", "", "error", 0};
}

std::string ServerActionApi(const json& body) {
  if (!body.is_object() || body.size() != 1) return "";
  if (body.contains("os-stop")) return "BatchStopServers";
  if (body.contains("os-start")) return "BatchStartServers";
  if (body.contains("reboot")) return "BatchRebootServers";
  return "";
}

std::map<std::string, int> HuaweiDefaultRates() {
  std::map<std::string, int> rates;
  for (const char* api :
       {"ListServersDetails", "ShowServer", "BatchStopServers",
        "BatchStartServers", "BatchRebootServers", "ResetServerPassword",
        "NovaResetServerPassword", "BatchResetServersPassword", "ShowJob"}) {
    rates[api] = 10;
  }
  return rates;
}

// ---- Jobs -----------------------------------------------------------------

namespace {

std::string SubJobType(const std::string& type) {
  if (type == "batchStopServers") return "stopServer";
  if (type == "batchStartServers") return "startServer";
  return "rebootServer";
}

// One server's part of a job: SUCCESS, RUNNING or FAIL, and why it failed.
std::pair<std::string, std::string> SubJobStatus(Fleet& fleet,
                                                 const Scope& scope,
                                                 const std::string& id,
                                                 const std::string& job_id) {
  std::vector<InstanceView> views = fleet.Describe(scope, {id});
  if (views.empty()) return {"FAIL", "The ECS does not exist."};
  const InstanceView& v = views.front();
  // The fleet refuses a new operation while one runs: another id means ours
  // finished before it started.
  if (v.latest_operation_request_id != job_id) return {"SUCCESS", ""};
  if (v.latest_operation_state == "OPERATING") return {"RUNNING", ""};
  if (v.latest_operation_state == "FAILED") {
    return {"FAIL", v.latest_operation_error_msg};
  }
  return {"SUCCESS", ""};
}

}  // namespace

std::string HuaweiJobs::NewJobId() { return HexEncode(RandomBytes(16)); }

void HuaweiJobs::Add(const std::string& job_id, const Scope& scope,
                     const std::string& type, bool hard,
                     const std::vector<std::string>& ids, absl::Time now) {
  absl::MutexLock lock(&mu_);
  jobs_[job_id] = Job{scope, type, hard, ids, now, std::nullopt};
}

bool HuaweiJobs::IsHardReboot(const std::string& job_id) const {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(job_id);
  return it != jobs_.end() && it->second.hard;
}

std::optional<json> HuaweiJobs::Show(Fleet& fleet, const Scope& scope,
                                     const std::string& job_id,
                                     absl::Time now) {
  Job job;
  {
    absl::MutexLock lock(&mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end() || it->second.scope.region != scope.region) {
      return std::nullopt;
    }
    job = it->second;
  }
  json subs = json::array();
  bool running = false, failed = false;
  for (const std::string& id : job.ids) {
    auto [status, reason] = SubJobStatus(fleet, scope, id, job_id);
    running |= status == "RUNNING";
    failed |= status == "FAIL";
    subs.push_back(
        {{"job_id", Sha256Hex(job_id + id).substr(0, 32)},
         {"job_type", SubJobType(job.type)},
         {"status", status},
         {"begin_time", HuaweiTime(job.begin)},
         {"end_time", status == "RUNNING" ? "" : HuaweiTime(now)},
         {"error_code", status == "FAIL" ? json("Ecs.0002") : json()},
         {"fail_reason", NullIfEmpty(reason)},
         {"entities", {{"server_id", id}}}});
  }
  if (!running) {
    absl::MutexLock lock(&mu_);
    auto& end = jobs_[job_id].end;
    if (!end) end = now;
    job.end = end;
  }
  const std::string status = running ? "RUNNING" : failed ? "FAIL" : "SUCCESS";
  return json{
      {"job_id", job_id},
      {"job_type", job.type},
      {"status", status},
      {"begin_time", HuaweiTime(job.begin)},
      {"end_time", job.end ? HuaweiTime(*job.end) : ""},
      {"error_code", failed ? json("Ecs.0611") : json()},
      {"fail_reason",
       failed ? json("Some servers of the batch failed.") : json()},
      {"entities", {{"sub_jobs_total", job.ids.size()}, {"sub_jobs", subs}}}};
}

// ---- APIs -----------------------------------------------------------------

namespace {

json ServerJson(const InstanceView& v, const std::string& project_id,
                bool hard_reboot) {
  const HuaweiServerState s = HuaweiStateOf(v.state, hard_reboot);
  const bool windows = v.spec.os_type == OsType::kWindows;
  const std::string name = v.spec.name.empty()
                               ? "ecs-" + v.spec.instance_id.substr(0, 8)
                               : v.spec.name;
  json fault;
  if (s.status == "ERROR") {
    fault = {{"code", 500},
             {"message", "Build of instance failed (fakecloud)."},
             {"created", "2024-01-01T00:00:00Z"}};
  }
  return {
      {"id", v.spec.instance_id},
      {"name", name},
      {"status", s.status},
      {"OS-EXT-STS:task_state", NullIfEmpty(s.task_state)},
      {"OS-EXT-STS:vm_state", s.vm_state},
      {"OS-EXT-STS:power_state", s.power_state},
      {"locked", s.locked},
      {"fault", fault},
      {"tenant_id", project_id},
      {"user_id", "fakecloud0000000000000000000user"},
      {"OS-EXT-AZ:availability_zone", v.spec.zone},
      {"OS-EXT-SRV-ATTR:hostname", name},
      {"created", "2024-01-01T00:00:00Z"},
      {"updated", "2024-01-01T00:00:00Z"},
      {"flavor",
       {{"id", "s6.small.1"},
        {"name", "s6.small.1"},
        {"vcpus", "1"},
        {"ram", "1024"},
        {"disk", "0"}}},
      {"image",
       {{"id", windows ? "fakecloud-image-windows" : "fakecloud-image-linux"}}},
      {"metadata",
       {{"os_type", windows ? "Windows" : "Linux"},
        {"image_name", windows ? "Windows Server 2019 Datacenter 64bit"
                               : "Ubuntu 22.04 server 64bit"},
        {"charging_mode", "0"}}},
      {"addresses", json::object()},
      {"key_name", nullptr},
      {"tags", json::array()},
      {"sys_tags", json::array()},
      {"description", ""},
      {"enterprise_project_id", "0"}};
}

HuaweiResult ListServersDetails(Fleet& fleet, HuaweiJobs& jobs,
                                HuaweiCall& call) {
  int64_t limit = 25, page = 1;
  if (auto e = QueryInt(call, "limit", 1, 1000, &limit)) return {e};
  if (auto e = QueryInt(call, "offset", 1, INT32_MAX, &page)) return {e};
  bool has_ids = false, has_status = false;
  std::vector<std::string> ids;
  const std::string id_list = QueryValue(call, "server_id", &has_ids);
  for (std::string_view id : Split(id_list, ','))
    if (!Trim(id).empty()) ids.emplace_back(Trim(id));
  const std::string status = QueryValue(call, "status", &has_status);
  std::vector<InstanceView> views;
  if (!has_ids || !ids.empty()) views = fleet.Describe(call.scope, ids);
  json servers = json::array();
  size_t count = 0;
  for (const InstanceView& v : views) {
    const bool hard = jobs.IsHardReboot(v.latest_operation_request_id);
    json server = ServerJson(v, call.route.project_id, hard);
    // server_id wins over every other filter, as documented.
    if (ids.empty() && has_status && server["status"] != status) continue;
    if (count++ < static_cast<size_t>((page - 1) * limit)) continue;
    if (servers.size() < static_cast<size_t>(limit)) servers.push_back(server);
  }
  HuaweiResult r{std::nullopt, 200, {{"count", count}, {"servers", servers}}};
  r.ids = ids;
  return r;
}

HuaweiResult ShowServer(Fleet& fleet, HuaweiJobs& jobs, HuaweiCall& call) {
  const std::string& id = call.route.server_id;
  HuaweiResult r;
  r.ids = {id};
  if (auto e = CheckIds({id})) return r.error = e, r;
  std::vector<InstanceView> views = fleet.Describe(call.scope, {id});
  if (views.empty()) {
    r.error =
        HuaweiError{404, hc::kNotExist, "The ECS does not exist: " + id + "."};
    return r;
  }
  const bool hard = jobs.IsHardReboot(views[0].latest_operation_request_id);
  r.body = {{"server", ServerJson(views[0], call.route.project_id, hard)}};
  return r;
}

HuaweiResult ServerAction(Fleet& fleet, HuaweiJobs& jobs, HuaweiCall& call) {
  HuaweiResult r;
  r.api = ServerActionApi(call.body);
  if (r.api.empty()) {
    r.error = Invalid("the body must hold one of os-stop, os-start, reboot");
    return r;
  }
  const json& option = call.body.begin().value();
  if (auto e = ReadServers(option, &r.ids)) return r.error = e, r;
  const bool stop = r.api == "BatchStopServers";
  const bool start = r.api == "BatchStartServers";
  std::string type = "SOFT";
  if (!start && (option.contains("type") || !stop)) {
    auto t = option.find("type");
    if (t == option.end() || !t->is_string() ||
        (*t != "SOFT" && *t != "HARD")) {
      r.error = Invalid("`type` must be SOFT or HARD");
      return r;
    }
    type = t->get<std::string>();
  }
  const std::string job_type = stop    ? "batchStopServers"
                               : start ? "batchStartServers"
                                       : "batchRebootServers";
  const PowerAction action = stop    ? PowerAction::kStop
                             : start ? PowerAction::kStart
                                     : PowerAction::kReboot;
  // The job id is the fleet's operation id; the job exists once accepted.
  const std::string job_id = HuaweiJobs::NewJobId();
  if (auto e = fleet.Power(action, call.scope, r.ids, job_id)) {
    r.error = Translate(*e);
    return r;
  }
  jobs.Add(job_id, call.scope, job_type, !stop && !start && type == "HARD",
           r.ids, call.now);
  r.body = {{"job_id", job_id}};
  return r;
}

ResetOptions HuaweiResetOptions(const std::string& api) {
  ResetOptions options;
  options.mode = ResetMode::kAppliesAtNextBoot;
  options.check = nullptr;  // Huawei checks nothing and reports nothing
  options.operation = api;
  options.write_delay = DelayRange{};  // a synchronous 204
  return options;
}

HuaweiResult ResetOne(Fleet& fleet, HuaweiJobs&, HuaweiCall& call) {
  HuaweiResult r;
  const std::string& id = call.route.server_id;
  r.ids = {id};
  auto option = call.body.is_object() ? call.body.find("reset-password")
                                      : call.body.end();
  if (option == call.body.end() || !option->is_object()) {
    r.error = Invalid("`reset-password` must be an object");
    return r;
  }
  Secret password;
  std::optional<HuaweiError> missing =
      TakePassword(*option, "new_password", &password);
  auto check = option->find("is_check_password");
  if (check != option->end() && !check->is_boolean()) {
    r.error = Invalid("`is_check_password` must be a boolean");
  } else if (auto e = CheckIds({id})) {
    r.error = e;
  } else {
    r.error = missing;
  }
  if (r.error) return r;
  if (auto e = fleet.ResetPassword(call.scope, {id}, password,
                                   HuaweiResetOptions(call.route.api),
                                   call.request_id)) {
    r.error = Translate(*e);
    return r;
  }
  r.status = 204;
  return r;
}

HuaweiResult ResetBatch(Fleet& fleet, HuaweiJobs&, HuaweiCall& call) {
  HuaweiResult r;
  Secret password;
  std::optional<HuaweiError> missing =
      TakePassword(call.body, "new_password", &password);
  if (auto e = ReadServers(call.body, &r.ids)) return r.error = e, r;
  if (missing) return r.error = missing, r;
  auto dry = call.body.find("dry_run");
  if (dry != call.body.end() && !dry->is_boolean()) {
    return r.error = Invalid("`dry_run` must be a boolean"), r;
  }
  if (dry != call.body.end() && dry->get<bool>()) {
    // Checks only: every server must exist here.
    if (fleet.Describe(call.scope, r.ids).size() <
        std::set<std::string>(r.ids.begin(), r.ids.end()).size()) {
      ApiError e{codes::kInstanceIdNotFound, ""};
      std::set<std::string> found;
      for (const auto& v : fleet.Describe(call.scope, r.ids))
        found.insert(v.spec.instance_id);
      for (const auto& id : r.ids)
        if (!found.count(id)) e.subjects.emplace_back(id, "");
      return r.error = Translate(e), r;
    }
    r.status = 204;
    return r;
  }
  if (auto e = fleet.ResetPassword(call.scope, r.ids, password,
                                   HuaweiResetOptions(call.route.api),
                                   call.request_id)) {
    return r.error = Translate(*e), r;
  }
  json response = json::array();
  for (const std::string& id : r.ids) response.push_back({{"id", id}});
  r.body = {{"response", response}};
  return r;
}

HuaweiResult ShowJob(Fleet& fleet, HuaweiJobs& jobs, HuaweiCall& call) {
  HuaweiResult r;
  std::optional<json> job =
      jobs.Show(fleet, call.scope, call.route.job_id, call.now);
  if (!job) {
    r.error = HuaweiError{404, hc::kRequestError,
                          "The job " + call.route.job_id + " does not exist."};
    return r;
  }
  for (const json& sub : (*job)["entities"]["sub_jobs"])
    r.ids.push_back(sub["entities"]["server_id"]);
  r.body = std::move(*job);
  return r;
}

}  // namespace

HuaweiResult RunHuaweiApi(Fleet& fleet, HuaweiJobs& jobs, HuaweiCall& call) {
  using Fn = HuaweiResult (*)(Fleet&, HuaweiJobs&, HuaweiCall&);
  static const auto* apis =
      new std::map<std::string, Fn>{{"ListServersDetails", &ListServersDetails},
                                    {"ShowServer", &ShowServer},
                                    {"ServerAction", &ServerAction},
                                    {"ResetServerPassword", &ResetOne},
                                    {"NovaResetServerPassword", &ResetOne},
                                    {"BatchResetServersPassword", &ResetBatch},
                                    {"ShowJob", &ShowJob}};
  auto it = apis->find(call.route.api);
  if (it == apis->end()) {
    return {HuaweiError{400, hc::kRequestError, "unknown API"}};
  }
  return it->second(fleet, jobs, call);
}

}  // namespace resetd::fakecloud
