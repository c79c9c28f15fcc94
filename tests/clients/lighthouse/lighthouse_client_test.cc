#include "clients/lighthouse/lighthouse_client.h"

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "clients/provider_error.h"
#include "clients/tencent/credentials.h"
#include "clients/tencent/tc3_signer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::lighthouse {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::JsonResponse;
using http::ScriptedTransport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr int64_t kTimestamp = 1795376535;  // 2026-11-22
constexpr char kSecretId[] = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
constexpr char kSecretKey[] = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
constexpr char kPassword[] = "Fake-Passw0rd!2024";
constexpr char kRegion[] = "ap-guangzhou";

class FixedClock final : public resetd::Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(kTimestamp); }
};

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) {
    char id[20];
    std::snprintf(id, sizeof(id), "lhins-%08d", i);
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

HttpResponse ErrorResponse(const std::string& code, const std::string& message,
                           const std::string& request_id = "req-err-1") {
  nlohmann::json j = {{"Response",
                       {{"Error", {{"Code", code}, {"Message", message}}},
                        {"RequestId", request_id}}}};
  return JsonResponse(j.dump());
}

HttpResponse Accepted(const std::string& request_id = "req-ok-1") {
  return JsonResponse(R"({"Response":{"RequestId":")" + request_id + R"("}})");
}

// A Lighthouse `Instance` as DescribeInstances returns it (no
// LatestOperationErrorMsg: Lighthouse's model has none).
nlohmann::json InstanceJson(const std::string& id, const std::string& state) {
  return {{"InstanceId", id},
          {"InstanceState", state},
          {"LatestOperation", "ResetInstancesPassword"},
          {"LatestOperationState", "SUCCESS"},
          {"LatestOperationRequestId", "req-op-" + id},
          {"LatestOperationStartedTime", "2026-11-22T10:00:00Z"}};
}

HttpResponse InstanceSet(const std::vector<nlohmann::json>& instances) {
  nlohmann::json j = {{"Response",
                       {{"TotalCount", instances.size()},
                        {"InstanceSet", instances},
                        {"RequestId", "req-describe"}}}};
  return JsonResponse(j.dump());
}

class LighthouseClientTest : public ::testing::Test {
 protected:
  LighthouseOptions Options() {
    LighthouseOptions options;
    options.secret_id = kSecretId;
    options.secret_key = Secret(kSecretKey);
    options.clock = &clock_;
    return options;
  }
  std::unique_ptr<CloudClient> Client(LighthouseOptions options) {
    return MakeLighthouseClient(std::move(options), transport_);
  }
  std::unique_ptr<CloudClient> Client() { return Client(Options()); }

  ResetPasswordParams Params(std::string username = "root") {
    ResetPasswordParams params;
    params.username = std::move(username);
    params.password = Secret(kPassword);
    return params;
  }

  FixedClock clock_;
  std::shared_ptr<ScriptedTransport> transport_ =
      std::make_shared<ScriptedTransport>();
};

TEST_F(LighthouseClientTest, CapabilitiesDeclareAResetThatRestartsItself) {
  auto client = Client();
  const Capabilities& c = client->capabilities();
  EXPECT_EQ(c.max_describe_batch, 100);
  EXPECT_EQ(c.max_stop_batch, 100);
  EXPECT_EQ(c.max_start_batch, 100);
  EXPECT_EQ(c.max_reboot_batch, 100);
  EXPECT_EQ(c.max_reset_batch, 100);
  EXPECT_EQ(c.reset_effect, ResetEffect::kRestartsItself);
  EXPECT_TRUE(c.reset_result_observable);
  EXPECT_TRUE(c.reset_verifiable);
  EXPECT_FALSE(c.vnc_password);
}

TEST_F(LighthouseClientTest, MaxBatchLowersButNeverRaisesLimits) {
  LighthouseOptions low = Options();
  low.max_batch = 40;
  EXPECT_EQ(Client(std::move(low))->capabilities().max_reset_batch, 40);
  LighthouseOptions high = Options();
  high.max_batch = 500;
  EXPECT_EQ(Client(std::move(high))->capabilities().max_describe_batch, 100);
  LighthouseOptions zero = Options();
  zero.max_batch = 0;
  EXPECT_EQ(Client(std::move(zero))->capabilities().max_stop_batch, 1);
}

TEST_F(LighthouseClientTest, ResetPasswordSendsExactSdkRequest) {
  transport_->Push(Accepted("req-reset"));
  auto result = Client()->ResetPassword(kRegion, Ids(2), Params());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "req-reset");

  ASSERT_EQ(transport_->request_count(), 1u);
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://lighthouse.tencentcloudapi.com/");
  EXPECT_EQ(r.body, R"({"InstanceIds":["lhins-00000001","lhins-00000002"],)"
                    R"("Password":"Fake-Passw0rd!2024","UserName":"root"})");
  EXPECT_EQ(r.timeout, absl::Seconds(10));
  EXPECT_EQ(r.connect_timeout, absl::Seconds(3));
  tencent::Tc3Request sign;
  sign.content_type = "application/json";
  sign.host = "lighthouse.tencentcloudapi.com";
  sign.payload = r.body;
  sign.service = "lighthouse";
  sign.timestamp = kTimestamp;
  EXPECT_THAT(
      r.headers,
      ElementsAre(Pair("Content-Type", "application/json"),
                  Pair("Host", "lighthouse.tencentcloudapi.com"),
                  Pair("X-TC-Action", "ResetInstancesPassword"),
                  Pair("X-TC-Version", "2020-03-24"),
                  Pair("X-TC-Region", "ap-guangzhou"),
                  Pair("X-TC-Timestamp", "1795376535"),
                  Pair("X-TC-RequestClient", "resetd/0.1"),
                  Pair("Authorization",
                       "TC3-HMAC-SHA256 Credential=" + std::string(kSecretId) +
                           "/2026-11-22/lighthouse/tc3_request, "
                           "SignedHeaders=content-type;host, Signature=" +
                           tencent::Tc3Signature(kSecretKey, sign))));
}

