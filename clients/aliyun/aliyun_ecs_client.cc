#include "clients/aliyun/aliyun_ecs_client.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/aliyun/acs3_signer.h"
#include "clients/aliyun/aliyun_wire.h"
#include "clients/call_checks.h"
#include "clients/describe_result.h"
#include "clients/provider_error.h"
#include "clients/wire_util.h"
#include "common/crypto.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::aliyun {
namespace {

constexpr int kEcsBatchLimit = 100;
constexpr char kFormContentType[] = "application/x-www-form-urlencoded";

// ECS resets the image's administrator: root, or Administrator on Windows.
bool IsDefaultAccount(std::string_view username) {
  return username.empty() || username == "root" ||
         username == "Administrator" || username == "administrator";
}

std::string IdsJsonArray(absl::Span<const std::string> ids) {
  nlohmann::json array = nlohmann::json::array();
  for (const std::string& id : ids) array.push_back(id);
  // Never throws: invalid UTF-8 (no real id has any) becomes U+FFFD.
  return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AddIndexed(Acs3Params& params, std::string_view name,
                absl::Span<const std::string> ids) {
  for (size_t i = 0; i < ids.size(); ++i) {
    params.emplace_back(std::string(name) + "." + std::to_string(i + 1),
                        ids[i]);
  }
}

// Appends the parameter holding a secret, built in place in a buffer
// reserved once (and the vector's room reserved first), so that no copy of
// it is left behind when the parameters are wiped.
void AddSecretParam(Acs3Params& params, std::string_view name,
                    std::string_view secret) {
  params.reserve(params.size() + 1);
  params.emplace_back(std::string(name), std::string());
  std::string& value = params.back().second;
  value.reserve(secret.size());
  value.assign(secret.data(), secret.size());
}

void WipeParams(Acs3Params& params) {
  for (auto& [name, value] : params) WipeString(value);
}

std::string RandomNonce() { return HexEncode(RandomBytes(16)); }

class AliyunEcsClient final : public CloudClient {
 public:
  AliyunEcsClient(AliyunEcsOptions options,
                  std::shared_ptr<http::HttpTransport> transport)
      : options_(std::move(options)),
        transport_(std::move(transport)),
        clock_(options_.clock != nullptr ? options_.clock : &RealClock()) {
    const int limit = std::clamp(options_.max_batch, 1, kEcsBatchLimit);
    capabilities_.max_describe_batch = limit;
    capabilities_.max_stop_batch = limit;
    capabilities_.max_start_batch = limit;
    capabilities_.max_reboot_batch = limit;
    capabilities_.max_reset_batch = 1;
    capabilities_.reset_effect = ResetEffect::kAppliesAtNextBoot;
    capabilities_.reset_result_observable = false;
    capabilities_.reset_verifiable = true;
    capabilities_.vnc_password = true;
    capabilities_.max_vnc_batch = 1;
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
  absl::StatusOr<CallResult> ResetVncPassword(std::string_view region,
                                              absl::Span<const std::string> ids,
                                              const Secret& password) override;

 private:
  absl::Status CheckCall(std::string_view region,
                         absl::Span<const std::string> ids, int limit) const;
  // The signed request for `action` with `query` (canonical, sorted).
  http::HttpRequest BuildRequest(std::string_view action,
                                 const std::string& query) const;
  // Sends `params` (wiped afterwards, with every buffer built from them) and
  // returns the parsed answer.
  absl::StatusOr<nlohmann::json> Call(std::string_view action,
                                      Acs3Params params) const;
  // Call() for a SuccessFirst batch action: per-instance failures become
  // the call's error.
  absl::StatusOr<CallResult> CallBatch(std::string_view action,
                                       Acs3Params params) const;
  // Call() for an action whose parameters hold `secret` (named `name`).
  absl::StatusOr<CallResult> CallWithSecret(std::string_view action,
                                            Acs3Params params,
                                            std::string_view name,
                                            std::string_view secret) const;

  const AliyunEcsOptions options_;
  const std::shared_ptr<http::HttpTransport> transport_;
  resetd::Clock* const clock_;
  Capabilities capabilities_;
};

absl::Status AliyunEcsClient::CheckCall(std::string_view region,
                                        absl::Span<const std::string> ids,
                                        int limit) const {
  if (absl::Status s = CheckRegion("Alibaba Cloud", region); !s.ok()) return s;
  if (absl::Status s = CheckBatch(ids, limit); !s.ok()) return s;
  return absl::OkStatus();
}

http::HttpRequest AliyunEcsClient::BuildRequest(
    std::string_view action, const std::string& query) const {
  http::HttpRequest request;
  request.method = "POST";
  // Reserved once: the query may hold a password and is wiped by Call().
  const std::string prefix = options_.scheme + "://" + options_.endpoint + "/?";
  request.url.reserve(prefix.size() + query.size());
  request.url.append(prefix).append(query);
  request.headers = {
      {"host", options_.endpoint},
      {"x-acs-version", kEcsApiVersion},
      {"x-acs-action", std::string(action)},
      {"x-acs-date", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", clock_->Now(),
                                      absl::UTCTimeZone())},
      {"x-acs-signature-nonce",
       options_.nonce ? options_.nonce() : RandomNonce()},
      {"accept", "application/json"},
      {"content-type", kFormContentType},
      {"x-acs-content-sha256", kEmptyPayloadSha256},
  };
  Acs3Request sign;
  sign.canonical_query = query;
  sign.headers = request.headers;
  request.headers.emplace_back(
      "Authorization",
      Acs3Authorization(options_.access_key_id,
                        options_.access_key_secret.Reveal(), sign));
  request.timeout = options_.request_timeout;
  request.connect_timeout = options_.connect_timeout;
  return request;
}

absl::StatusOr<nlohmann::json> AliyunEcsClient::Call(std::string_view action,
                                                     Acs3Params params) const {
  std::string query = Acs3CanonicalQuery(params);
  WipeParams(params);
  http::HttpRequest request = BuildRequest(action, query);
  WipeString(query);
  absl::StatusOr<http::HttpResponse> response = transport_->Send(request);
  WipeString(request.url);
  if (!response.ok()) {
    return absl::Status(
        response.status().code(),
        std::string(action) + ": " + std::string(response.status().message()));
  }
  return ParseAliyunResponse(action, *response);
}

absl::StatusOr<CallResult> AliyunEcsClient::CallBatch(std::string_view action,
                                                      Acs3Params params) const {
  absl::StatusOr<nlohmann::json> body = Call(action, std::move(params));
  if (!body.ok()) return body.status();
  if (absl::Status s = CheckInstanceResponses(action, *body); !s.ok()) return s;
  return CallResult{StringField(*body, "RequestId")};
}

absl::StatusOr<CallResult> AliyunEcsClient::CallWithSecret(
    std::string_view action, Acs3Params params, std::string_view name,
    std::string_view secret) const {
  AddSecretParam(params, name, secret);
  absl::StatusOr<nlohmann::json> body = Call(action, std::move(params));
  if (!body.ok()) {
    std::string encoded = Acs3Encode(secret);
    const std::string_view secrets[] = {secret, encoded};
    absl::Status redacted = RedactStatus(body.status(), secrets);
    WipeString(encoded);
    return redacted;
  }
  return CallResult{StringField(*body, "RequestId")};
}

absl::StatusOr<CallResult> AliyunEcsClient::Stop(
    std::string_view region, absl::Span<const std::string> ids, StopMode mode) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_stop_batch);
      !s.ok()) {
    return s;
  }
  Acs3Params params = {
      {"BatchOptimization", "SuccessFirst"},
      {"ForceStop", mode == StopMode::kForce ? "true" : "false"},
      {"RegionId", std::string(region)},
      {"StoppedMode", "KeepCharging"}};
  AddIndexed(params, "InstanceId", ids);
  return CallBatch("StopInstances", std::move(params));
}

