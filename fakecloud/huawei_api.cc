#include "fakecloud/huawei_api.h"

#include <cstdlib>

#include "common/crypto.h"
#include "fakecloud/huawei_auth.h"
#include "spdlog/spdlog.h"

namespace resetd::fakecloud {

namespace {

using nlohmann::json;

constexpr char kAdminPath[] = "/_fake/huawei/projects";

// A 32-hex-digit id, the form of Huawei's X-Request-Id.
std::string NewHuaweiRequestId() { return HexEncode(RandomBytes(16)); }

double UnixMillis(absl::Time t) {
  return static_cast<double>(absl::ToUnixMicros(t)) / 1000.0;
}

// Removes (and wipes) every new_password a request carried, wherever an
// API puts it, so that no log or call record can hold it.
void ScrubPasswords(json& body) {
  if (!body.is_object()) return;
  for (json* holder :
       {&body, body.contains("reset-password") ? &body["reset-password"]
                                               : static_cast<json*>(nullptr)}) {
    if (holder == nullptr || !holder->is_object()) continue;
    auto it = holder->find("new_password");
    if (it == holder->end()) continue;
    if (it->is_string()) WipeString(it->get_ref<std::string&>());
    holder->erase(it);
  }
}

std::string Header(const ApiRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

}  // namespace

// What one answer is: an ECS error, a gateway error, or a success.
struct HuaweiApi::Outcome {
  std::optional<HuaweiError> error;
  std::optional<HuaweiGatewayError> gateway_error;
  int status = 200;
  json body;  // null = no body
};

std::map<std::string, Secret> HuaweiCredentialsFromEnv() {
  const char* ak = std::getenv("HUAWEICLOUD_SDK_AK");
  const char* sk = std::getenv("HUAWEICLOUD_SDK_SK");
  std::map<std::string, Secret> credentials;
  if (ak != nullptr && sk != nullptr && *ak != '\0' && *sk != '\0') {
    credentials.emplace(ak, Secret(sk));
  } else {
    credentials.emplace(kDefaultHuaweiAk, Secret(kDefaultHuaweiSk));
  }
  return credentials;
}

std::string HuaweiProjectId(const std::string& region) {
  return Sha256Hex("fakecloud-huawei-project/" + region).substr(0, 32);
}

HuaweiApi::HuaweiApi(Fleet& fleet, RateWindow& rates, CallLog& calls,
                     const Clock& clock, FaultInjector& faults,
                     HuaweiOptions options)
    : fleet_(fleet),
      rates_(rates),
      calls_(calls),
      clock_(clock),
      faults_(faults),
      credentials_(options.credentials.empty() ? HuaweiCredentialsFromEnv()
                                               : options.credentials),
      rate_limits_(std::move(options.rates)),
      max_skew_(options.max_skew) {
  for (const InstanceView& v : fleet_.Snapshot()) {
    projects_[v.spec.region] = HuaweiProjectId(v.spec.region);
  }
  for (const auto& [region, id] : options.project_ids) projects_[region] = id;
}

bool HuaweiApi::Accepts(const ApiRequest& r) const {
  return r.path.rfind("/v1/", 0) == 0 || r.path.rfind("/v2.1/", 0) == 0 ||
         (r.path == kAdminPath && r.method == "GET");
}

int HuaweiApi::RateFor(const std::string& api) const {
  auto it = rate_limits_.find(api);
  if (it != rate_limits_.end()) return it->second;
  static const auto* defaults =
      new std::map<std::string, int>(HuaweiDefaultRates());
  auto d = defaults->find(api);
  return d == defaults->end() ? 10 : d->second;
}

// Signature, project, rate limit, injected fault: nullopt = go on.
std::optional<HuaweiApi::Outcome> HuaweiApi::CheckGateway(
    const ApiRequest& r, const HuaweiRoute& route, CallRecord& record) {
  if (auto e = VerifySdkSignature(r, credentials_, clock_.Now(), max_skew_,
                                  &record.secret_id)) {
    return Outcome{std::nullopt, *e};
  }
  const std::string header_project = Header(r, "x-project-id");
  for (const auto& [region, id] : projects_) {
    if (id == route.project_id) record.region = region;
  }
  if (record.region.empty() ||
      (!header_project.empty() && header_project != route.project_id)) {
    return Outcome{HuaweiError{403, huawei_codes::kProjectMismatch,
                               "The project ID " + route.project_id +
                                   " in the URL does not match the project "
                                   "of the request's credentials."}};
  }
  const int limit = RateFor(record.action);
  if (!rates_.TryAcquire("huawei|" + record.secret_id + "|" + route.project_id +
                             "|" + record.action,
                         limit)) {
    return Outcome{
        std::nullopt,
        HuaweiGatewayError{429, "APIGW.0308",
                           "The throttling threshold has been reached: policy "
                           "user over ratelimit,limit:" +
                               std::to_string(limit) + ",time:1 second"}};
  }
  if (faults_.DrawError(1) == 0) {
    return Outcome{HuaweiError{500, "Ecs.0002",
                               "A system exception occurred. Try again later "
                               "or contact customer service. (injected by "
                               "fakecloud)"}};
  }
  return std::nullopt;
}

HuaweiApi::Outcome HuaweiApi::Process(const ApiRequest& r, CallRecord& record) {
  std::optional<HuaweiRoute> route = RouteHuawei(r.method, r.path);
  if (!route) {
    record.action = r.method + " " + r.path;
    return Outcome{std::nullopt,
                   HuaweiGatewayError{404, "APIGW.0101",
                                      "The API does not exist or has not "
                                      "been published in the environment"}};
  }
  HuaweiCall call{*route,
                  Scope{Provider::kHuaweiEcs, ""},
                  record.request_id,
                  clock_.Now(),
                  DecodeQuery(r.query),
                  json()};
  bool bad_body = false;
  if (!r.body.empty()) {
    call.body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    bad_body = call.body.is_discarded() || !call.body.is_object();
    if (bad_body) call.body = json();
  }
  record.action =
      route->api == "ServerAction" && !ServerActionApi(call.body).empty()
          ? ServerActionApi(call.body)
          : route->api;
  Outcome outcome;
  if (auto gateway = CheckGateway(r, *route, record)) {
    outcome = std::move(*gateway);
  } else if (bad_body) {
    outcome.error = HuaweiError{400, "Ecs.0005", "request body is illegal."};
  } else {
    call.scope.region = record.region;
    HuaweiResult result = RunHuaweiApi(fleet_, jobs_, call);
    record.instance_ids = std::move(result.ids);
    outcome = Outcome{result.error, std::nullopt, result.status,
                      std::move(result.body)};
  }
  ScrubPasswords(call.body);
  record.params = call.body.is_null() ? json::object() : std::move(call.body);
  for (const auto& [k, v] : call.query) record.params[k] = v;
  return outcome;
}

ApiReply HuaweiApi::Handle(const ApiRequest& r) {
  ApiReply reply;
  const std::string request_id = NewHuaweiRequestId();
  reply.headers["X-Request-Id"] = request_id;
  if (r.path == kAdminPath) {
    reply.body = json(projects_).dump();
    return reply;
  }
  CallRecord record;
  record.time_ms = UnixMillis(clock_.Now());
  record.provider = std::string(ProviderName(Provider::kHuaweiEcs));
  record.request_id = request_id;
  Outcome outcome = Process(r, record);
  if (outcome.gateway_error) {
    reply.status = outcome.gateway_error->status;
    reply.body = json{
        {"error_code", outcome.gateway_error->code},
        {"error_msg", outcome.gateway_error->message},
        {"request_id",
         request_id}}.dump();
    record.result = outcome.gateway_error->code;
  } else if (outcome.error) {
    reply.status = outcome.error->status;
    reply.body = json{{"error",
                       {{"code", outcome.error->code},
                        {"message", outcome.error->message}}}}
                     .dump();
    record.result = outcome.error->code;
  } else {
    reply.status = outcome.status;
    if (!outcome.body.is_null()) reply.body = outcome.body.dump();
    record.result = "OK";
  }
  spdlog::info(
      "api provider={} action={} region={} secret_id={} ids={} result={} "
      "status={} request_id={}",
      record.provider, record.action, record.region, record.secret_id,
      record.instance_ids.size(), record.result, reply.status, request_id);
  calls_.Add(std::move(record));
  absl::Duration latency = faults_.DrawLatency();
  if (latency > absl::ZeroDuration()) absl::SleepFor(latency);
  return reply;
}

}  // namespace resetd::fakecloud
