#include "clients/huawei/huawei_ecs_client.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clients/huawei/sdk_signer.h"
#include "clients/provider_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::huawei {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::JsonResponse;
using http::ScriptedTransport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr int64_t kTimestamp = 1795376536;  // 20261122T194216Z
constexpr char kAk[] = "HWEXAMPLEAK0123456789";
constexpr char kSk[] = "HWEXAMPLESKabcdefghijklmnopqrstuvwxyz0123";
constexpr char kRegion[] = "cn-north-4";
constexpr char kProject[] = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
constexpr char kOtherRegion[] = "ap-southeast-1";
constexpr char kOtherProject[] = "ffeeddccbbaa00998877665544332211";
constexpr char kPassword[] = "Fake-Passw0rd!2024";
constexpr char kHost[] = "ecs.cn-north-4.myhuaweicloud.com";

class FixedClock final : public resetd::Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(kTimestamp); }
};

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) {
    char id[40];
    std::snprintf(id, sizeof(id), "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6b%04d", i);
    ids.push_back(id);
  }
  return ids;
}

std::string Header(const HttpRequest& request, const std::string& name) {
  for (const auto& [n, v] : request.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

HttpResponse WithRequestId(HttpResponse response, std::string id) {
  response.headers.emplace_back("x-request-id", std::move(id));
  return response;
}

HttpResponse Job(const std::string& job_id = "job-1") {
  return WithRequestId(JsonResponse(R"({"job_id":")" + job_id + R"("})"),
                       "hdr-" + job_id);
}

HttpResponse NoContent(const std::string& request_id = "hdr-reset") {
  HttpResponse r;
  r.status = 204;
  r.headers = {{"x-request-id", request_id}};
  return r;
}

HttpResponse Error(int status, const nlohmann::json& body,
                   const std::string& request_id = "hdr-err") {
  return WithRequestId(JsonResponse(body.dump(), status), request_id);
}

nlohmann::json Server(const std::string& id, const std::string& status,
                      nlohmann::json task_state = nullptr,
                      bool locked = false) {
  return {{"id", id},
          {"name", "ecs-" + id.substr(id.size() - 4)},
          {"status", status},
          {"OS-EXT-STS:task_state", std::move(task_state)},
          {"OS-EXT-STS:vm_state", "active"},
          {"locked", locked}};
}

HttpResponse Servers(const std::vector<nlohmann::json>& servers) {
  nlohmann::json j = {{"count", servers.size()}, {"servers", servers}};
  return WithRequestId(JsonResponse(j.dump()), "hdr-describe");
}

// The SdkRequest our client should have signed for `r`.
SdkRequest Signed(const HttpRequest& r, const std::string& path,
                  SdkPairs query = {}) {
  SdkRequest s;
  s.method = r.method;
  s.path = path;
  s.query = std::move(query);
  s.headers = {{"Content-Type", "application/json"},
               {"X-Project-Id", Header(r, "X-Project-Id")},
               {"X-Sdk-Date", "20261122T194216Z"},
               {"Host", Header(r, "Host")}};
  s.payload = r.body;
  return s;
}

class HuaweiEcsClientTest : public ::testing::Test {
 protected:
  HuaweiEcsOptions Options() {
    HuaweiEcsOptions options;
    options.project_ids = {{kRegion, kProject}, {kOtherRegion, kOtherProject}};
    options.ak = kAk;
    options.sk = Secret(kSk);
    options.clock = &clock_;
    return options;
  }
  std::unique_ptr<CloudClient> Client(HuaweiEcsOptions options) {
    return MakeHuaweiEcsClient(std::move(options), transport_);
  }
  std::unique_ptr<CloudClient> Client() { return Client(Options()); }

  static ResetPasswordParams Params(std::string username = "") {
    ResetPasswordParams params;
    params.username = std::move(username);
    params.password = Secret(kPassword);
    return params;
  }

  FixedClock clock_;
  std::shared_ptr<ScriptedTransport> transport_ =
      std::make_shared<ScriptedTransport>();
};

TEST_F(HuaweiEcsClientTest, CapabilitiesDeclareHuaweiBehaviour) {
  const Capabilities c = Client()->capabilities();
  EXPECT_EQ(c.max_describe_batch, 100);
  EXPECT_EQ(c.max_stop_batch, 100);
  EXPECT_EQ(c.max_start_batch, 100);
  EXPECT_EQ(c.max_reboot_batch, 100);
  EXPECT_EQ(c.max_reset_batch, 1);
  EXPECT_EQ(c.reset_effect, ResetEffect::kAppliesAtNextBoot);
  EXPECT_FALSE(c.reset_result_observable);
  EXPECT_FALSE(c.reset_verifiable);
  EXPECT_FALSE(c.vnc_password);
}

TEST_F(HuaweiEcsClientTest, MaxBatchAndBatchResetSetLimits) {
  HuaweiEcsOptions batch = Options();
  batch.batch_reset = true;
  EXPECT_EQ(Client(std::move(batch))->capabilities().max_reset_batch, 100);
  HuaweiEcsOptions low = Options();
  low.max_batch = 40;
  low.batch_reset = true;
  auto client = Client(std::move(low));
  EXPECT_EQ(client->capabilities().max_stop_batch, 40);
  EXPECT_EQ(client->capabilities().max_reset_batch, 40);
  HuaweiEcsOptions high = Options();
  high.max_batch = 1000;
  EXPECT_EQ(Client(std::move(high))->capabilities().max_describe_batch, 100);
}

TEST_F(HuaweiEcsClientTest, StopSendsSdkRequestAndReturnsJob) {
  transport_->Push(Job("job-stop"));
  auto result = Client()->Stop(kRegion, Ids(2), StopMode::kSoft);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "job:job-stop");

  ASSERT_EQ(transport_->request_count(), 1u);
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, std::string("https://") + kHost + "/v1/" + kProject +
                       "/cloudservers/action");
  EXPECT_EQ(
      r.body,
      R"({"os-stop":{"servers":[{"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6b0001"},)"
      R"({"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6b0002"}],"type":"SOFT"}})");
  EXPECT_EQ(r.timeout, absl::Seconds(10));
  EXPECT_EQ(r.connect_timeout, absl::Seconds(3));
  ASSERT_EQ(r.headers.size(), 5u);
  EXPECT_THAT(
      std::vector(r.headers.begin(), r.headers.end() - 1),
      ElementsAre(Pair("Content-Type", "application/json"),
                  Pair("X-Project-Id", kProject),
                  Pair("X-Sdk-Date", "20261122T194216Z"), Pair("Host", kHost)));
  EXPECT_EQ(r.headers.back().first, "Authorization");
}

