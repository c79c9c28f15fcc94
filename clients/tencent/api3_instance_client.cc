#include "clients/tencent/api3_instance_client.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/call_checks.h"
#include "clients/describe_result.h"
#include "clients/provider_error.h"
#include "clients/tencent/tc3_signer.h"
#include "clients/tencent/tencent_wire.h"
#include "clients/wire_util.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::tencent {
namespace {

using Json = nlohmann::ordered_json;  // keeps the SDK's key order

constexpr char kContentType[] = "application/json";
constexpr int kTencentBatchLimit = 100;

// The host of "host[:port]" or "[v6]:port", as the SDK signs it (no port).
std::string CanonicalHost(std::string_view endpoint) {
  if (!endpoint.empty() && endpoint.front() == '[') {
    return std::string(endpoint.substr(0, endpoint.find(']') + 1));
  }
  return std::string(endpoint.substr(0, endpoint.find(':')));
}

Json IdsJson(absl::Span<const std::string> ids) {
  Json array = Json::array();
  for (const std::string& id : ids) array.push_back(id);
  return array;
}

// Response.RequestId, or "" when absent.
std::string RequestIdOf(const nlohmann::json& response) {
  return StringField(response, "RequestId");
}

absl::Status MissingInstanceSet(const nlohmann::json& response) {
  ProviderError error;
  error.http_status = 200;
  error.message = "unparseable response: no InstanceSet";
  error.request_id = RequestIdOf(response);
  return MakeProviderStatus(absl::StatusCode::kInternal, error);
}

class Api3InstanceClient final : public CloudClient {
 public:
  Api3InstanceClient(const Api3Product& product, Api3Options options,
                     std::shared_ptr<http::HttpTransport> transport)
      : product_(product),
        options_(std::move(options)),
        transport_(std::move(transport)),
        clock_(options_.clock != nullptr ? options_.clock : &RealClock()),
        canonical_host_(CanonicalHost(options_.endpoint)) {
    const int limit = std::clamp(options_.max_batch, 1, kTencentBatchLimit);
    capabilities_.max_describe_batch = limit;
    capabilities_.max_stop_batch = limit;
    capabilities_.max_start_batch = limit;
    capabilities_.max_reboot_batch = limit;
    capabilities_.max_reset_batch = limit;
    capabilities_.reset_effect = product_.reset_effect;
    capabilities_.reset_result_observable = true;
    capabilities_.reset_verifiable = true;
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
  // Adds the instances among `ids` that Tencent knows to `known`.
  absl::Status DescribeKnown(
      std::string_view region, std::vector<std::string> ids,
      std::map<std::string, InstanceStatus>& known) const;

  // True if `status` is DescribeInstances saying an id is unknown.
  bool IsInstanceNotFound(const absl::Status& status) const;

  const Api3Product product_;
  const Api3Options options_;
  const std::shared_ptr<http::HttpTransport> transport_;
  resetd::Clock* const clock_;
  const std::string canonical_host_;
  Capabilities capabilities_;
};

absl::Status Api3InstanceClient::CheckCall(std::string_view region,
                                           absl::Span<const std::string> ids,
                                           int limit) const {
  if (absl::Status s = CheckRegion(product_.label, region); !s.ok()) return s;
  if (absl::Status s = CheckBatch(ids, limit); !s.ok()) return s;
  return absl::OkStatus();
}

http::HttpRequest Api3InstanceClient::BuildRequest(std::string_view action,
                                                   std::string_view region,
                                                   std::string body) const {
  Tc3Request sign;
  sign.method = "POST";
  sign.content_type = kContentType;
  sign.host = canonical_host_;
  sign.payload = body;
  sign.service = product_.service;
  sign.timestamp = absl::ToUnixSeconds(clock_->Now());

  http::HttpRequest request;
  request.method = "POST";
  request.url = options_.scheme + "://" + options_.endpoint + "/";
  request.headers = {
      {"Content-Type", kContentType},
      {"Host", options_.endpoint},
      {"X-TC-Action", std::string(action)},
      {"X-TC-Version", product_.version},
      {"X-TC-Region", std::string(region)},
      {"X-TC-Timestamp", std::to_string(sign.timestamp)},
      {"X-TC-RequestClient", kRequestClient},
      {"Authorization", Tc3Authorization(options_.secret_id,
                                         options_.secret_key.Reveal(), sign)},
  };
  request.timeout = options_.request_timeout;
  request.connect_timeout = options_.connect_timeout;
  request.body = std::move(body);
  return request;
}

absl::StatusOr<nlohmann::json> Api3InstanceClient::Call(
    std::string_view action, std::string_view region, std::string body) const {
  http::HttpRequest request = BuildRequest(action, region, std::move(body));
  absl::StatusOr<http::HttpResponse> response = transport_->Send(request);
  WipeString(request.body);
  if (!response.ok()) {
    return absl::Status(
        response.status().code(),
        std::string(action) + ": " + std::string(response.status().message()));
  }
  absl::StatusOr<nlohmann::json> parsed =
      ParseTencentResponse(action, *response);
  if (!parsed.ok() && product_.map_error != nullptr) {
    return product_.map_error(parsed.status());
  }
  return parsed;
}

bool Api3InstanceClient::IsInstanceNotFound(const absl::Status& status) const {
  if (status.code() != absl::StatusCode::kNotFound) return false;
  std::optional<ProviderError> error = GetProviderError(status);
  if (!error.has_value()) return false;
  for (std::string_view code : product_.instance_not_found_codes) {
    if (error->code == code) return true;
  }
  return false;
}

absl::StatusOr<CallResult> Api3InstanceClient::CallAction(
    std::string_view action, std::string_view region, const Json& body) const {
  absl::StatusOr<std::string> text = SerializeBody(body);
  if (!text.ok()) return text.status();
  absl::StatusOr<nlohmann::json> response =
      Call(action, region, std::move(*text));
  if (!response.ok()) return response.status();
  return CallResult{RequestIdOf(*response)};
}

absl::StatusOr<CallResult> Api3InstanceClient::Stop(
    std::string_view region, absl::Span<const std::string> ids, StopMode mode) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_stop_batch);
      !s.ok()) {
    return s;
  }
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  body["StopType"] = TencentStopType(mode);
  if (product_.stopped_mode) body["StoppedMode"] = "KEEP_CHARGING";
  return CallAction("StopInstances", region, body);
}