TEST_F(LighthouseClientTest, ResetNeverSendsForceStopAndOmitsEmptyUserName) {
  ResetPasswordParams params = Params("");
  params.force_stop = true;  // Lighthouse has none: the reset shuts down
  transport_->Push(Accepted());
  ASSERT_TRUE(Client()->ResetPassword(kRegion, Ids(1), params).ok());
  EXPECT_EQ(transport_->requests()[0].body,
            R"({"InstanceIds":["lhins-00000001"],)"
            R"("Password":"Fake-Passw0rd!2024"})");
}

TEST_F(LighthouseClientTest, ActionBodiesHaveSdkKeyOrder) {
  auto client = Client();
  for (int i = 0; i < 5; ++i) transport_->Push(Accepted());
  ASSERT_TRUE(client->Stop(kRegion, Ids(2), StopMode::kSoftThenForce).ok());
  ASSERT_TRUE(client->Stop(kRegion, Ids(1), StopMode::kSoft).ok());
  ASSERT_TRUE(client->Stop(kRegion, Ids(1), StopMode::kForce).ok());
  ASSERT_TRUE(client->Start(kRegion, Ids(2)).ok());
  ASSERT_TRUE(client->Reboot(kRegion, Ids(1), StopMode::kSoftThenForce).ok());
  const auto r = transport_->requests();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(Header(r[0], "X-TC-Action"), "StopInstances");
  // No StoppedMode: Lighthouse's StopInstances has none.
  EXPECT_EQ(r[0].body, R"({"InstanceIds":["lhins-00000001","lhins-00000002"],)"
                       R"("StopType":"SOFT_FIRST"})");
  EXPECT_EQ(r[1].body,
            R"({"InstanceIds":["lhins-00000001"],"StopType":"SOFT"})");
  EXPECT_EQ(r[2].body,
            R"({"InstanceIds":["lhins-00000001"],"StopType":"HARD"})");
  EXPECT_EQ(Header(r[3], "X-TC-Action"), "StartInstances");
  EXPECT_EQ(r[3].body,
            R"({"InstanceIds":["lhins-00000001","lhins-00000002"]})");
  EXPECT_EQ(Header(r[4], "X-TC-Action"), "RebootInstances");
  EXPECT_EQ(r[4].body,
            R"({"InstanceIds":["lhins-00000001"],"StopType":"SOFT_FIRST"})");
  for (const HttpRequest& request : r) {
    EXPECT_EQ(Header(request, "X-TC-Version"), "2020-03-24");
  }
}