absl::StatusOr<CallResult> AliyunEcsClient::Start(
    std::string_view region, absl::Span<const std::string> ids) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_start_batch);
      !s.ok()) {
    return s;
  }
  Acs3Params params = {{"BatchOptimization", "SuccessFirst"},
                       {"RegionId", std::string(region)}};
  AddIndexed(params, "InstanceId", ids);
  return CallBatch("StartInstances", std::move(params));
}

absl::StatusOr<CallResult> AliyunEcsClient::Reboot(
    std::string_view region, absl::Span<const std::string> ids, StopMode mode) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_reboot_batch);
      !s.ok()) {
    return s;
  }
  Acs3Params params = {
      {"BatchOptimization", "SuccessFirst"},
      {"ForceReboot", mode == StopMode::kForce ? "true" : "false"},
      {"RegionId", std::string(region)}};
  AddIndexed(params, "InstanceId", ids);
  return CallBatch("RebootInstances", std::move(params));
}

absl::StatusOr<CallResult> AliyunEcsClient::ResetPassword(
    std::string_view region, absl::Span<const std::string> ids,
    const ResetPasswordParams& params) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_reset_batch);
      !s.ok()) {
    return s;
  }
  if (params.password.empty()) {
    return absl::InvalidArgumentError("empty password");
  }
  if (!IsDefaultAccount(params.username)) {
    return absl::InvalidArgumentError(
        "Alibaba Cloud ECS resets only the default account (root or "
        "Administrator), not \"" +
        params.username + "\"");
  }
  return CallWithSecret("ModifyInstanceAttribute", {{"InstanceId", ids[0]}},
                        "Password", params.password.Reveal());
}