TEST_F(HuaweiEcsClientTest, AuthorizationVerifiesForEveryAction) {
  auto client = Client();
  for (int i = 0; i < 4; ++i) transport_->Push(Job());
  transport_->Push(NoContent());
  transport_->Push(Servers({}));
  ASSERT_TRUE(client->Stop(kRegion, Ids(1), StopMode::kForce).ok());
  ASSERT_TRUE(client->Start(kRegion, Ids(2)).ok());
  ASSERT_TRUE(client->Reboot(kRegion, Ids(1), StopMode::kSoft).ok());
  ASSERT_TRUE(client->Reboot(kRegion, Ids(1), StopMode::kSoftThenForce).ok());
  ASSERT_TRUE(client->ResetPassword(kRegion, Ids(1), Params()).ok());
  ASSERT_TRUE(client->Describe(kRegion, Ids(2)).ok());
  const auto r = transport_->requests();
  ASSERT_EQ(r.size(), 6u);
  const std::string base = std::string("/v1/") + kProject + "/cloudservers";
  const std::vector<SdkRequest> expected = {
      Signed(r[0], base + "/action"),
      Signed(r[1], base + "/action"),
      Signed(r[2], base + "/action"),
      Signed(r[3], base + "/action"),
      Signed(r[4], base + "/" + Ids(1)[0] + "/os-reset-password"),
      Signed(r[5], base + "/detail",
             {{"limit", "100"}, {"server_id", Ids(2)[0] + "," + Ids(2)[1]}}),
  };
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(Header(r[i], "Authorization"),
              SdkAuthorization(kAk, kSk, expected[i]))
        << "request " << i;
  }
  EXPECT_THAT(Header(r[0], "Authorization"),
              HasSubstr("SDK-HMAC-SHA256 Access=HWEXAMPLEAK0123456789, "
                        "SignedHeaders=content-type;host;x-project-id;"
                        "x-sdk-date, Signature="));
}

