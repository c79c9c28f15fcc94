#include "clients/aliyun/aliyun_ecs_client.h"

#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "clients/aliyun/acs3_signer.h"
#include "clients/provider_error.h"
#include "common/crypto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::aliyun {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::JsonResponse;
using http::ScriptedTransport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr int64_t kTimestamp = 1795376535;
constexpr char kDate[] = "2026-11-22T19:42:15Z";
constexpr char kAccessKeyId[] = "LTAI5tEXAMPLEaccessKeyId";
constexpr char kAccessKeySecret[] = "EXAMPLEaccessKeySecret0123456789";
constexpr char kPassword[] = "Fake-Passw0rd!2024";
constexpr char kRegion[] = "cn-hangzhou";

class FixedClock final : public resetd::Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(kTimestamp); }
};

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) {
    char id[32];
    std::snprintf(id, sizeof(id), "i-bp67acfmxazb4p%04d", i);
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

// The query of the request's URL (after "/?").
std::string Query(const HttpRequest& request) {
  const size_t q = request.url.find("/?");
  return q == std::string::npos ? "<none>" : request.url.substr(q + 2);
}

// The Authorization our signer computes over what was actually sent.
std::string Resign(const HttpRequest& request) {
  Acs3Headers headers;
  for (const auto& header : request.headers) {
    if (header.first != "Authorization") headers.push_back(header);
  }
  const std::string query = Query(request);
  const std::string payload_hash = Sha256Hex(request.body);
  Acs3Request sign;
  sign.method = request.method;
  sign.canonical_query = query;
  sign.headers = headers;
  sign.hashed_payload = payload_hash;
  return Acs3Authorization(kAccessKeyId, kAccessKeySecret, sign);
}

HttpResponse ErrorResponse(int status, const std::string& code,
                           const std::string& message,
                           const std::string& request_id = "req-err-1") {
  nlohmann::json j = {{"RequestId", request_id},
                      {"HostId", "ecs.aliyuncs.com"},
                      {"Code", code},
                      {"Message", message},
                      {"Recommend", "https://api.aliyun.com/troubleshoot"}};
  return JsonResponse(j.dump(), status);
}

HttpResponse Accepted(const std::string& request_id = "req-ok-1") {
  return JsonResponse(R"({"RequestId":")" + request_id + R"("})");
}

HttpResponse BatchAnswer(const std::vector<std::string>& ids,
                         const std::string& request_id = "req-batch") {
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& id : ids) {
    list.push_back({{"InstanceId", id},
                    {"Code", "200"},
                    {"Message", "success"},
                    {"PreviousStatus", "Running"},
                    {"CurrentStatus", "Stopping"}});
  }
  nlohmann::json j = {{"RequestId", request_id},
                      {"InstanceResponses", {{"InstanceResponse", list}}}};
  return JsonResponse(j.dump());
}

HttpResponse Instances(
    const std::vector<std::pair<std::string, std::string>>& id_status) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [id, status] : id_status) {
    list.push_back({{"InstanceId", id},
                    {"Status", status},
                    {"RegionId", kRegion},
                    {"OSType", "linux"}});
  }
  nlohmann::json j = {{"RequestId", "req-describe"},
                      {"TotalCount", id_status.size()},
                      {"NextToken", ""},
                      {"Instances", {{"Instance", list}}}};
  return JsonResponse(j.dump());
}

class AliyunEcsClientTest : public ::testing::Test {
 protected:
  AliyunEcsOptions Options() {
    AliyunEcsOptions options;
    options.access_key_id = kAccessKeyId;
    options.access_key_secret = Secret(kAccessKeySecret);
    options.clock = &clock_;
    return options;
  }
  std::unique_ptr<CloudClient> Client(AliyunEcsOptions options) {
    return MakeAliyunEcsClient(std::move(options), transport_);
  }
  std::unique_ptr<CloudClient> Client() { return Client(Options()); }

  ResetPasswordParams Params(std::string password = kPassword) {
    ResetPasswordParams params;
    params.password = Secret(std::move(password));
    return params;
  }

