#include "fakecloud/tc3_gateway.h"

#include <algorithm>

#include "common/crypto.h"
#include "common/secret.h"
#include "fakecloud/request_params.h"
#include "spdlog/spdlog.h"

namespace resetd::fakecloud {

namespace {

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

struct Tc3Gateway::Outcome {
  std::optional<ApiError> error;
  nlohmann::json payload = nlohmann::json::object();
};

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

std::optional<std::string> Tc3ServiceOf(
    const ApiRequest& r, const std::map<std::string, std::string>& versions) {
  bool api3 = false;
  for (const auto& [name, value] : r.headers) {
    if (name.rfind("x-tc-", 0) == 0) api3 = true;
  }
  if (!api3) return std::nullopt;
  auto auth = r.headers.find("authorization");
  if (auth != r.headers.end()) {
    if (std::optional<Tc3Authorization> parsed =
            ParseTc3Authorization(auth->second)) {
      return parsed->service;
    }
  }
  auto version = versions.find(Header(r, "x-tc-version"));
  return version == versions.end() ? "" : version->second;
}

Tc3Gateway::Tc3Gateway(Tc3Product product, Fleet& fleet,
                       const Tc3Verifier& verifier, RateWindow& rates,
                       CallLog& calls, const Clock& clock,
                       FaultInjector& faults, ApiOptions options)
    : product_(std::move(product)),
      fleet_(fleet),
      verifier_(verifier),
      rates_(rates),
      calls_(calls),
      clock_(clock),
      faults_(faults),
      rate_limits_(std::move(options.rates)),
      extra_regions_(std::move(options.extra_regions)) {}

int Tc3Gateway::RateFor(const std::string& action) const {
  auto it = rate_limits_.find(action);
  if (it != rate_limits_.end()) return it->second;
  auto d = product_.default_rates.find(action);
  return d == product_.default_rates.end() ? 10 : d->second;
}

std::optional<ApiError> Tc3Gateway::MaybeInjectError() {
  switch (faults_.DrawError(2)) {
    case 0:
      return ApiError{codes::kInternalError,
                      "An internal error occurred (injected by fakecloud)."};
    case 1:
      return ApiError{codes::kInternalServerError,
                      "Internal server error (injected by fakecloud)."};
    default:
      return std::nullopt;
  }
}

// The gateway's checks, in the order fakecloud applies them: signature,
// version, action, region, rate limit, injected failure.
std::optional<ApiError> Tc3Gateway::CheckGateway(const ApiRequest& r,
                                                 CallRecord& record) {
  SignedRequest signed_request{r.method, r.query, r.body, &r.headers};
  if (auto e =
          verifier_.Verify(signed_request, product_.service, &record.secret_id))
    return e;
  const std::string version = Header(r, "x-tc-version");
  if (version.empty()) return Missing("Version");
  if (version != product_.version) {
    return ApiError{codes::kNoSuchVersion,
                    "The API version `" + version + "` does not exist."};
  }
  if (record.action.empty()) return Missing("Action");
  if (!product_.actions.count(record.action)) {
    return ApiError{codes::kInvalidAction,
                    "The action `" + record.action + "` does not exist."};
  }
  if (record.region.empty()) return Missing("Region");
  if (!IsPublicRegion(record.region) && !extra_regions_.count(record.region)) {
    return ApiError{codes::kInvalidParameterValue,
                    "A value specified in `X-TC-Region` is not valid, is "
                    "unsupported, or cannot be used."};
  }
  const int limit = RateFor(record.action);
  if (!rates_.TryAcquire(product_.service + "|" + record.secret_id + "|" +
                             record.region + "|" + record.action,
                         limit)) {
    return ApiError{codes::kRequestLimitExceeded,
                    "Your current request times exceeds the limit of " +
                        std::to_string(limit) + " per second of `" +
                        record.action + "`, please try again later."};
  }
  return MaybeInjectError();
}

Tc3Gateway::Outcome Tc3Gateway::Process(const ApiRequest& r,
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
    ActionContext context{record.region, record.request_id, product_.provider};
    ActionResult result =
        product_.actions.at(record.action)(fleet_, context, params);
    if (result.error && product_.translate != nullptr) {
      result.error = product_.translate(*std::move(result.error));
    }
    outcome = {result.error, std::move(result.payload)};
  }
  ScrubPassword(params);
  record.instance_ids = IdsOf(params);
  record.params = std::move(params);
  return outcome;
}

ApiReply Tc3Gateway::Handle(const ApiRequest& r) {
  CallRecord record;
  record.time_ms = UnixMillis(clock_.Now());
  record.provider = std::string(ProviderName(product_.provider));
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
      "api provider={} action={} region={} secret_id={} ids={} result={} "
      "request_id={}",
      record.provider, record.action, record.region, record.secret_id,
      record.instance_ids.size(), record.result, record.request_id);
  calls_.Add(std::move(record));
  absl::Duration latency = faults_.DrawLatency();
  if (latency > absl::ZeroDuration()) absl::SleepFor(latency);
  ApiReply reply;
  reply.body = nlohmann::json{{"Response", response}}.dump();
  reply.trace_id = Header(r, "x-tc-traceid");
  if (!reply.trace_id.empty()) reply.headers["X-TC-TraceId"] = reply.trace_id;
  return reply;
}

}  // namespace resetd::fakecloud