TEST_F(HuaweiEcsClientTest, ActionBodiesFollowTheSdk) {
  auto client = Client();
  for (int i = 0; i < 4; ++i) transport_->Push(Job());
  ASSERT_TRUE(client->Stop(kRegion, Ids(1), StopMode::kForce).ok());
  ASSERT_TRUE(client->Stop(kRegion, Ids(1), StopMode::kSoftThenForce).ok());
  ASSERT_TRUE(client->Start(kRegion, Ids(1)).ok());
  ASSERT_TRUE(client->Reboot(kRegion, Ids(1), StopMode::kForce).ok());
  const auto r = transport_->requests();
  const std::string servers =
      R"({"servers":[{"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6b0001"}])";
  EXPECT_EQ(r[0].body, R"({"os-stop":)" + servers + R"(,"type":"HARD"}})");
  EXPECT_EQ(r[1].body, R"({"os-stop":)" + servers + R"(,"type":"SOFT"}})");
  EXPECT_EQ(r[2].body, R"({"os-start":)" + servers + "}}");
  EXPECT_EQ(r[3].body, R"({"reboot":)" + servers + R"(,"type":"HARD"}})");
}

TEST_F(HuaweiEcsClientTest, ActionWithoutJobIdReturnsRequestIdHeader) {
  transport_->Push(WithRequestId(JsonResponse("{}"), "hdr-no-job"));
  auto result = Client()->Start(kRegion, Ids(1));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "hdr-no-job");
}

TEST_F(HuaweiEcsClientTest, ResetPasswordPutsOneServer) {
  transport_->Push(NoContent("hdr-reset-1"));
  auto result = Client()->ResetPassword(kRegion, Ids(1), Params("root"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "hdr-reset-1");
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, std::string("https://") + kHost + "/v1/" + kProject +
                       "/cloudservers/" + Ids(1)[0] + "/os-reset-password");
  EXPECT_EQ(r.body,
            R"({"reset-password":{"new_password":"Fake-Passw0rd!2024"}})");
}

TEST_F(HuaweiEcsClientTest, BatchResetPutsManyServers) {
  HuaweiEcsOptions options = Options();
  options.batch_reset = true;
  transport_->Push(WithRequestId(
      JsonResponse(R"({"response":[{"id":"a"},{"id":"b"}]})"), "hdr-batch"));
  auto result =
      Client(std::move(options))->ResetPassword(kRegion, Ids(2), Params());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "hdr-batch");
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, std::string("https://") + kHost + "/v1/" + kProject +
                       "/cloudservers/os-reset-passwords");
  EXPECT_EQ(r.body, R"({"new_password":"Fake-Passw0rd!2024","servers":[)"
                    R"({"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6b0001"},)"
                    R"({"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6b0002"}]})");
}