  HttpRequest OnlyRequest() {
    EXPECT_EQ(transport_->request_count(), 1u);
    return transport_->requests().back();
  }

  // The headers every call carries, and its signature.
  void ExpectSignedCall(const HttpRequest& r, const std::string& action) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.url.rfind("https://ecs.aliyuncs.com/?", 0), 0u) << r.url;
    EXPECT_EQ(Header(r, "host"), "ecs.aliyuncs.com");
    EXPECT_EQ(Header(r, "x-acs-action"), action);
    EXPECT_EQ(Header(r, "x-acs-version"), "2014-05-26");
    EXPECT_EQ(Header(r, "x-acs-date"), kDate);
    EXPECT_THAT(Header(r, "x-acs-signature-nonce"),
                ::testing::MatchesRegex("[0-9a-f]{32}"));
    EXPECT_EQ(Header(r, "accept"), "application/json");
    EXPECT_EQ(Header(r, "content-type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(Header(r, "x-acs-content-sha256"), kEmptyPayloadSha256);
    const std::string authorization = Header(r, "Authorization");
    EXPECT_EQ(authorization.rfind(
                  "ACS3-HMAC-SHA256 Credential=LTAI5tEXAMPLEaccessKeyId,"
                  "SignedHeaders=content-type;host;x-acs-action;"
                  "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
                  "x-acs-version,Signature=",
                  0),
              0u)
        << authorization;
    EXPECT_EQ(authorization, Resign(r));
    EXPECT_EQ(r.timeout, absl::Seconds(10));
    EXPECT_EQ(r.connect_timeout, absl::Seconds(3));
  }

  FixedClock clock_;
  std::shared_ptr<ScriptedTransport> transport_ =
      std::make_shared<ScriptedTransport>();
};

TEST_F(AliyunEcsClientTest, CapabilitiesDeclareAliyunBehaviour) {
  auto client = Client();
  const Capabilities& c = client->capabilities();
  EXPECT_EQ(c.max_describe_batch, 100);
  EXPECT_EQ(c.max_stop_batch, 100);
  EXPECT_EQ(c.max_start_batch, 100);
  EXPECT_EQ(c.max_reboot_batch, 100);
  EXPECT_EQ(c.max_reset_batch, 1);
  EXPECT_EQ(c.reset_effect, ResetEffect::kAppliesAtNextBoot);
  EXPECT_FALSE(c.reset_result_observable);
  EXPECT_TRUE(c.reset_verifiable);
  EXPECT_TRUE(c.vnc_password);
  EXPECT_EQ(c.max_vnc_batch, 1);
}

TEST_F(AliyunEcsClientTest, MaxBatchLowersButNeverRaisesLimits) {
  AliyunEcsOptions low = Options();
  low.max_batch = 40;
  auto low_client = Client(std::move(low));
  EXPECT_EQ(low_client->capabilities().max_stop_batch, 40);
  EXPECT_EQ(low_client->capabilities().max_reset_batch, 1);
  AliyunEcsOptions high = Options();
  high.max_batch = 500;
  EXPECT_EQ(Client(std::move(high))->capabilities().max_describe_batch, 100);
}

TEST_F(AliyunEcsClientTest, ResetPasswordSendsModifyInstanceAttribute) {
  transport_->Push(Accepted("req-reset"));
  auto result = Client()->ResetPassword(kRegion, Ids(1), Params());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "req-reset");
  const HttpRequest r = OnlyRequest();
  ExpectSignedCall(r, "ModifyInstanceAttribute");
  EXPECT_EQ(Query(r),
            "InstanceId=i-bp67acfmxazb4p0001&Password=Fake-Passw0rd%212024");
}

TEST_F(AliyunEcsClientTest, ResetPasswordEncodesEveryCharacter) {
  transport_->Push(Accepted());
  ASSERT_TRUE(
      Client()->ResetPassword(kRegion, Ids(1), Params("a b&c=d+e%f/g#h")).ok());
  const HttpRequest r = OnlyRequest();
  EXPECT_EQ(Query(r),
            "InstanceId=i-bp67acfmxazb4p0001&"
            "Password=a%20b%26c%3Dd%2Be%25f%2Fg%23h");
  EXPECT_EQ(Header(r, "Authorization"), Resign(r));
}

