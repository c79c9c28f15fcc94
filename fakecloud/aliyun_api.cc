#include "fakecloud/aliyun_api.h"

#include <cstdlib>

#include "common/crypto.h"
#include "fakecloud/aliyun_actions.h"
#include "fakecloud/tc3_gateway.h"
#include "fakecloud/text.h"
#include "spdlog/spdlog.h"

namespace resetd::fakecloud {

namespace {

namespace ac = aliyun_codes;

constexpr char kVersion[] = "2014-05-26";

constexpr const char* kPublicRegions[] = {
    "cn-hangzhou",    "cn-shanghai",    "cn-beijing",     "cn-shenzhen",
    "cn-qingdao",     "cn-zhangjiakou", "cn-huhehaote",   "cn-wulanchabu",
    "cn-chengdu",     "cn-guangzhou",   "cn-heyuan",      "cn-hongkong",
    "ap-southeast-1", "ap-southeast-3", "ap-southeast-5", "ap-southeast-6",
    "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "us-west-1",
    "us-east-1",      "eu-central-1",   "eu-west-1",      "me-east-1",
    "me-central-1"};

// Parameters that never reach the call log or a log line.
constexpr const char* kSecretParams[] = {"Password", "VncPassword",
                                         "Signature"};

std::string Header(const ApiRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

bool HasFormParam(std::string_view form, std::string_view name) {
  for (std::string_view pair : Split(form, '&')) {
    if (pair.substr(0, pair.find('=')) == name) return true;
  }
  return false;
}

double UnixMillis(absl::Time t) {
  return static_cast<double>(absl::ToUnixMicros(t)) / 1000.0;
}

// ECS RequestIds are upper-case UUIDs.
std::string NewAliyunRequestId() {
  std::string id = NewRequestId();
  for (char& c : id) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return id;
}

nlohmann::json LoggedParams(const AliyunParams& params) {
  nlohmann::json logged = nlohmann::json::object();
  for (const auto& [name, value] : params) {
    bool secret = false;
    for (const char* s : kSecretParams) secret = secret || name == s;
    if (!secret) logged[name] = value;
  }
  return logged;
}

}  // namespace

struct AliyunApi::Call {
  CallRecord record;
  AliyunParams params;
  AliyunCaller caller;
  std::string host;
};

std::map<std::string, Secret> AliyunCredentialsFromEnv() {
  const char* id = std::getenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
  const char* key = std::getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  std::map<std::string, Secret> credentials;
  if (id != nullptr && key != nullptr && *id != '\0' && *key != '\0') {
    credentials.emplace(id, Secret(key));
  } else {
    credentials.emplace(kDefaultAliyunAccessKeyId,
                        Secret(kDefaultAliyunAccessKeySecret));
  }
  return credentials;
}

namespace {
std::map<std::string, Secret> OrDefault(std::map<std::string, Secret> c) {
  if (c.empty()) {
    c.emplace(kDefaultAliyunAccessKeyId, Secret(kDefaultAliyunAccessKeySecret));
  }
  return c;
}
}  // namespace

AliyunApi::AliyunApi(Fleet& fleet, RateWindow& rates, CallLog& calls,
                     const Clock& clock, FaultInjector& faults,
                     AliyunOptions options)
    : fleet_(fleet),
      rates_(rates),
      calls_(calls),
      clock_(clock),
      faults_(faults),
      verifier_(OrDefault(std::move(options.credentials)), clock,
                options.max_skew),
      rate_limits_(std::move(options.rates)),
      regions_(std::move(options.extra_regions)) {
  regions_.insert(std::begin(kPublicRegions), std::end(kPublicRegions));
  for (const InstanceView& v : fleet_.Snapshot()) {
    if (v.spec.provider == Provider::kAliyunEcs) regions_.insert(v.spec.region);
  }
}

bool AliyunApi::Accepts(const ApiRequest& r) const {
  if (r.path != "/") return false;
  for (const auto& [name, value] : r.headers) {
    if (name.rfind("x-acs-", 0) == 0) return true;
  }
  if (HasFormParam(r.query, "Action")) return true;
  return r.method == "POST" &&
         Lower(Header(r, "content-type")).find("x-www-form-urlencoded") !=
             std::string::npos &&
         HasFormParam(r.body, "Action");
}

int AliyunApi::RateFor(const std::string& action) const {
  auto it = rate_limits_.find(action);
  if (it != rate_limits_.end()) return it->second;
  const auto defaults = AliyunDefaultRates();
  auto d = defaults.find(action);
  return d == defaults.end() ? 20 : d->second;
}

std::optional<AliyunError> AliyunApi::MaybeInjectError() {
  switch (faults_.DrawError(2)) {
    case 0:
      return AliyunError{500, ac::kInternalError,
                         "The request processing has failed due to some "
                         "unknown error, exception or failure (injected by "
                         "fakecloud)."};
    case 1:
      return AliyunError{503, ac::kServiceUnavailable,
                         "The request has failed due to a temporary failure "
                         "of the server (injected by fakecloud)."};
    default:
      return std::nullopt;
  }
}

// RegionId, or for ModifyInstanceAttribute (which has none) the region of
// its instance.
std::optional<AliyunError> AliyunApi::CheckRegion(Call& call) {
  auto it = call.params.find("RegionId");
  if (it == call.params.end() || it->second.empty()) {
    if (!AliyunActionWithoutRegion(call.caller.action)) {
      return AliyunError{400, ac::kMissingRegionId,
                         "RegionId is mandatory for this action."};
    }
    auto id = call.params.find("InstanceId");
    call.record.region = id == call.params.end()
                             ? ""
                             : AliyunInstanceRegion(fleet_, id->second);
    return std::nullopt;
  }
  call.record.region = it->second;
  if (!regions_.count(call.record.region)) {
    return AliyunError{404, ac::kInvalidRegionId,
                       "The specified RegionId does not exist."};
  }
  return std::nullopt;
}

// Signature, version, action, region, flow control, injected failure.
std::optional<AliyunError> AliyunApi::CheckGateway(const ApiRequest& r,
                                                   Call& call) {
  std::optional<AliyunError> auth =
      verifier_.Verify(r, call.params, &call.caller);
  call.record.secret_id = call.caller.access_key_id;
  if (!call.caller.action.empty()) call.record.action = call.caller.action;
  if (auth) return auth;
  if (call.caller.version != kVersion) {
    return AliyunError{400, ac::kInvalidVersion,
                       "Specified parameter Version is not valid."};
  }
  if (!AliyunActions().count(call.caller.action)) {
    return AliyunError{404, ac::kInvalidAction,
                       "Specified api is not found, please check your url "
                       "and method."};
  }
  if (auto e = CheckRegion(call)) return e;
  const std::string& action = call.caller.action;
  if (!rates_.TryAcquire("aliyun_ecs|" + call.caller.access_key_id + "|" +
                             call.record.region + "|" + action,
                         RateFor(action))) {
    return AliyunError{400, ac::kThrottling,
                       "Request was denied due to user flow control."};
  }
  return MaybeInjectError();
}

void AliyunApi::Record(Call& call, const std::optional<AliyunError>& error) {
  call.record.instance_ids = AliyunIdsOf(call.params);
  call.record.params = LoggedParams(call.params);
  call.record.result = error ? error->code : "OK";
  spdlog::info(
      "api provider={} action={} region={} secret_id={} ids={} result={} "
      "request_id={}",
      call.record.provider, call.record.action, call.record.region,
      call.record.secret_id, call.record.instance_ids.size(),
      call.record.result, call.record.request_id);
  calls_.Add(std::move(call.record));
}

ApiReply AliyunApi::Handle(const ApiRequest& r) {
  Call call;
  call.record.time_ms = UnixMillis(clock_.Now());
  call.record.provider = std::string(ProviderName(Provider::kAliyunEcs));
  call.record.request_id = NewAliyunRequestId();
  call.record.action = Header(r, "x-acs-action");
  call.params = ParseAliyunParams(r);
  call.host = Header(r, "host");
  const std::string request_id = call.record.request_id;
  AliyunResult result;
  result.error = CheckGateway(r, call);
  if (!result.error) {
    AliyunContext context{call.record.region, request_id};
    result = AliyunActions().at(call.caller.action)(fleet_, context,
                                                   call.params);
  }
  Record(call, result.error);
  WipeAliyunParams(call.params);
  absl::Duration latency = faults_.DrawLatency();
  if (latency > absl::ZeroDuration()) absl::SleepFor(latency);
  ApiReply reply;
  nlohmann::json body = std::move(result.payload);
  if (result.error) {
    reply.status = result.error->http_status;
    body = {{"Code", result.error->code},
            {"Message", result.error->message},
            {"HostId", call.host.empty() ? "ecs.aliyuncs.com" : call.host},
            {"Recommend", "https://api.aliyun.com/troubleshoot?q=" +
                              result.error->code +
                              "&product=Ecs&requestId=" + request_id}};
  }
  body["RequestId"] = request_id;
  reply.body = body.dump();
  reply.headers["x-acs-request-id"] = request_id;
  return reply;
}

}  // namespace resetd::fakecloud
