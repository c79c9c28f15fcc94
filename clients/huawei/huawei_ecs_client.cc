#include "clients/huawei/huawei_ecs_client.h"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/call_checks.h"
#include "clients/describe_result.h"
#include "clients/huawei/huawei_wire.h"
#include "clients/huawei/sdk_signer.h"
#include "clients/provider_error.h"
#include "clients/wire_util.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::huawei {
namespace {

using Json = nlohmann::ordered_json;  // keeps the SDK's key order

constexpr char kContentType[] = "application/json";
constexpr int kBatchLimit = 100;  // the engine's cap; the API takes 1000
constexpr int kDescribeLimit = 100;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Ids go into paths and a comma-separated query value: keep them plain.
bool IsPlainId(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), IsIdChar);
}

Json ServersJson(absl::Span<const std::string> ids) {
  Json servers = Json::array();
  for (const std::string& id : ids) servers.push_back(Json{{"id", id}});
  return servers;
}

std::string JoinIds(absl::Span<const std::string> ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out.push_back(',');
    out += id;
  }
  return out;
}

// Huawei resets the image's administrator account and checks nothing.
absl::Status CheckResetParams(const ResetPasswordParams& params) {
  if (params.password.empty()) {
    return absl::InvalidArgumentError("empty password");
  }
  if (!params.username.empty() && params.username != "root" &&
      params.username != "Administrator") {
    return absl::InvalidArgumentError(
        "Huawei ECS resets only the root or Administrator password, not the "
        "one of user \"" +
        params.username + "\"");
  }
  return absl::OkStatus();
}

// Where one region's calls go.
struct Target {
  std::string endpoint;  // host[:port]
  std::string project_id;
};

// One call before signing.
struct Call {
  std::string_view action;  // for messages, e.g. "BatchStopServers"
  std::string method;
  std::string path;  // after /v1/{project_id}, e.g. "/cloudservers/action"
  SdkPairs query;    // decoded
  std::string body;  // may hold a password: wiped after sending
};

// The body and X-Request-Id of a successful answer.
struct Reply {
  nlohmann::json body;
  std::string request_id;
};

