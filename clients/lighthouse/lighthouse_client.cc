#include "clients/lighthouse/lighthouse_client.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/lighthouse/lighthouse_wire.h"
#include "clients/provider_error.h"
#include "clients/tencent/tc3_signer.h"
#include "clients/tencent/tencent_cvm_client.h"
#include "clients/tencent/tencent_wire.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::lighthouse {
namespace {

using Json = nlohmann::ordered_json;  // keeps the SDK's key order

constexpr char kContentType[] = "application/json";
constexpr int kLighthouseBatchLimit = 100;

// The host of "host[:port]" or "[v6]:port", as the SDK signs it (no port).
std::string CanonicalHost(std::string_view endpoint) {
  if (!endpoint.empty() && endpoint.front() == '[') {
    return std::string(endpoint.substr(0, endpoint.find(']') + 1));
  }
  return std::string(endpoint.substr(0, endpoint.find(':')));
}

absl::Status CheckRegion(std::string_view region) {
  const bool valid =
      !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError("invalid Lighthouse region \"" +
                                    std::string(region) + "\"");
}

Json IdsJson(absl::Span<const std::string> ids) {
  Json array = Json::array();
  for (const std::string& id : ids) array.push_back(id);
  return array;
}

// Response.RequestId, or "" when absent.
std::string RequestIdOf(const nlohmann::json& response) {
  auto it = response.find("RequestId");
  return it != response.end() && it->is_string() ? it->get<std::string>() : "";
}

bool IsInstanceNotFound(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kNotFound) return false;
  std::optional<ProviderError> error = GetProviderError(status);
  return error.has_value() &&
         (error->code == "ResourceNotFound.InstanceIdNotFound" ||
          error->code == "ResourceNotFound.InstanceNotFound");
}

absl::Status MissingInstanceSet(const nlohmann::json& response) {
  ProviderError error;
  error.http_status = 200;
  error.message = "unparseable response: no InstanceSet";
  error.request_id = RequestIdOf(response);
  return MakeProviderStatus(absl::StatusCode::kInternal, error);
}

class LighthouseClient final : public CloudClient {
 public:
  LighthouseClient(LighthouseOptions options,
                   std::shared_ptr<http::HttpTransport> transport)
      : options_(std::move(options)),
        transport_(std::move(transport)),
        clock_(options_.clock != nullptr ? options_.clock : &RealClock()),
        canonical_host_(CanonicalHost(options_.endpoint)) {
    const int limit = std::clamp(options_.max_batch, 1, kLighthouseBatchLimit);
    capabilities_.max_describe_batch = limit;
    capabilities_.max_stop_batch = limit;
    capabilities_.max_start_batch = limit;
    capabilities_.max_reboot_batch = limit;
    capabilities_.max_reset_batch = limit;
    capabilities_.reset_effect = ResetEffect::kRestartsItself;
    capabilities_.reset_result_observable = true;
    capabilities_.reset_verifiable = true;
    capabilities_.vnc_password = false;
  }

  const Capabilities& capabilities() const override { return capabilities_; }

  absl::StatusOr<std::vector<InstanceStatus>> Describe(
      std::string_view region, absl::Span<const std::string> ids) override;
  absl::StatusOr<CallResult> Stop(std::string_view region,
                                  absl::Span<const std::string> ids,
                                  StopMode mode) override;
  absl::StatusOr<CallResult> Start(std::string_view region,
                                   absl::Span<const std::string> ids) override;
  absl::StatusOr<CallResult> Reboot(std::string_view region,
                                    absl::Span<const std::string> ids,
                                    StopMode mode) override;
  absl::StatusOr<CallResult> ResetPassword(
      std::string_view region, absl::Span<const std::string> ids,
      const ResetPasswordParams& params) override;

 private:
  absl::Status CheckCall(std::string_view region,
                         absl::Span<const std::string> ids, int limit) const;
  http::HttpRequest BuildRequest(std::string_view action,
                                 std::string_view region,
                                 std::string body) const;
  // Sends `body` (wiped afterwards) and returns the Response object.
  absl::StatusOr<nlohmann::json> Call(std::string_view action,
                                      std::string_view region,
                                      std::string body) const;
  // Call() for the asynchronous actions, which answer only a RequestId.
  absl::StatusOr<CallResult> CallAction(std::string_view action,
                                        std::string_view region,
                                        const Json& body) const;
  // The password body, serialised into one reserved buffer.
  absl::StatusOr<std::string> ResetBody(
      absl::Span<const std::string> ids,
      const ResetPasswordParams& params) const;
  // Adds the instances among `ids` that Lighthouse knows to `known`.
  absl::Status DescribeKnown(
      std::string_view region, std::vector<std::string> ids,
      std::map<std::string, InstanceStatus>& known) const;
  // One DescribeInstances call; adds what it returns to `known`.
  absl::Status DescribeOnce(std::string_view region,
                            const std::vector<std::string>& ids,
                            std::map<std::string, InstanceStatus>& known) const;