TEST_F(LighthouseClientTest, EndpointPortIsSentButNotSigned) {
  LighthouseOptions options = Options();
  options.endpoint = "lighthouse.tencentcloudapi.com:43217";
  options.scheme = "http";
  options.request_timeout = absl::Milliseconds(1500);
  options.connect_timeout = absl::Milliseconds(250);
  transport_->Push(Accepted());
  ASSERT_TRUE(Client(std::move(options))->Start(kRegion, Ids(1)).ok());
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.url, "http://lighthouse.tencentcloudapi.com:43217/");
  EXPECT_EQ(Header(r, "Host"), "lighthouse.tencentcloudapi.com:43217");
  EXPECT_EQ(r.timeout, absl::Milliseconds(1500));
  EXPECT_EQ(r.connect_timeout, absl::Milliseconds(250));
  tencent::Tc3Request expected;
  expected.content_type = "application/json";
  expected.host = "lighthouse.tencentcloudapi.com";  // without the port
  expected.payload = r.body;
  expected.service = "lighthouse";
  expected.timestamp = kTimestamp;
  EXPECT_EQ(Header(r, "Authorization"),
            tencent::Tc3Authorization(kSecretId, kSecretKey, expected));
}

TEST_F(LighthouseClientTest, DescribeMapsInstancesInRequestOrder) {
  nlohmann::json fresh = InstanceJson("lhins-00000003", "PENDING");
  fresh["LatestOperation"] = nullptr;
  fresh["LatestOperationState"] = nullptr;
  fresh.erase("LatestOperationRequestId");
  transport_->Push(
      InstanceSet({fresh, InstanceJson("lhins-00000001", "RUNNING"),
                   InstanceJson("lhins-00000002", "STOPPED")}));
  auto result = Client()->Describe(kRegion, Ids(3));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 3u);
  const InstanceStatus& a = (*result)[0];
  EXPECT_EQ(a.instance_id, "lhins-00000001");
  EXPECT_EQ(a.state, PowerState::kRunning);
  EXPECT_EQ(a.provider_state, "RUNNING");
  EXPECT_EQ(a.latest_operation, "ResetInstancesPassword");
  EXPECT_EQ(a.latest_operation_state, "SUCCESS");
  EXPECT_EQ(a.latest_operation_request_id, "req-op-lhins-00000001");
  EXPECT_EQ(a.latest_operation_error, "");
  EXPECT_EQ((*result)[1].state, PowerState::kStopped);
  const InstanceStatus& c = (*result)[2];
  EXPECT_EQ(c.state, PowerState::kPending);
  EXPECT_EQ(c.latest_operation, "");
  EXPECT_EQ(c.latest_operation_state, "");
  EXPECT_EQ(c.latest_operation_request_id, "");

  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(Header(r, "X-TC-Action"), "DescribeInstances");
  EXPECT_EQ(r.body, R"({"InstanceIds":["lhins-00000001","lhins-00000002",)"
                    R"("lhins-00000003"],"Limit":100})");
}