TEST_F(AliyunEcsClientTest, ResetPasswordTakesOnlyTheDefaultAccount) {
  transport_->Push(Accepted());
  transport_->Push(Accepted());
  auto client = Client();
  ResetPasswordParams root = Params();
  root.username = "root";
  EXPECT_TRUE(client->ResetPassword(kRegion, Ids(1), root).ok());
  ResetPasswordParams administrator = Params();
  administrator.username = "Administrator";
  EXPECT_TRUE(client->ResetPassword(kRegion, Ids(1), administrator).ok());
  ResetPasswordParams other = Params();
  other.username = "deploy";
  absl::Status s = client->ResetPassword(kRegion, Ids(1), other).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("deploy"));
  EXPECT_EQ(transport_->request_count(), 2u);
  for (const HttpRequest& r : transport_->requests()) {
    EXPECT_THAT(Query(r), Not(HasSubstr("root")));  // never sent
  }
}

TEST_F(AliyunEcsClientTest, ResetVncPasswordSendsModifyInstanceVncPasswd) {
  transport_->Push(Accepted("req-vnc"));
  auto result = Client()->ResetVncPassword(kRegion, Ids(1), Secret("Ab12cD"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "req-vnc");
  const HttpRequest r = OnlyRequest();
  ExpectSignedCall(r, "ModifyInstanceVncPasswd");
  EXPECT_EQ(Query(r),
            "InstanceId=i-bp67acfmxazb4p0001&RegionId=cn-hangzhou&"
            "VncPassword=Ab12cD");
}

TEST_F(AliyunEcsClientTest, StopSendsStopInstancesPerMode) {
  auto client = Client();
  const std::vector<std::pair<StopMode, std::string>> modes = {
      {StopMode::kSoft, "false"},
      {StopMode::kSoftThenForce, "false"},
      {StopMode::kForce, "true"}};
  for (const auto& [mode, force] : modes) {
    transport_->Push(BatchAnswer(Ids(2)));
    auto result = client->Stop(kRegion, Ids(2), mode);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->request_id, "req-batch");
    const HttpRequest r = transport_->requests().back();
    ExpectSignedCall(r, "StopInstances");
    EXPECT_EQ(Query(r),
              "BatchOptimization=SuccessFirst&ForceStop=" + force +
                  "&InstanceId.1=i-bp67acfmxazb4p0001&"
                  "InstanceId.2=i-bp67acfmxazb4p0002&RegionId=cn-hangzhou&"
                  "StoppedMode=KeepCharging");
  }
}

TEST_F(AliyunEcsClientTest, StartSendsStartInstances) {
  transport_->Push(BatchAnswer(Ids(2)));
  ASSERT_TRUE(Client()->Start(kRegion, Ids(2)).ok());
  const HttpRequest r = OnlyRequest();
  ExpectSignedCall(r, "StartInstances");
  EXPECT_EQ(Query(r),
            "BatchOptimization=SuccessFirst&InstanceId.1=i-bp67acfmxazb4p0001&"
            "InstanceId.2=i-bp67acfmxazb4p0002&RegionId=cn-hangzhou");
}

TEST_F(AliyunEcsClientTest, RebootSendsRebootInstances) {
  transport_->Push(BatchAnswer(Ids(1)));
  transport_->Push(BatchAnswer(Ids(1)));
  auto client = Client();
  ASSERT_TRUE(client->Reboot(kRegion, Ids(1), StopMode::kSoftThenForce).ok());
  ASSERT_TRUE(client->Reboot(kRegion, Ids(1), StopMode::kForce).ok());
  const std::vector<HttpRequest> r = transport_->requests();
  ASSERT_EQ(r.size(), 2u);
  ExpectSignedCall(r[0], "RebootInstances");
  EXPECT_EQ(Query(r[0]),
            "BatchOptimization=SuccessFirst&ForceReboot=false&"
            "InstanceId.1=i-bp67acfmxazb4p0001&RegionId=cn-hangzhou");
  EXPECT_THAT(Query(r[1]), HasSubstr("ForceReboot=true"));
}