class HuaweiEcsClient final : public CloudClient {
 public:
  HuaweiEcsClient(HuaweiEcsOptions options,
                  std::shared_ptr<http::HttpTransport> transport)
      : options_(std::move(options)),
        transport_(std::move(transport)),
        clock_(options_.clock != nullptr ? options_.clock : &RealClock()) {
    const int limit = std::clamp(options_.max_batch, 1, kBatchLimit);
    capabilities_.max_describe_batch = limit;
    capabilities_.max_stop_batch = limit;
    capabilities_.max_start_batch = limit;
    capabilities_.max_reboot_batch = limit;
    capabilities_.max_reset_batch = options_.batch_reset ? limit : 1;
    capabilities_.reset_effect = ResetEffect::kAppliesAtNextBoot;
    capabilities_.reset_result_observable = false;
    capabilities_.reset_verifiable = false;
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
  absl::StatusOr<Target> TargetOf(std::string_view region) const;
  http::HttpRequest BuildRequest(const Target& target, Call& call) const;
  // Sends `call` (its body wiped afterwards) to `region`.
  absl::StatusOr<Reply> Send(std::string_view region, Call call) const;
  // POST /cloudservers/action with `body`; the result names the job.
  absl::StatusOr<CallResult> Action(std::string_view action,
                                    std::string_view region,
                                    const Json& body) const;
  // The PUT that resets `ids` to `password` (the single or batch API).
  absl::StatusOr<Call> ResetCall(absl::Span<const std::string> ids,
                                 std::string_view password) const;
  // The JSON text of `body` with `password` at `slot` (empty until now).
  absl::StatusOr<std::string> SerializeWithPassword(
      Json& body, std::string& slot, std::string_view password) const;

  const HuaweiEcsOptions options_;
  const std::shared_ptr<http::HttpTransport> transport_;
  resetd::Clock* const clock_;
  Capabilities capabilities_;
};

absl::Status HuaweiEcsClient::CheckCall(std::string_view region,
                                        absl::Span<const std::string> ids,
                                        int limit) const {
  if (absl::Status s = CheckRegion("Huawei", region); !s.ok()) return s;
  if (absl::Status s = CheckBatch(ids, limit); !s.ok()) return s;
  for (const std::string& id : ids) {
    if (!IsPlainId(id)) {
      return absl::InvalidArgumentError("invalid Huawei server id \"" + id +
                                        "\"");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Target> HuaweiEcsClient::TargetOf(
    std::string_view region) const {
  auto it = options_.project_ids.find(std::string(region));
  if (it == options_.project_ids.end()) {
    return absl::FailedPreconditionError(
        "no Huawei project id configured for region " + std::string(region));
  }
  if (!IsPlainId(it->second)) {
    return absl::FailedPreconditionError(
        "the Huawei project id configured for region " + std::string(region) +
        " is malformed");
  }
  Target target;
  target.endpoint = options_.endpoint.empty()
                        ? "ecs." + std::string(region) + ".myhuaweicloud.com"
                        : options_.endpoint;
  target.project_id = it->second;
  return target;
}

http::HttpRequest HuaweiEcsClient::BuildRequest(const Target& target,
                                                Call& call) const {
  SdkRequest sign;
  sign.method = call.method;
  sign.path = "/v1/" + target.project_id + call.path;
  sign.query = call.query;
  sign.headers = {
      {"Content-Type", kContentType},
      {"X-Project-Id", target.project_id},
      {"X-Sdk-Date", SdkDate(clock_->Now())},
      {"Host", target.endpoint},
  };
  sign.payload = call.body;

  http::HttpRequest request;
  request.method = call.method;
  request.url = options_.scheme + "://" + target.endpoint + sign.path;
  // The wire query in the SDK's order and encoding (querystring.stringify).
  for (size_t i = 0; i < call.query.size(); ++i) {
    request.url += (i == 0 ? "?" : "&") + SdkUrlEncode(call.query[i].first) +
                   "=" + SdkUrlEncode(call.query[i].second);
  }
  request.headers = sign.headers;
  request.headers.emplace_back(
      "Authorization",
      SdkAuthorization(options_.ak, options_.sk.Reveal(), sign));
  request.timeout = options_.request_timeout;
  request.connect_timeout = options_.connect_timeout;
  request.body = std::move(call.body);
  WipeString(call.body);  // a moved-from short string may keep its bytes
  return request;
}

absl::StatusOr<Reply> HuaweiEcsClient::Send(std::string_view region,
                                            Call call) const {
  absl::StatusOr<Target> target = TargetOf(region);
  if (!target.ok()) {
    WipeString(call.body);
    return target.status();
  }
  http::HttpRequest request = BuildRequest(*target, call);
  absl::StatusOr<http::HttpResponse> response = transport_->Send(request);
  WipeString(request.body);
  if (!response.ok()) {
    return absl::Status(response.status().code(),
                        std::string(call.action) + ": " +
                            std::string(response.status().message()));
  }
  absl::StatusOr<nlohmann::json> body =
      ParseHuaweiResponse(call.action, *response);
  if (!body.ok()) return body.status();
  Reply reply;
  reply.body = std::move(*body);
  if (const std::string* id = response->Header("x-request-id")) {
    reply.request_id = *id;
  }
  return reply;
}

absl::StatusOr<CallResult> HuaweiEcsClient::Action(std::string_view action,
                                                   std::string_view region,
                                                   const Json& body) const {
  absl::StatusOr<std::string> text = SerializeBody(body);
  if (!text.ok()) return text.status();
  absl::StatusOr<Reply> reply =
      Send(region,
           Call{action, "POST", "/cloudservers/action", {}, std::move(*text)});
  if (!reply.ok()) return reply.status();
  auto job =
      reply->body.is_object() ? reply->body.find("job_id") : reply->body.end();
  if (reply->body.is_object() && job != reply->body.end() && job->is_string() &&
      !job->get<std::string>().empty()) {
    return CallResult{"job:" + job->get<std::string>()};
  }
  return CallResult{reply->request_id};
}

absl::StatusOr<CallResult> HuaweiEcsClient::Stop(
    std::string_view region, absl::Span<const std::string> ids, StopMode mode) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_stop_batch);
      !s.ok()) {
    return s;
  }
  Json option;
  option["servers"] = ServersJson(ids);
  option["type"] = HuaweiStopType(mode);
  return Action("BatchStopServers", region, Json{{"os-stop", option}});
}

absl::StatusOr<CallResult> HuaweiEcsClient::Start(
    std::string_view region, absl::Span<const std::string> ids) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_start_batch);
      !s.ok()) {
    return s;
  }
  Json option;
  option["servers"] = ServersJson(ids);
  return Action("BatchStartServers", region, Json{{"os-start", option}});
}