absl::StatusOr<CallResult> Api3InstanceClient::Start(
    std::string_view region, absl::Span<const std::string> ids) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_start_batch);
      !s.ok()) {
    return s;
  }
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  return CallAction("StartInstances", region, body);
}

absl::StatusOr<CallResult> Api3InstanceClient::Reboot(
    std::string_view region, absl::Span<const std::string> ids, StopMode mode) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_reboot_batch);
      !s.ok()) {
    return s;
  }
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  body["StopType"] = TencentStopType(mode);
  return CallAction("RebootInstances", region, body);
}

absl::StatusOr<CallResult> Api3InstanceClient::ResetPassword(
    std::string_view region, absl::Span<const std::string> ids,
    const ResetPasswordParams& params) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_reset_batch);
      !s.ok()) {
    return s;
  }
  if (params.password.empty())
    return absl::InvalidArgumentError("empty password");
  const std::string_view password = params.password.Reveal();
  Json body;
  body["InstanceIds"] = IdsJson(ids);
  body["Password"] = "";  // the real value goes in only for serialising
  if (!params.username.empty()) body["UserName"] = params.username;
  if (product_.force_stop) body["ForceStop"] = params.force_stop;
  absl::StatusOr<std::string> base = SerializeBody(body);
  if (!base.ok()) return base.status();
  // Each byte of the password takes at most 6 bytes escaped ("\u00XX").
  const size_t reserve = base->size() + 6 * password.size() + 16;
  std::string& slot = body["Password"].get_ref<std::string&>();
  slot.assign(password.data(), password.size());
  absl::StatusOr<std::string> text = SerializeBody(body, reserve);
  WipeString(slot);
  if (!text.ok()) return text.status();
  absl::StatusOr<nlohmann::json> response =
      Call("ResetInstancesPassword", region, std::move(*text));
  if (!response.ok()) return RedactStatus(response.status(), {password});
  return CallResult{RequestIdOf(*response)};
}

absl::StatusOr<std::vector<InstanceStatus>> Api3InstanceClient::Describe(
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
  return InAskedOrder(ids, known);
}

absl::Status Api3InstanceClient::DescribeKnown(
    std::string_view region, std::vector<std::string> ids,
    std::map<std::string, InstanceStatus>& known) const {
  while (!ids.empty()) {
    Json body;
    body["InstanceIds"] = IdsJson(ids);
    body["Limit"] = kTencentBatchLimit;
    absl::StatusOr<std::string> text = SerializeBody(body);
    if (!text.ok()) return text.status();
    absl::StatusOr<nlohmann::json> response =
        Call("DescribeInstances", region, std::move(*text));
    if (response.ok()) {
      auto set = response->find("InstanceSet");
      if (set == response->end() || !set->is_array()) {
        return MissingInstanceSet(*response);
      }
      for (const nlohmann::json& instance : *set) {
        InstanceStatus status = product_.parse_instance(instance);
        if (std::find(ids.begin(), ids.end(), status.instance_id) !=
            ids.end()) {
          known[status.instance_id] = std::move(status);
        }
      }
      return absl::OkStatus();
    }
    if (!IsInstanceNotFound(response.status())) return response.status();
    if (ids.size() == 1) return absl::OkStatus();  // that one is unknown
    // Drop the ids the message names; if it names none, bisect.
    std::vector<std::string> named =
        IdsNamedInMessage(GetProviderError(response.status())->message, ids);
    if (named.empty()) {
      const auto middle = ids.begin() + ids.size() / 2;
      std::vector<std::string> first(ids.begin(), middle);
      ids.erase(ids.begin(), middle);
      if (absl::Status s = DescribeKnown(region, std::move(first), known);
          !s.ok()) {
        return s;
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

std::unique_ptr<CloudClient> MakeApi3InstanceClient(
    const Api3Product& product, Api3Options options,
    std::shared_ptr<http::HttpTransport> transport) {
  return std::make_unique<Api3InstanceClient>(product, std::move(options),
                                              std::move(transport));
}

}  // namespace resetd::clients::tencent