TEST_F(HuaweiEcsClientTest, ResetPasswordAcceptsOnlyTheAdministratorAccount) {
  auto client = Client();
  transport_->Push(NoContent());
  EXPECT_TRUE(
      client->ResetPassword(kRegion, Ids(1), Params("Administrator")).ok());
  auto other = client->ResetPassword(kRegion, Ids(1), Params("ubuntu"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(other.status().message(), HasSubstr("ubuntu"));
  ResetPasswordParams empty = Params();
  empty.password = Secret("");
  EXPECT_EQ(client->ResetPassword(kRegion, Ids(1), empty).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 1u);
}

TEST_F(HuaweiEcsClientTest, BatchLimitsAreRejectedWithoutSending) {
  auto client = Client();
  const auto too_many = Ids(101);
  using C = absl::StatusCode;
  EXPECT_EQ(client->Describe(kRegion, too_many).status().code(),
            C::kInvalidArgument);
  EXPECT_EQ(client->Stop(kRegion, too_many, StopMode::kSoft).status().code(),
            C::kInvalidArgument);
  EXPECT_EQ(client->Start(kRegion, too_many).status().code(),
            C::kInvalidArgument);
  EXPECT_EQ(client->Reboot(kRegion, too_many, StopMode::kSoft).status().code(),
            C::kInvalidArgument);
  auto two = client->ResetPassword(kRegion, Ids(2), Params());
  EXPECT_EQ(two.status().code(), C::kInvalidArgument);
  EXPECT_THAT(two.status().message(), HasSubstr("batch limit of 1"));
  HuaweiEcsOptions batch = Options();
  batch.batch_reset = true;
  EXPECT_EQ(Client(std::move(batch))
                ->ResetPassword(kRegion, too_many, Params())
                .status()
                .code(),
            C::kInvalidArgument);
  EXPECT_EQ(client->Start(kRegion, {}).status().code(), C::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(HuaweiEcsClientTest, MalformedIdsAndRegionsAreRejectedWithoutSending) {
  auto client = Client();
  const std::vector<std::string> bad_ids = {
      "", "a/b", "a,b", "a?b", "a b", "\xc3\xa9", std::string(65, 'a')};
  for (const std::string& bad : bad_ids) {
    EXPECT_EQ(client->Start(kRegion, {bad}).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(client->Start("CN_NORTH", Ids(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Start("", Ids(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(HuaweiEcsClientTest, ProjectIdAndEndpointFollowTheRegion) {
  auto client = Client();
  transport_->Push(Job());
  transport_->Push(Job());
  ASSERT_TRUE(client->Start(kRegion, Ids(1)).ok());
  ASSERT_TRUE(client->Start(kOtherRegion, Ids(1)).ok());
  const auto r = transport_->requests();
  EXPECT_EQ(Header(r[0], "X-Project-Id"), kProject);
  EXPECT_EQ(Header(r[1], "X-Project-Id"), kOtherProject);
  EXPECT_EQ(Header(r[1], "Host"), "ecs.ap-southeast-1.myhuaweicloud.com");
  EXPECT_EQ(r[1].url, std::string("https://ecs.ap-southeast-1.myhuaweicloud."
                                  "com/v1/") +
                          kOtherProject + "/cloudservers/action");
}

TEST_F(HuaweiEcsClientTest, RegionWithoutProjectIdFailsPreconditionUnsent) {
  auto result = Client()->Start("la-south-2", Ids(1));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("la-south-2"));
  HuaweiEcsOptions bad = Options();
  bad.project_ids[kRegion] = "../x";
  EXPECT_EQ(Client(std::move(bad))->Start(kRegion, Ids(1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(HuaweiEcsClientTest, ConfiguredEndpointWithPortIsSentAndSigned) {
  HuaweiEcsOptions options = Options();
  options.endpoint = "127.0.0.1:43217";
  options.scheme = "http";
  options.request_timeout = absl::Milliseconds(1500);
  options.connect_timeout = absl::Milliseconds(250);
  transport_->Push(Job());
  ASSERT_TRUE(Client(std::move(options))->Start(kOtherRegion, Ids(1)).ok());
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.url, std::string("http://127.0.0.1:43217/v1/") + kOtherProject +
                       "/cloudservers/action");
  EXPECT_EQ(Header(r, "Host"), "127.0.0.1:43217");
  EXPECT_EQ(r.timeout, absl::Milliseconds(1500));
  EXPECT_EQ(r.connect_timeout, absl::Milliseconds(250));
  EXPECT_EQ(Header(r, "Authorization"),
            SdkAuthorization(kAk, kSk,
                             Signed(r, std::string("/v1/") + kOtherProject +
                                           "/cloudservers/action")));
}

TEST_F(HuaweiEcsClientTest, DescribeMapsServersInRequestOrder) {
  const auto ids = Ids(4);
  transport_->Push(Servers({Server(ids[2], "SHUTOFF", "powering-on"),
                            Server(ids[0], "ACTIVE"),
                            Server(ids[1], "ACTIVE", nullptr, true),
                            Server("not-asked-for", "ACTIVE")}));
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url, std::string("https://") + kHost + "/v1/" + kProject +
                       "/cloudservers/detail?limit=100&server_id=" + ids[0] +
                       "%2C" + ids[1] + "%2C" + ids[2] + "%2C" + ids[3]);
  EXPECT_EQ(r.body, "");
  ASSERT_EQ(result->size(), 4u);
  EXPECT_EQ((*result)[0].instance_id, ids[0]);
  EXPECT_EQ((*result)[0].state, PowerState::kRunning);
  EXPECT_EQ((*result)[0].provider_state, "ACTIVE");
  EXPECT_EQ((*result)[1].state, PowerState::kShutdown);
  EXPECT_EQ((*result)[1].provider_state, "ACTIVE (locked)");
  EXPECT_EQ((*result)[2].state, PowerState::kStarting);
  EXPECT_EQ((*result)[2].provider_state, "SHUTOFF/powering-on");
  EXPECT_EQ((*result)[3].instance_id, ids[3]);
  EXPECT_EQ((*result)[3].state, PowerState::kNotFound);
}

TEST_F(HuaweiEcsClientTest, DescribeOfNoIdsSendsNothing) {
  auto result = Client()->Describe(kRegion, {});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(HuaweiEcsClientTest, DescribeWithoutServersIsInternal) {
  transport_->Push(WithRequestId(JsonResponse(R"({"count":0})"), "hdr-x"));
  auto result = Client()->Describe(kRegion, Ids(1));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
  std::optional<ProviderError> e = GetProviderError(result.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->request_id, "hdr-x");
}

TEST_F(HuaweiEcsClientTest, ErrorsKeepCodeMessageAndHeaderRequestId) {
  auto client = Client();
  transport_->Push(Error(
      400,
      {{"error", {{"code", "Ecs.0114"}, {"message", "Invalid server ID."}}},
       {"request_id", "body-id"}},
      "hdr-404"));
  transport_->Push(Error(
      403,
      {{"error_code", "Ecs.0319"}, {"error_msg", "Insufficient resources."}},
      "hdr-403"));
  transport_->Push(
      Error(429, {{"error_code", "APIGW.0308"}, {"error_msg", "throttled"}},
            "hdr-429"));
  auto not_found = client->Stop(kRegion, Ids(1), StopMode::kSoft);
  EXPECT_EQ(not_found.status().code(), absl::StatusCode::kNotFound);
  std::optional<ProviderError> e = GetProviderError(not_found.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "Ecs.0114");
  EXPECT_EQ(e->message, "Invalid server ID.");
  EXPECT_EQ(e->request_id, "hdr-404");
  EXPECT_THAT(not_found.status().message(), HasSubstr("BatchStopServers"));

  auto denied = client->Start(kRegion, Ids(1));
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(GetProviderError(denied.status())->request_id, "hdr-403");

  auto throttled = client->Describe(kRegion, Ids(1));
  EXPECT_EQ(throttled.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(GetProviderError(throttled.status())->code, "APIGW.0308");
}

TEST_F(HuaweiEcsClientTest, TransportErrorsKeepTheirCode) {
  transport_->Push(absl::UnavailableError("connection refused"));
  transport_->Push(absl::DeadlineExceededError("timed out"));
  auto client = Client();
  auto refused = client->Reboot(kRegion, Ids(1), StopMode::kSoft);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("BatchRebootServers: connection refused"));
  auto late = client->ResetPassword(kRegion, Ids(1), Params());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(late.status().message(), HasSubstr("ResetServerPassword"));
}

TEST_F(HuaweiEcsClientTest, PasswordNeverAppearsInErrors) {
  auto client = Client();
  transport_->Push(
      Error(400, {{"error",
                   {{"code", "Ecs.0011"},
                    {"message", std::string("bad password ") + kPassword}}}}));
  transport_->Push(
      Error(500, {{"error_code", kPassword}, {"error_msg", kPassword}}));
  transport_->Push(absl::UnavailableError("broken"));
  for (int i = 0; i < 3; ++i) {
    auto result = client->ResetPassword(kRegion, Ids(1), Params());
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.status().ToString(), Not(HasSubstr(kPassword))) << i;
    if (std::optional<ProviderError> e = GetProviderError(result.status())) {
      EXPECT_THAT(e->message, Not(HasSubstr(kPassword)));
      EXPECT_THAT(e->code, Not(HasSubstr(kPassword)));
    }
  }
  // Invalid UTF-8 in the password: refused before sending, not quoted.
  ResetPasswordParams params = Params();
  params.password = Secret("Pass\xff\xfeword1!");
  auto invalid = client->ResetPassword(kRegion, Ids(1), params);
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(invalid.status().ToString(), Not(HasSubstr("Pass")));
  EXPECT_EQ(transport_->request_count(), 3u);
}

}  // namespace
}  // namespace resetd::clients::huawei