TEST_F(AliyunEcsClientTest, HundredIdsAreNumberedFromOne) {
  transport_->Push(BatchAnswer(Ids(100)));
  ASSERT_TRUE(Client()->Start(kRegion, Ids(100)).ok());
  const std::string q = Query(OnlyRequest());
  EXPECT_THAT(q, HasSubstr("InstanceId.1=i-bp67acfmxazb4p0001&"));
  EXPECT_THAT(q, HasSubstr("InstanceId.100=i-bp67acfmxazb4p0100&"));
  EXPECT_THAT(q, Not(HasSubstr("InstanceId.0=")));
  EXPECT_THAT(q, Not(HasSubstr("InstanceId.101=")));
}

TEST_F(AliyunEcsClientTest, DescribeSendsDescribeInstancesAndMapsStates) {
  const std::vector<std::string> ids = Ids(7);
  transport_->Push(Instances({{ids[4], "Stopped"},
                              {ids[0], "Running"},
                              {ids[1], "Starting"},
                              {ids[2], "Stopping"},
                              {ids[3], "Pending"},
                              {"i-someoneelse", "Running"},
                              {ids[6], "Weird"}}));
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  const HttpRequest r = OnlyRequest();
  ExpectSignedCall(r, "DescribeInstances");
  EXPECT_THAT(Query(r),
              HasSubstr("InstanceIds=%5B%22i-bp67acfmxazb4p0001%22%2C"));
  EXPECT_THAT(Query(r),
              HasSubstr("%22i-bp67acfmxazb4p0007%22%5D&MaxResults=100&"
                        "RegionId=cn-hangzhou"));
  ASSERT_EQ(result->size(), 7u);
  std::vector<std::pair<std::string, PowerState>> got;
  for (const InstanceStatus& s : *result)
    got.emplace_back(s.instance_id, s.state);
  EXPECT_THAT(got, ElementsAre(Pair(ids[0], PowerState::kRunning),
                               Pair(ids[1], PowerState::kStarting),
                               Pair(ids[2], PowerState::kStopping),
                               Pair(ids[3], PowerState::kPending),
                               Pair(ids[4], PowerState::kStopped),
                               Pair(ids[5], PowerState::kNotFound),
                               Pair(ids[6], PowerState::kUnknown)));
  EXPECT_EQ((*result)[4].provider_state, "Stopped");
  EXPECT_EQ((*result)[6].provider_state, "Weird");
}

TEST_F(AliyunEcsClientTest, DescribeOfAnIdWithInvalidUtf8DoesNotThrow) {
  transport_->Push(Instances({}));
  const std::vector<std::string> ids = {"i-\xff\xfe"};
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ((*result)[0].state, PowerState::kNotFound);
  EXPECT_THAT(Query(OnlyRequest()), HasSubstr("%EF%BF%BD"));
}

