#include "fakecloud/tencent_api.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "common/crypto.h"
#include "common/secret.h"
#include "fakecloud/request_params.h"
#include "fakecloud/tencent_actions.h"
#include "spdlog/spdlog.h"

namespace resetd::fakecloud {

namespace {

constexpr char kVersion[] = "2017-03-12";

constexpr const char* kPublicRegions[] = {
    "ap-guangzhou",  "ap-shanghai",      "ap-nanjing",      "ap-beijing",
    "ap-chengdu",    "ap-chongqing",     "ap-hongkong",     "ap-singapore",
    "ap-jakarta",    "ap-seoul",         "ap-tokyo",        "ap-bangkok",
    "ap-mumbai",     "na-siliconvalley", "na-ashburn",      "na-toronto",
    "eu-frankfurt",  "sa-saopaulo",      "ap-shanghai-fsi", "ap-shenzhen-fsi",
    "ap-beijing-fsi"};

std::string Header(const ApiRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

ApiError Missing(const char* name) {
  return {codes::kMissingParameter,
          std::string("The request is missing a required parameter `") + name +
              "`."};
}

double UnixMillis(absl::Time t) {
  return static_cast<double>(absl::ToUnixMicros(t)) / 1000.0;
}

std::vector<std::string> IdsOf(const nlohmann::json& params) {
  std::vector<std::string> ids;
  auto it = params.find("InstanceIds");
  if (it == params.end() || !it->is_array()) return ids;
  for (const nlohmann::json& id : *it) {
    if (id.is_string()) ids.push_back(id.get<std::string>());
  }
  return ids;
}

// Removes (and wipes) a Password the action did not take.
void ScrubPassword(nlohmann::json& params) {
  auto it = params.find("Password");
  if (it == params.end()) return;
  if (it->is_string()) WipeString(it->get_ref<std::string&>());
  params.erase(it);
}

}  // namespace

struct TencentApi::Outcome {
  std::optional<ApiError> error;
  nlohmann::json payload = nlohmann::json::object();
};

std::map<std::string, int> DefaultRates() {
  return {{"DescribeInstances", 40}, {"DescribeInstancesStatus", 40},
          {"StopInstances", 10},     {"StartInstances", 10},
          {"RebootInstances", 10},   {"ResetInstancesPassword", 10}};
}

std::string NewRequestId() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

bool IsPublicRegion(const std::string& region) {
  return std::find(std::begin(kPublicRegions), std::end(kPublicRegions),
                   region) != std::end(kPublicRegions);
}

TencentApi::TencentApi(Fleet& fleet, const Tc3Verifier& verifier,
                       RateWindow& rates, CallLog& calls, const Clock& clock,
                       ApiOptions options)
    : fleet_(fleet),
      verifier_(verifier),
      rates_(rates),
      calls_(calls),
      clock_(clock),
      rate_limits_(std::move(options.rates)),
      extra_regions_(std::move(options.extra_regions)),
      faults_(options.faults),
      rng_(options.seed) {}

int TencentApi::RateFor(const std::string& action) const {
  auto it = rate_limits_.find(action);
  if (it != rate_limits_.end()) return it->second;
  std::map<std::string, int> defaults = DefaultRates();
  auto d = defaults.find(action);
  return d == defaults.end() ? 10 : d->second;
}

void TencentApi::SetFaults(const FaultOptions& faults) {
  absl::MutexLock lock(&mu_);
  faults_ = faults;
}

FaultOptions TencentApi::faults() const {
  absl::MutexLock lock(&mu_);
  return faults_;
}

std::optional<ApiError> TencentApi::MaybeInjectError() {
  absl::MutexLock lock(&mu_);
  if (faults_.error_rate <= 0) return std::nullopt;
  std::uniform_real_distribution<double> chance(0, 1);
  if (chance(rng_) >= faults_.error_rate) return std::nullopt;
  if (rng_() % 2 == 0) {
    return ApiError{codes::kInternalError,
                    "An internal error occurred (injected by fakecloud)."};
  }
  return ApiError{codes::kInternalServerError,
                  "Internal server error (injected by fakecloud)."};
}

absl::Duration TencentApi::DrawLatency() {
  absl::MutexLock lock(&mu_);
  const DelayRange& r = faults_.latency;
  if (r.max <= r.min) return r.min;
  std::uniform_int_distribution<int64_t> dist(
      0, absl::ToInt64Milliseconds(r.max - r.min));
  return r.min + absl::Milliseconds(dist(rng_));
}

// The gateway's checks, in the order fakecloud applies them: signature,
// version, action, region, rate limit, injected failure.
std::optional<ApiError> TencentApi::CheckGateway(const ApiRequest& r,
                                                 CallRecord& record) {
  SignedRequest signed_request{r.method, r.query, r.body, &r.headers};
  if (auto e = verifier_.Verify(signed_request, &record.secret_id)) return e;
  const std::string version = Header(r, "x-tc-version");
  if (version.empty()) return Missing("Version");
  if (version != kVersion) {
    return ApiError{codes::kNoSuchVersion,
                    "The API version `" + version + "` does not exist."};
  }
  if (record.action.empty()) return Missing("Action");
  if (FindAction(record.action) == nullptr) {
    return ApiError{codes::kInvalidAction,
                    "The action `" + record.action + "` does not exist."};
  }
  if (record.region.empty()) return Missing("Region");
  if (!IsPublicRegion(record.region) && !extra_regions_.count(record.region)) {
    return ApiError{codes::kInvalidParameterValue,
                    "A value specified in `X-TC-Region` is not valid, is "
                    "unsupported, or cannot be used."};
  }
  std::string key =
      record.secret_id + "|" + record.region + "|" + record.action;
  if (!rates_.TryAcquire(key, RateFor(record.action))) {
    return ApiError{codes::kRequestLimitExceeded,
                    "Your current request times exceeds the limit of " +
                        std::to_string(RateFor(record.action)) +
                        " per second of `" + record.action +
                        "`, please try again later."};
  }
  return MaybeInjectError();
}

TencentApi::Outcome TencentApi::Process(const ApiRequest& r,
                                        CallRecord& record) {
  nlohmann::json params;
  std::optional<ApiError> parse_error = ParseRequestParams(
      r.method, Header(r, "content-type"), r.query, r.body, &params);
  Outcome outcome;
  if (auto e = CheckGateway(r, record)) {
    outcome.error = e;
  } else if (parse_error) {
    outcome.error = parse_error;
  } else {
    ActionContext context{record.region, record.request_id};
    ActionResult result = FindAction(record.action)(fleet_, context, params);
    outcome = {result.error, std::move(result.payload)};
  }
  ScrubPassword(params);
  record.instance_ids = IdsOf(params);
  record.params = std::move(params);
  return outcome;
}

ApiReply TencentApi::Handle(const ApiRequest& r) {
  CallRecord record;
  record.time_ms = UnixMillis(clock_.Now());
  record.action = Header(r, "x-tc-action");
  record.region = Header(r, "x-tc-region");
  record.request_id = NewRequestId();
  Outcome outcome = Process(r, record);
  nlohmann::json response = std::move(outcome.payload);
  if (outcome.error) {
    response = {
        {"Error",
         {{"Code", outcome.error->code}, {"Message", outcome.error->message}}}};
  }
  response["RequestId"] = record.request_id;
  record.result = outcome.error ? outcome.error->code : "OK";
  spdlog::info(
      "api action={} region={} secret_id={} ids={} result={} "
      "request_id={}",
      record.action, record.region, record.secret_id,
      record.instance_ids.size(), record.result, record.request_id);
  calls_.Add(std::move(record));
  absl::Duration latency = DrawLatency();
  if (latency > absl::ZeroDuration()) absl::SleepFor(latency);
  return ApiReply{nlohmann::json{{"Response", response}}.dump(),
                  Header(r, "x-tc-traceid")};
}

}  // namespace resetd::fakecloud