absl::StatusOr<CallResult> HuaweiEcsClient::Reboot(
    std::string_view region, absl::Span<const std::string> ids, StopMode mode) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_reboot_batch);
      !s.ok()) {
    return s;
  }
  Json option;
  option["servers"] = ServersJson(ids);
  option["type"] = HuaweiStopType(mode);
  return Action("BatchRebootServers", region, Json{{"reboot", option}});
}

absl::StatusOr<std::string> HuaweiEcsClient::SerializeWithPassword(
    Json& body, std::string& slot, std::string_view password) const {
  absl::StatusOr<std::string> base = SerializeBody(body);
  if (!base.ok()) return base.status();
  // Each byte of the password takes at most 6 bytes escaped ("\u00XX").
  const size_t reserve = base->size() + 6 * password.size() + 16;
  slot.assign(password.data(), password.size());
  absl::StatusOr<std::string> text = SerializeBody(body, reserve);
  WipeString(slot);
  return text;
}

absl::StatusOr<Call> HuaweiEcsClient::ResetCall(
    absl::Span<const std::string> ids, std::string_view password) const {
  Json body;
  Call call;
  call.method = "PUT";
  if (options_.batch_reset) {
    call.action = "BatchResetServersPassword";
    call.path = "/cloudservers/os-reset-passwords";
    body["new_password"] = "";  // the real value goes in only for serialising
    body["servers"] = ServersJson(ids);
  } else {
    call.action = "ResetServerPassword";
    call.path = "/cloudservers/" + ids.front() + "/os-reset-password";
    body["reset-password"]["new_password"] = "";
  }
  std::string& slot =
      (options_.batch_reset ? body["new_password"]
                            : body["reset-password"]["new_password"])
          .get_ref<std::string&>();
  absl::StatusOr<std::string> text =
      SerializeWithPassword(body, slot, password);
  if (!text.ok()) return text.status();
  call.body = std::move(*text);
  return call;
}

absl::StatusOr<CallResult> HuaweiEcsClient::ResetPassword(
    std::string_view region, absl::Span<const std::string> ids,
    const ResetPasswordParams& params) {
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_reset_batch);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckResetParams(params); !s.ok()) return s;
  const std::string_view password = params.password.Reveal();
  absl::StatusOr<Call> call = ResetCall(ids, password);
  if (!call.ok()) return call.status();
  absl::StatusOr<Reply> reply = Send(region, std::move(*call));
  if (!reply.ok()) {
    return RedactStatus(reply.status(), {password},
                        RedactScope::kMessagesAndCode);
  }
  return CallResult{reply->request_id};
}

absl::StatusOr<std::vector<InstanceStatus>> HuaweiEcsClient::Describe(
    std::string_view region, absl::Span<const std::string> ids) {
  // An empty server_id would list the whole project: never send it.
  if (ids.empty()) return std::vector<InstanceStatus>{};
  if (absl::Status s = CheckCall(region, ids, capabilities_.max_describe_batch);
      !s.ok()) {
    return s;
  }
  Call call{
      "ListServersDetails",
      "GET",
      "/cloudservers/detail",
      {{"limit", std::to_string(kDescribeLimit)}, {"server_id", JoinIds(ids)}},
      ""};
  absl::StatusOr<Reply> reply = Send(region, std::move(call));
  if (!reply.ok()) return reply.status();
  const nlohmann::json& body = reply->body;
  if (!body.is_object() || !body.contains("servers") ||
      !body["servers"].is_array()) {
    ProviderError error;
    error.http_status = 200;
    error.message = "unparseable response: no servers";
    error.request_id = reply->request_id;
    return MakeProviderStatus(absl::StatusCode::kInternal, error);
  }
  std::map<std::string, InstanceStatus> known;
  for (const nlohmann::json& server : body["servers"]) {
    InstanceStatus status = ParseHuaweiServer(server);
    known.emplace(status.instance_id, std::move(status));
  }
  return InAskedOrder(ids, known);
}

}  // namespace

std::unique_ptr<CloudClient> MakeHuaweiEcsClient(
    HuaweiEcsOptions options, std::shared_ptr<http::HttpTransport> transport) {
  return std::make_unique<HuaweiEcsClient>(std::move(options),
                                           std::move(transport));
}

}  // namespace resetd::clients::huawei