TEST_F(AliyunEcsClientTest, DescribeOfNoIdsSendsNothing) {
  auto result = Client()->Describe(kRegion, {});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(AliyunEcsClientTest, DescribeWithoutInstancesIsInternal) {
  transport_->Push(JsonResponse(R"({"RequestId":"req-x"})"));
  auto result = Client()->Describe(kRegion, Ids(1));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(GetProviderError(result.status())->request_id, "req-x");
}

TEST_F(AliyunEcsClientTest, BatchLimitsAreRejectedWithoutSending) {
  auto client = Client();
  const std::vector<std::string> many = Ids(101);
  EXPECT_EQ(client->Describe(kRegion, many).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Stop(kRegion, many, StopMode::kSoft).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Start(kRegion, many).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Reboot(kRegion, many, StopMode::kSoft).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status reset =
      client->ResetPassword(kRegion, Ids(2), Params()).status();
  EXPECT_EQ(reset.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(reset.message(), HasSubstr("batch limit of 1"));
  EXPECT_EQ(client->ResetVncPassword(kRegion, Ids(2), Secret("Ab12cD"))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  AliyunEcsOptions low = Options();
  low.max_batch = 40;
  EXPECT_EQ(Client(std::move(low))->Start(kRegion, Ids(41)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(AliyunEcsClientTest, BadInputIsRejectedWithoutSending) {
  auto client = Client();
  EXPECT_EQ(client->Start("", Ids(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Start("cn-hangzhou&RegionId=x", Ids(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Start(kRegion, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->ResetPassword(kRegion, Ids(1), Params("")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->ResetVncPassword(kRegion, Ids(1), Secret()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(AliyunEcsClientTest, PartialBatchFailureIsAnErrorNamingTheFirstCode) {
  nlohmann::json j = {{"RequestId", "req-partial"},
                      {"InstanceResponses",
                       {{"InstanceResponse",
                         {{{"InstanceId", "i-bp67acfmxazb4p0001"},
                           {"Code", "200"},
                           {"Message", "success"}},
                          {{"InstanceId", "i-bp67acfmxazb4p0002"},
                           {"Code", "InstanceLockedForSecurity"},
                           {"Message", "locked for security reasons"}}}}}}};
  transport_->Push(JsonResponse(j.dump()));
  absl::Status s = Client()->Stop(kRegion, Ids(2), StopMode::kSoft).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  auto error = GetProviderError(s);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "InstanceLockedForSecurity");
  EXPECT_EQ(error->request_id, "req-partial");
  EXPECT_THAT(error->message,
              HasSubstr("1 of 2 instances failed: i-bp67acfmxazb4p0002"));
}

TEST_F(AliyunEcsClientTest, ProviderErrorsKeepTheirIdentity) {
  transport_->Push(ErrorResponse(
      403, "IncorrectInstanceStatus",
      "The current status of the resource does not support this operation.",
      "8A1AF1A8-33B0-4683-AC96-D9D4336208C7"));
  absl::Status s = Client()->ResetPassword(kRegion, Ids(1), Params()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);  // e.g. Starting
  auto error = GetProviderError(s);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "IncorrectInstanceStatus");
  EXPECT_EQ(error->request_id, "8A1AF1A8-33B0-4683-AC96-D9D4336208C7");
  EXPECT_EQ(error->http_status, 403);
}

TEST_F(AliyunEcsClientTest, ErrorTableThroughTheClient) {
  const std::vector<std::tuple<int, std::string, absl::StatusCode>> cases = {
      {400, "Throttling.User", absl::StatusCode::kResourceExhausted},
      {404, "InvalidInstanceId.NotFound", absl::StatusCode::kNotFound},
      {400, "InvalidPassword.Malformed", absl::StatusCode::kInvalidArgument},
      {400, "SignatureDoesNotMatch", absl::StatusCode::kUnauthenticated},
      {403, "Forbidden.RAM", absl::StatusCode::kPermissionDenied},
      {500, "InternalError", absl::StatusCode::kUnavailable},
      {503, "ServiceUnavailable", absl::StatusCode::kUnavailable},
      {409, "OperationConflict", absl::StatusCode::kUnavailable},
      {403, "InstanceLockedForSecurity", absl::StatusCode::kFailedPrecondition},
  };
  auto client = Client();
  for (const auto& [status, code, want] : cases) {
    transport_->Push(ErrorResponse(status, code, "m"));
    absl::Status s = client->ResetPassword(kRegion, Ids(1), Params()).status();
    EXPECT_EQ(s.code(), want) << code;
    EXPECT_EQ(GetProviderError(s)->code, code);
  }
}

TEST_F(AliyunEcsClientTest, PasswordNeverReachesAStatusOrPayload) {
  const std::string password = "Sec ret/P@ss!1";
  const std::string encoded = Acs3Encode(password);
  auto client = Client();
  // The provider echoes the password, plainly and percent-encoded.
  transport_->Push(ErrorResponse(
      400, "InvalidPassword.Malformed",
      "Password " + password + " (" + encoded + ") is not valid"));
  transport_->Push(absl::UnavailableError(
      "POST https://ecs.aliyuncs.com: " + encoded + " connection reset"));
  transport_->Push(ErrorResponse(400, "IncorrectVncPassword.Malformed",
                                 "VncPassword Ab12cD is not valid"));
  std::vector<absl::Status> statuses = {
      client->ResetPassword(kRegion, Ids(1), Params(password)).status(),
      client->ResetPassword(kRegion, Ids(1), Params(password)).status(),
      client->ResetVncPassword(kRegion, Ids(1), Secret("Ab12cD")).status()};
  for (const absl::Status& s : statuses) {
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.ToString(), Not(HasSubstr(password)));
    EXPECT_THAT(s.ToString(), Not(HasSubstr(encoded)));
    EXPECT_THAT(s.ToString(), Not(HasSubstr("Ab12cD")));
    if (auto error = GetProviderError(s)) {
      EXPECT_THAT(error->message, Not(HasSubstr(password)));
      EXPECT_THAT(error->message, Not(HasSubstr(encoded)));
      EXPECT_THAT(error->message, Not(HasSubstr("Ab12cD")));
    }
  }
  EXPECT_EQ(statuses[0].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(statuses[0].message()), HasSubstr("***"));
  EXPECT_EQ(statuses[1].code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(statuses[2].code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AliyunEcsClientTest, TransportErrorsKeepTheirCodeAndNameTheAction) {
  transport_->Push(absl::DeadlineExceededError("POST https://x: timed out"));
  absl::Status s = Client()->Start(kRegion, Ids(1)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("StartInstances"));
}

TEST_F(AliyunEcsClientTest, EndpointSchemeAndTimeoutsComeFromOptions) {
  AliyunEcsOptions options = Options();
  options.endpoint = "127.0.0.1:43217";
  options.scheme = "http";
  options.request_timeout = absl::Seconds(4);
  options.connect_timeout = absl::Seconds(1);
  transport_->Push(BatchAnswer(Ids(1)));
  ASSERT_TRUE(Client(std::move(options))->Start(kRegion, Ids(1)).ok());
  const HttpRequest r = OnlyRequest();
  EXPECT_EQ(r.url.rfind("http://127.0.0.1:43217/?", 0), 0u);
  EXPECT_EQ(Header(r, "host"), "127.0.0.1:43217");
  EXPECT_EQ(r.timeout, absl::Seconds(4));
  EXPECT_EQ(r.connect_timeout, absl::Seconds(1));
  EXPECT_EQ(Header(r, "Authorization"), Resign(r));
}

TEST_F(AliyunEcsClientTest, NoncesDifferBetweenCalls) {
  transport_->Push(BatchAnswer(Ids(1)));
  transport_->Push(BatchAnswer(Ids(1)));
  auto client = Client();
  ASSERT_TRUE(client->Start(kRegion, Ids(1)).ok());
  ASSERT_TRUE(client->Start(kRegion, Ids(1)).ok());
  const std::vector<HttpRequest> r = transport_->requests();
  EXPECT_NE(Header(r[0], "x-acs-signature-nonce"),
            Header(r[1], "x-acs-signature-nonce"));
}

TEST_F(AliyunEcsClientTest, ConcurrentCallsAreSafe) {
  transport_->SetHandler(
      [](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
        return Accepted();
      });
  auto client = Client();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&client, this] {
      for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(client->ResetPassword(kRegion, Ids(1), Params()).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const std::vector<HttpRequest> requests = transport_->requests();
  EXPECT_EQ(requests.size(), 160u);
  std::set<std::string> nonces;
  for (const HttpRequest& r : requests) {
    nonces.insert(Header(r, "x-acs-signature-nonce"));
    EXPECT_EQ(Header(r, "Authorization"), Resign(r));
  }
  EXPECT_EQ(nonces.size(), 160u);
}

}  // namespace
}  // namespace resetd::clients::aliyun