// Every InstanceState of the Lighthouse reference, through Describe.
TEST_F(LighthouseClientTest, DescribeMapsEveryDocumentedState) {
  const std::vector<std::pair<std::string, PowerState>> states = {
      {"PENDING", PowerState::kPending},
      {"LAUNCH_FAILED", PowerState::kLaunchFailed},
      {"RUNNING", PowerState::kRunning},
      {"STOPPED", PowerState::kStopped},
      {"STARTING", PowerState::kStarting},
      {"STOPPING", PowerState::kStopping},
      {"REBOOTING", PowerState::kRebooting},
      {"SHUTDOWN", PowerState::kShutdown},
      {"TERMINATING", PowerState::kTerminating},
      {"DELETING", PowerState::kTerminating},
      {"FREEZING", PowerState::kShutdown},
      {"ENTER_RESCUE_MODE", PowerState::kRescue},
      {"RESCUE_MODE", PowerState::kRescue},
      {"EXIT_RESCUE_MODE", PowerState::kRescue},
      {"SOMETHING_NEW", PowerState::kUnknown},
  };
  std::vector<nlohmann::json> set;
  const std::vector<std::string> ids = Ids(static_cast<int>(states.size()));
  for (size_t i = 0; i < states.size(); ++i) {
    set.push_back(InstanceJson(ids[i], states[i].first));
  }
  transport_->Push(InstanceSet(set));
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  for (size_t i = 0; i < states.size(); ++i) {
    EXPECT_EQ((*result)[i].state, states[i].second) << states[i].first;
    EXPECT_EQ((*result)[i].provider_state, states[i].first);
  }
}

TEST_F(LighthouseClientTest, DescribeReportsIdsNotReturnedAsNotFound) {
  transport_->Push(InstanceSet({InstanceJson("lhins-00000002", "RUNNING")}));
  auto result = Client()->Describe(kRegion, Ids(2));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].instance_id, "lhins-00000001");
  EXPECT_EQ((*result)[0].state, PowerState::kNotFound);
  EXPECT_EQ((*result)[1].state, PowerState::kRunning);
}

TEST_F(LighthouseClientTest, DescribeRetriesWithoutTheIdsAnErrorNames) {
  transport_->Push(ErrorResponse("ResourceNotFound.InstanceIdNotFound",
                                 "The instance ID `lhins-00000002` does "
                                 "not exist."));
  transport_->Push(InstanceSet({InstanceJson("lhins-00000001", "RUNNING"),
                                InstanceJson("lhins-00000003", "STOPPED")}));
  auto result = Client()->Describe(kRegion, Ids(3));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ((*result)[0].state, PowerState::kRunning);
  EXPECT_EQ((*result)[1].state, PowerState::kNotFound);
  EXPECT_EQ((*result)[2].state, PowerState::kStopped);
  const auto r = transport_->requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].body, R"({"InstanceIds":["lhins-00000001","lhins-00000003"],)"
                       R"("Limit":100})");
}

TEST_F(LighthouseClientTest, DescribeBisectsWhenTheErrorNamesNoId) {
  // Unknown: lhins-00000004. Every call containing it fails.
  transport_->SetHandler([](const HttpRequest& request) {
    if (request.body.find("lhins-00000004") != std::string::npos) {
      return absl::StatusOr<HttpResponse>(ErrorResponse(
          "ResourceNotFound.InstanceNotFound", "instance not found"));
    }
    std::vector<nlohmann::json> set;
    for (const std::string& id : Ids(4)) {
      if (request.body.find(id) != std::string::npos) {
        set.push_back(InstanceJson(id, "RUNNING"));
      }
    }
    return absl::StatusOr<HttpResponse>(InstanceSet(set));
  });
  auto result = Client()->Describe(kRegion, Ids(4));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ((*result)[0].state, PowerState::kRunning);
  EXPECT_EQ((*result)[1].state, PowerState::kRunning);
  EXPECT_EQ((*result)[2].state, PowerState::kRunning);
  EXPECT_EQ((*result)[3].state, PowerState::kNotFound);
}