  const LighthouseOptions options_;
  const std::shared_ptr<http::HttpTransport> transport_;
  resetd::Clock* const clock_;
  const std::string canonical_host_;
  Capabilities capabilities_;
};

absl::Status LighthouseClient::CheckCall(std::string_view region,
                                         absl::Span<const std::string> ids,
                                         int limit) const {
  if (absl::Status s = CheckRegion(region); !s.ok()) return s;
  if (ids.empty()) return absl::InvalidArgumentError("no instance ids");
  if (ids.size() > static_cast<size_t>(limit)) {
    return absl::InvalidArgumentError(
        std::to_string(ids.size()) +
        " instance ids exceed the batch limit of " + std::to_string(limit));
  }
  return absl::OkStatus();
}

http::HttpRequest LighthouseClient::BuildRequest(std::string_view action,
                                                 std::string_view region,
                                                 std::string body) const {
  tencent::Tc3Request sign;
  sign.method = "POST";
  sign.content_type = kContentType;
  sign.host = canonical_host_;
  sign.payload = body;
  sign.service = kLighthouseService;
  sign.timestamp = absl::ToUnixSeconds(clock_->Now());

  http::HttpRequest request;
  request.method = "POST";
  request.url = options_.scheme + "://" + options_.endpoint + "/";
  request.headers = {
      {"Content-Type", kContentType},
      {"Host", options_.endpoint},
      {"X-TC-Action", std::string(action)},
      {"X-TC-Version", kLighthouseApiVersion},
      {"X-TC-Region", std::string(region)},
      {"X-TC-Timestamp", std::to_string(sign.timestamp)},
      {"X-TC-RequestClient", tencent::kRequestClient},
      {"Authorization",
       tencent::Tc3Authorization(options_.secret_id,
                                 options_.secret_key.Reveal(), sign)},
  };
  request.timeout = options_.request_timeout;
  request.connect_timeout = options_.connect_timeout;
  request.body = std::move(body);
  return request;
}

absl::StatusOr<nlohmann::json> LighthouseClient::Call(std::string_view action,
                                                      std::string_view region,
                                                      std::string body) const {
  http::HttpRequest request = BuildRequest(action, region, std::move(body));
  absl::StatusOr<http::HttpResponse> response = transport_->Send(request);
  WipeString(request.body);
  if (!response.ok()) {
    return absl::Status(
        response.status().code(),
        std::string(action) + ": " + std::string(response.status().message()));
  }
  absl::StatusOr<nlohmann::json> parsed =
      tencent::ParseTencentResponse(action, *response);
  if (!parsed.ok()) return ToLighthouseStatus(parsed.status());
  return parsed;
}

absl::StatusOr<CallResult> LighthouseClient::CallAction(
    std::string_view action, std::string_view region, const Json& body) const {
  absl::StatusOr<std::string> text = SerializeBody(body);
  if (!text.ok()) return text.status();
  absl::StatusOr<nlohmann::json> response =
      Call(action, region, std::move(*text));
  if (!response.ok()) return response.status();
  return CallResult{RequestIdOf(*response)};
}

absl::StatusOr<CallResult> LighthouseClient::Stop(
    std::string_view region, absl::Span<const std::string> ids, StopMode mode) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_stop_batch);
      !s.ok()) {
    return s;
  }
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  body["StopType"] = tencent::TencentStopType(mode);
  return CallAction("StopInstances", region, body);
}

absl::StatusOr<CallResult> LighthouseClient::Start(
    std::string_view region, absl::Span<const std::string> ids) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_start_batch);
      !s.ok()) {
    return s;
  }
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  return CallAction("StartInstances", region, body);
}

absl::StatusOr<CallResult> LighthouseClient::Reboot(
    std::string_view region, absl::Span<const std::string> ids, StopMode mode) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_reboot_batch);
      !s.ok()) {
    return s;
  }
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  body["StopType"] = tencent::TencentStopType(mode);
  return CallAction("RebootInstances", region, body);
}