absl::StatusOr<CallResult> AliyunEcsClient::ResetVncPassword(
    std::string_view region, absl::Span<const std::string> ids,
    const Secret& password) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_vnc_batch);
      !s.ok()) {
    return s;
  }
  if (password.empty()) return absl::InvalidArgumentError("empty password");
  return CallWithSecret(
      "ModifyInstanceVncPasswd",
      {{"InstanceId", ids[0]}, {"RegionId", std::string(region)}},
      "VncPassword", password.Reveal());
}

absl::StatusOr<std::vector<InstanceStatus>> AliyunEcsClient::Describe(
    std::string_view region, absl::Span<const std::string> ids) {
  // An empty InstanceIds would describe the whole account: never send it.
  if (ids.empty()) return std::vector<InstanceStatus>{};
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_describe_batch);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<nlohmann::json> body =
      Call("DescribeInstances", {{"InstanceIds", IdsJsonArray(ids)},
                                 {"MaxResults", std::to_string(kEcsBatchLimit)},
                                 {"RegionId", std::string(region)}});
  if (!body.ok()) return body.status();
  const nlohmann::json* list = nullptr;
  if (auto outer = body->find("Instances");
      outer != body->end() && outer->is_object()) {
    if (auto inner = outer->find("Instance");
        inner != outer->end() && inner->is_array()) {
      list = &*inner;
    }
  }
  if (list == nullptr) {
    ProviderError error;
    error.http_status = 200;
    error.message = "unparseable response: no Instances.Instance";
    error.request_id = StringField(*body, "RequestId");
    return MakeProviderStatus(absl::StatusCode::kInternal, error);
  }
  std::map<std::string, InstanceStatus> known;
  for (const nlohmann::json& instance : *list) {
    InstanceStatus status = ParseAliyunInstance(instance);
    if (!status.instance_id.empty()) {
      known.emplace(status.instance_id, std::move(status));
    }
  }
  return InAskedOrder(ids, known);
}

}  // namespace

std::unique_ptr<CloudClient> MakeAliyunEcsClient(
    AliyunEcsOptions options, std::shared_ptr<http::HttpTransport> transport) {
  return std::make_unique<AliyunEcsClient>(std::move(options),
                                           std::move(transport));
}

}  // namespace resetd::clients::aliyun