TEST_F(LighthouseClientTest, DescribeOfNoIdsSendsNothing) {
  auto result = Client()->Describe(kRegion, {});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(LighthouseClientTest, DescribeWithoutInstanceSetIsInternal) {
  transport_->Push(Accepted("req-odd"));
  absl::Status s = Client()->Describe(kRegion, Ids(1)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  ASSERT_TRUE(GetProviderError(s).has_value());
  EXPECT_EQ(GetProviderError(s)->request_id, "req-odd");
}

TEST_F(LighthouseClientTest, OverBatchLimitIsRejectedWithoutSending) {
  auto client = Client();
  const std::vector<std::string> ids = Ids(101);
  EXPECT_EQ(client->Describe(kRegion, ids).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Stop(kRegion, ids, StopMode::kSoft).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Start(kRegion, ids).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Reboot(kRegion, ids, StopMode::kSoft).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->ResetPassword(kRegion, ids, Params()).status().code(),
            absl::StatusCode::kInvalidArgument);
  LighthouseOptions small = Options();
  small.max_batch = 10;
  EXPECT_EQ(Client(std::move(small))->Start(kRegion, Ids(11)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 0u);
  // Exactly 100 goes out in one call.
  transport_->Push(Accepted());
  EXPECT_TRUE(client->ResetPassword(kRegion, Ids(100), Params()).ok());
  EXPECT_EQ(transport_->request_count(), 1u);
}

TEST_F(LighthouseClientTest, BadArgumentsAreRejectedWithoutSending) {
  auto client = Client();
  EXPECT_EQ(client->Start(kRegion, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Start("", Ids(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Start("ap-guangzhou\r\nX-Evil: 1", Ids(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  ResetPasswordParams empty = Params();
  empty.password = Secret("");
  EXPECT_EQ(client->ResetPassword(kRegion, Ids(1), empty).status().code(),
            absl::StatusCode::kInvalidArgument);
  ResetPasswordParams bad_utf8 = Params();
  bad_utf8.password = Secret("Abc-\xff\xfe-1234");
  absl::Status s = client->ResetPassword(kRegion, Ids(1), bad_utf8).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.ToString(), Not(HasSubstr("\xff")));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("Abc-")));
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(LighthouseClientTest, NoVncPassword) {
  absl::Status s =
      Client()->ResetVncPassword(kRegion, Ids(1), Secret("Abc123")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(transport_->request_count(), 0u);
}

struct ErrorCase {
  std::string provider_code;
  absl::StatusCode expected;
};

class LighthouseErrorMappingTest
    : public LighthouseClientTest,
      public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(LighthouseErrorMappingTest, ApiErrorKeepsProviderIdentity) {
  const ErrorCase& c = GetParam();
  transport_->Push(
      ErrorResponse(c.provider_code, "something about it", "req-42"));
  absl::Status s = Client()->Stop(kRegion, Ids(1), StopMode::kSoft).status();
  EXPECT_EQ(s.code(), c.expected) << c.provider_code;
  EXPECT_THAT(s.message(), HasSubstr(c.provider_code));
  EXPECT_THAT(s.message(), HasSubstr("req-42"));
  EXPECT_THAT(s.message(), HasSubstr("StopInstances"));
  std::optional<ProviderError> e = GetProviderError(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, c.provider_code);
  EXPECT_EQ(e->message, "something about it");
  EXPECT_EQ(e->request_id, "req-42");
  EXPECT_EQ(e->http_status, 200);
}

// The codes the SDK lists for the five actions (tencentcloud-sdk-go
// lighthouse/v20200324/client.go) plus API 3.0 common errors.
using C = absl::StatusCode;
INSTANTIATE_TEST_SUITE_P(
    SdkListedCodes, LighthouseErrorMappingTest,
    ::testing::Values(
        ErrorCase{"RequestLimitExceeded", C::kResourceExhausted},
        ErrorCase{"RequestLimitExceeded.UinLimitExceeded",
                  C::kResourceExhausted},
        ErrorCase{"UnsupportedOperation.InvalidInstanceState",
                  C::kFailedPrecondition},
        ErrorCase{"UnsupportedOperation.LatestOperationUnfinished",
                  C::kUnavailable},
        ErrorCase{"OperationDenied.InstanceOperationInProgress",
                  C::kUnavailable},
        ErrorCase{"OperationDenied.InstanceCreating", C::kUnavailable},
        ErrorCase{"FailedOperation.DescribeInstanceStatus", C::kUnavailable},
        ErrorCase{"InternalError.DescribeInstanceStatus", C::kUnavailable},
        ErrorCase{"InternalError.InvalidCommandNotFound", C::kUnavailable},
        ErrorCase{"FailedOperation.InstanceOperationFailed", C::kUnknown},
        ErrorCase{"FailedOperation", C::kUnknown},
        ErrorCase{"ResourceNotFound.InstanceIdNotFound", C::kNotFound},
        ErrorCase{"ResourceNotFound.InstanceNotFound", C::kNotFound},
        ErrorCase{"InvalidParameterValue.InstanceIdMalformed",
                  C::kInvalidArgument},
        ErrorCase{"InvalidParameterValue.Duplicated", C::kInvalidArgument},
        ErrorCase{"InvalidParameterValue.LimitExceeded", C::kInvalidArgument},
        ErrorCase{"InvalidParameterValue.OutOfRange", C::kInvalidArgument},
        ErrorCase{"InvalidParameterValue.InvalidPassword", C::kInvalidArgument},
        ErrorCase{"LimitExceeded", C::kFailedPrecondition},
        ErrorCase{"UnauthorizedOperation.NoPermission", C::kPermissionDenied},
        ErrorCase{"UnauthorizedOperation.MFAExpired", C::kPermissionDenied},
        ErrorCase{"AuthFailure.SignatureFailure", C::kUnauthenticated},
        ErrorCase{"AuthFailure.InvalidHeaderUin", C::kUnauthenticated}));

TEST_F(LighthouseClientTest, Non200KeepsHttpStatus) {
  transport_->Push(JsonResponse("<html>gateway says no</html>", 502));
  transport_->Push(JsonResponse("slow down", 429));
  auto client = Client();
  absl::Status s = client->Start(kRegion, Ids(1)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(GetProviderError(s).has_value());
  EXPECT_EQ(GetProviderError(s)->http_status, 502);
  EXPECT_EQ(client->Start(kRegion, Ids(1)).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(LighthouseClientTest, TransportErrorKeepsItsCodeAndNamesTheAction) {
  transport_->Push(absl::UnavailableError("connection refused"));
  transport_->Push(absl::DeadlineExceededError("timed out"));
  auto client = Client();
  absl::Status s = client->ResetPassword(kRegion, Ids(1), Params()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("ResetInstancesPassword"));
  EXPECT_THAT(s.message(), Not(HasSubstr(kPassword)));
  EXPECT_EQ(client->Start(kRegion, Ids(1)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST_F(LighthouseClientTest, PasswordEchoedByTheProviderIsRedacted) {
  transport_->Push(ErrorResponse(
      "InvalidParameterValue.InvalidPassword",
      std::string("password `") + kPassword + "` is too weak", "req-7"));
  absl::Status s = Client()->ResetPassword(kRegion, Ids(1), Params()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.ToString(), Not(HasSubstr(kPassword)));
  std::optional<ProviderError> e = GetProviderError(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "InvalidParameterValue.InvalidPassword");
  EXPECT_EQ(e->request_id, "req-7");
  EXPECT_THAT(e->message, Not(HasSubstr(kPassword)));
  EXPECT_THAT(e->message, HasSubstr("***"));
}

TEST_F(LighthouseClientTest, CredentialsComeFromTheTencentVariables) {
  // Lighthouse uses a Tencent Cloud API key: the CVM loader's defaults.
  tencent::CredentialSources sources;
  EXPECT_EQ(sources.secret_id_env, "TENCENTCLOUD_SECRET_ID");
  EXPECT_EQ(sources.secret_key_env, "TENCENTCLOUD_SECRET_KEY");
}

TEST_F(LighthouseClientTest, ConcurrentCallsAreIndependent) {
  transport_->SetHandler([](const HttpRequest&) {
    return absl::StatusOr<HttpResponse>(Accepted());
  });
  auto client = Client();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (client->ResetPassword(kRegion, Ids(3), Params()).ok()) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  for (const HttpRequest& r : transport_->requests()) {
    EXPECT_EQ(r.body, transport_->requests()[0].body);
  }
}

}  // namespace
}  // namespace resetd::clients::lighthouse