absl::StatusOr<std::string> LighthouseClient::ResetBody(
    absl::Span<const std::string> ids,
    const ResetPasswordParams& params) const {
  const std::string_view password = params.password.Reveal();
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  body["Password"] = "";  // the real value goes in only for serialising
  if (!params.username.empty()) body["UserName"] = params.username;
  absl::StatusOr<std::string> base = SerializeBody(body);
  if (!base.ok()) return base.status();
  // Each byte of the password takes at most 6 bytes escaped ("\u00XX").
  const size_t reserve = base->size() + 6 * password.size() + 16;
  std::string& slot = body["Password"].get_ref<std::string&>();
  slot.assign(password.data(), password.size());
  absl::StatusOr<std::string> text = SerializeBody(body, reserve);
  WipeString(slot);
  return text;
}

absl::StatusOr<CallResult> LighthouseClient::ResetPassword(
    std::string_view region, absl::Span<const std::string> ids,
    const ResetPasswordParams& params) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_reset_batch);
      !s.ok()) {
    return s;
  }
  if (params.password.empty()) {
    return absl::InvalidArgumentError("empty password");
  }
  absl::StatusOr<std::string> text = ResetBody(ids, params);
  if (!text.ok()) return text.status();
  absl::StatusOr<nlohmann::json> response =
      Call("ResetInstancesPassword", region, std::move(*text));
  if (!response.ok()) {
    return tencent::RedactStatus(response.status(), params.password.Reveal());
  }
  return CallResult{RequestIdOf(*response)};
}

absl::StatusOr<std::vector<InstanceStatus>> LighthouseClient::Describe(
    std::string_view region, absl::Span<const std::string> ids) {
  // An empty InstanceIds would describe the whole account: never send it.
  if (ids.empty()) return std::vector<InstanceStatus>{};
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_describe_batch);
      !s.ok()) {
    return s;
  }
  std::map<std::string, InstanceStatus> known;
  if (absl::Status s = DescribeKnown(
          region, std::vector<std::string>(ids.begin(), ids.end()), known);
      !s.ok()) {
    return s;
  }
  std::vector<InstanceStatus> result;
  result.reserve(ids.size());
  for (const std::string& id : ids) {
    auto it = known.find(id);
    if (it != known.end()) {
      result.push_back(it->second);
      continue;
    }
    InstanceStatus missing;
    missing.instance_id = id;
    missing.state = PowerState::kNotFound;
    result.push_back(std::move(missing));
  }
  return result;
}

absl::Status LighthouseClient::DescribeOnce(
    std::string_view region, const std::vector<std::string>& ids,
    std::map<std::string, InstanceStatus>& known) const {
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  body["Limit"] = kLighthouseBatchLimit;
  absl::StatusOr<std::string> text = SerializeBody(body);
  if (!text.ok()) return text.status();
  absl::StatusOr<nlohmann::json> response =
      Call("DescribeInstances", region, std::move(*text));
  if (!response.ok()) return response.status();
  auto set = response->find("InstanceSet");
  if (set == response->end() || !set->is_array()) {
    return MissingInstanceSet(*response);
  }
  for (const nlohmann::json& instance : *set) {
    InstanceStatus status = ParseLighthouseInstance(instance);
    if (std::find(ids.begin(), ids.end(), status.instance_id) != ids.end()) {
      known[status.instance_id] = std::move(status);
    }
  }
  return absl::OkStatus();
}

absl::Status LighthouseClient::DescribeKnown(
    std::string_view region, std::vector<std::string> ids,
    std::map<std::string, InstanceStatus>& known) const {
  while (!ids.empty()) {
    absl::Status s = DescribeOnce(region, ids, known);
    if (!IsInstanceNotFound(s)) return s;
    if (ids.size() == 1) return absl::OkStatus();  // that one is unknown
    // Drop the ids the message names; if it names none, bisect.
    std::vector<std::string> named =
        tencent::IdsNamedInMessage(GetProviderError(s)->message, ids);
    if (named.empty()) {
      const auto middle = ids.begin() + ids.size() / 2;
      std::vector<std::string> first(ids.begin(), middle);
      ids.erase(ids.begin(), middle);
      if (absl::Status f = DescribeKnown(region, std::move(first), known);
          !f.ok()) {
        return f;
      }
      continue;
    }
    ids.erase(std::remove_if(ids.begin(), ids.end(),
                             [&named](const std::string& id) {
                               return std::find(named.begin(), named.end(),
                                                id) != named.end();
                             }),
              ids.end());
  }
  return absl::OkStatus();
}

}  // namespace

std::unique_ptr<CloudClient> MakeLighthouseClient(
    LighthouseOptions options, std::shared_ptr<http::HttpTransport> transport) {
  return std::make_unique<LighthouseClient>(std::move(options),
                                            std::move(transport));
}

}  // namespace resetd::clients::lighthouse
