#include "clients/tencent/tencent_cvm_client.h"

#include <atomic>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "clients/provider_error.h"
#include "clients/tencent/tc3_signer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::tencent {
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
    char id[16];
    std::snprintf(id, sizeof(id), "ins-%08d", i);
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

nlohmann::json InstanceJson(const std::string& id, const std::string& state) {
  return {{"InstanceId", id},
          {"InstanceState", state},
          {"LatestOperation", "ResetInstancesPassword"},
          {"LatestOperationState", "SUCCESS"},
          {"LatestOperationRequestId", "req-op-" + id},
          {"LatestOperationErrorMsg", nullptr}};
}

HttpResponse InstanceSet(const std::vector<nlohmann::json>& instances) {
  nlohmann::json j = {{"Response",
                       {{"TotalCount", instances.size()},
                        {"InstanceSet", instances},
                        {"RequestId", "req-describe"}}}};
  return JsonResponse(j.dump());
}

class TencentCvmClientTest : public ::testing::Test {
 protected:
  TencentCvmOptions Options() {
    TencentCvmOptions options;
    options.secret_id = kSecretId;
    options.secret_key = Secret(kSecretKey);
    options.clock = &clock_;
    return options;
  }
  std::unique_ptr<CloudClient> Client(TencentCvmOptions options) {
    return MakeTencentCvmClient(std::move(options), transport_);
  }
  std::unique_ptr<CloudClient> Client() { return Client(Options()); }

  ResetPasswordParams Params(std::string username = "root") {
    ResetPasswordParams params;
    params.username = std::move(username);
    params.password = Secret(kPassword);
    params.force_stop = true;
    return params;
  }

  FixedClock clock_;
  std::shared_ptr<ScriptedTransport> transport_ =
      std::make_shared<ScriptedTransport>();
};

TEST_F(TencentCvmClientTest, CapabilitiesDeclareTencentBehaviour) {
  auto client = Client();
  const Capabilities& c = client->capabilities();
  EXPECT_EQ(c.max_describe_batch, 100);
  EXPECT_EQ(c.max_stop_batch, 100);
  EXPECT_EQ(c.max_start_batch, 100);
  EXPECT_EQ(c.max_reboot_batch, 100);
  EXPECT_EQ(c.max_reset_batch, 100);
  EXPECT_EQ(c.reset_effect, ResetEffect::kRequiresStopped);
  EXPECT_TRUE(c.reset_result_observable);
  EXPECT_TRUE(c.reset_verifiable);
}

TEST_F(TencentCvmClientTest, MaxBatchLowersButNeverRaisesLimits) {
  TencentCvmOptions low = Options();
  low.max_batch = 40;
  EXPECT_EQ(Client(std::move(low))->capabilities().max_reset_batch, 40);
  TencentCvmOptions high = Options();
  high.max_batch = 500;
  EXPECT_EQ(Client(std::move(high))->capabilities().max_describe_batch, 100);
}

TEST_F(TencentCvmClientTest, ResetPasswordSendsSdkRequest) {
  transport_->Push(Accepted("req-reset"));
  auto result = Client()->ResetPassword(kRegion, Ids(2), Params());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "req-reset");

  ASSERT_EQ(transport_->request_count(), 1u);
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://cvm.tencentcloudapi.com/");
  EXPECT_EQ(
      r.body,
      R"({"InstanceIds":["ins-00000001","ins-00000002"],)"
      R"("Password":"Fake-Passw0rd!2024","UserName":"root","ForceStop":true})");
  EXPECT_EQ(r.timeout, absl::Seconds(10));
  EXPECT_EQ(r.connect_timeout, absl::Seconds(3));
  ASSERT_EQ(r.headers.size(), 8u);
  EXPECT_THAT(std::vector(r.headers.begin(), r.headers.end() - 1),
              ElementsAre(Pair("Content-Type", "application/json"),
                          Pair("Host", "cvm.tencentcloudapi.com"),
                          Pair("X-TC-Action", "ResetInstancesPassword"),
                          Pair("X-TC-Version", "2017-03-12"),
                          Pair("X-TC-Region", "ap-guangzhou"),
                          Pair("X-TC-Timestamp", "1795376535"),
                          Pair("X-TC-RequestClient", "resetd/0.1")));
  EXPECT_EQ(r.headers.back().first, "Authorization");
}

TEST_F(TencentCvmClientTest, AuthorizationVerifiesWithTc3Signature) {
  transport_->Push(Accepted());
  ASSERT_TRUE(Client()->Start(kRegion, Ids(3)).ok());
  const HttpRequest r = transport_->requests()[0];
  Tc3Request expected;
  expected.content_type = "application/json";
  expected.host = "cvm.tencentcloudapi.com";
  expected.payload = r.body;
  expected.service = "cvm";
  expected.timestamp = kTimestamp;
  const std::string auth = Header(r, "Authorization");
  EXPECT_EQ(auth, Tc3Authorization(kSecretId, kSecretKey, expected));
  EXPECT_THAT(auth, HasSubstr("Credential=" + std::string(kSecretId) +
                              "/2026-11-22/cvm/tc3_request, "
                              "SignedHeaders=content-type;host, Signature=" +
                              Tc3Signature(kSecretKey, expected)));
}

TEST_F(TencentCvmClientTest, EndpointPortIsSentButNotSigned) {
  TencentCvmOptions options = Options();
  options.endpoint = "cvm.tencentcloudapi.com:43217";
  options.scheme = "http";
  options.request_timeout = absl::Milliseconds(1500);
  options.connect_timeout = absl::Milliseconds(250);
  transport_->Push(Accepted());
  ASSERT_TRUE(Client(std::move(options))->Start(kRegion, Ids(1)).ok());
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.url, "http://cvm.tencentcloudapi.com:43217/");
  EXPECT_EQ(Header(r, "Host"), "cvm.tencentcloudapi.com:43217");
  EXPECT_EQ(r.timeout, absl::Milliseconds(1500));
  EXPECT_EQ(r.connect_timeout, absl::Milliseconds(250));
  Tc3Request expected;
  expected.content_type = "application/json";
  expected.host = "cvm.tencentcloudapi.com";  // without the port
  expected.payload = r.body;
  expected.service = "cvm";
  expected.timestamp = kTimestamp;
  EXPECT_EQ(Header(r, "Authorization"),
            Tc3Authorization(kSecretId, kSecretKey, expected));
}

TEST_F(TencentCvmClientTest, ActionBodiesHaveSdkKeyOrder) {
  auto client = Client();
  for (int i = 0; i < 6; ++i) transport_->Push(Accepted());
  ASSERT_TRUE(client->Stop(kRegion, Ids(2), StopMode::kSoftThenForce).ok());
  ASSERT_TRUE(client->Stop(kRegion, Ids(1), StopMode::kSoft).ok());
  ASSERT_TRUE(client->Stop(kRegion, Ids(1), StopMode::kForce).ok());
  ASSERT_TRUE(client->Start(kRegion, Ids(2)).ok());
  ASSERT_TRUE(client->Reboot(kRegion, Ids(1), StopMode::kSoftThenForce).ok());
  ResetPasswordParams params = Params("");
  params.force_stop = false;
  ASSERT_TRUE(client->ResetPassword(kRegion, Ids(1), params).ok());
  const auto r = transport_->requests();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(Header(r[0], "X-TC-Action"), "StopInstances");
  EXPECT_EQ(r[0].body,
            R"({"InstanceIds":["ins-00000001","ins-00000002"],)"
            R"("StopType":"SOFT_FIRST","StoppedMode":"KEEP_CHARGING"})");
  EXPECT_THAT(r[1].body, HasSubstr(R"("StopType":"SOFT",)"));
  EXPECT_THAT(r[2].body, HasSubstr(R"("StopType":"HARD",)"));
  EXPECT_EQ(Header(r[3], "X-TC-Action"), "StartInstances");
  EXPECT_EQ(r[3].body, R"({"InstanceIds":["ins-00000001","ins-00000002"]})");
  EXPECT_EQ(Header(r[4], "X-TC-Action"), "RebootInstances");
  EXPECT_EQ(r[4].body,
            R"({"InstanceIds":["ins-00000001"],"StopType":"SOFT_FIRST"})");
  // No username: the image's default account, so no UserName key.
  EXPECT_EQ(r[5].body, R"({"InstanceIds":["ins-00000001"],)"
                       R"("Password":"Fake-Passw0rd!2024","ForceStop":false})");
}

TEST_F(TencentCvmClientTest, DescribeMapsInstancesInRequestOrder) {
  nlohmann::json migrating =
      InstanceJson("ins-00000003", "SERVICE_LIVE_MIGRATE");
  migrating["LatestOperation"] = nullptr;
  migrating["LatestOperationState"] = nullptr;
  migrating.erase("LatestOperationRequestId");
  transport_->Push(
      InstanceSet({migrating, InstanceJson("ins-00000001", "RUNNING"),
                   InstanceJson("ins-00000002", "STOPPED")}));
  auto result = Client()->Describe(kRegion, Ids(3));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 3u);
  const InstanceStatus& a = (*result)[0];
  EXPECT_EQ(a.instance_id, "ins-00000001");
  EXPECT_EQ(a.state, PowerState::kRunning);
  EXPECT_EQ(a.provider_state, "RUNNING");
  EXPECT_EQ(a.latest_operation, "ResetInstancesPassword");
  EXPECT_EQ(a.latest_operation_state, "SUCCESS");
  EXPECT_EQ(a.latest_operation_request_id, "req-op-ins-00000001");
  EXPECT_EQ(a.latest_operation_error, "");
  EXPECT_EQ((*result)[1].state, PowerState::kStopped);
  const InstanceStatus& c = (*result)[2];
  EXPECT_EQ(c.state, PowerState::kMigrating);
  EXPECT_EQ(c.latest_operation, "");
  EXPECT_EQ(c.latest_operation_state, "");
  EXPECT_EQ(c.latest_operation_request_id, "");

  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(Header(r, "X-TC-Action"), "DescribeInstances");
  EXPECT_EQ(r.body,
            R"({"InstanceIds":["ins-00000001","ins-00000002","ins-00000003"],)"
            R"("Limit":100})");
}

TEST_F(TencentCvmClientTest, DescribeReportsIdsNotReturnedAsNotFound) {
  transport_->Push(InstanceSet({InstanceJson("ins-00000002", "RUNNING")}));
  auto result = Client()->Describe(kRegion, Ids(2));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].instance_id, "ins-00000001");
  EXPECT_EQ((*result)[0].state, PowerState::kNotFound);
  EXPECT_EQ((*result)[1].state, PowerState::kRunning);
}

TEST_F(TencentCvmClientTest, DescribeOfNoIdsSendsNothing) {
  auto result = Client()->Describe(kRegion, {});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(TencentCvmClientTest, OverBatchLimitIsRejectedWithoutSending) {
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
  TencentCvmOptions small = Options();
  small.max_batch = 10;
  EXPECT_EQ(Client(std::move(small))->Start(kRegion, Ids(11)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_F(TencentCvmClientTest, BadArgumentsAreRejectedWithoutSending) {
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
  EXPECT_EQ(transport_->request_count(), 0u);
}

struct ErrorCase {
  std::string provider_code;
  absl::StatusCode expected;
};

class TencentErrorMappingTest
    : public TencentCvmClientTest,
      public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(TencentErrorMappingTest, ApiErrorKeepsProviderIdentity) {
  const ErrorCase& c = GetParam();
  transport_->Push(
      ErrorResponse(c.provider_code, "something about it", "req-42"));
  absl::Status s = Client()->Stop(kRegion, Ids(1), StopMode::kSoft).status();
  EXPECT_EQ(s.code(), c.expected) << c.provider_code;
  EXPECT_THAT(s.message(), HasSubstr(c.provider_code));
  EXPECT_THAT(s.message(), HasSubstr("req-42"));
  std::optional<ProviderError> e = GetProviderError(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, c.provider_code);
  EXPECT_EQ(e->message, "something about it");
  EXPECT_EQ(e->request_id, "req-42");
  EXPECT_EQ(e->http_status, 200);
}

using C = absl::StatusCode;
INSTANTIATE_TEST_SUITE_P(
    AllFamilies, TencentErrorMappingTest,
    ::testing::Values(
        ErrorCase{"RequestLimitExceeded", C::kResourceExhausted},
        ErrorCase{"RequestLimitExceeded.UinLimitExceeded",
                  C::kResourceExhausted},
        ErrorCase{"InternalError", C::kUnavailable},
        ErrorCase{"InternalError.TradeUnknownError", C::kUnavailable},
        ErrorCase{"InternalServerError", C::kUnavailable},
        ErrorCase{"OperationDenied.InstanceOperationInProgress",
                  C::kUnavailable},
        ErrorCase{"ResourceUnavailable.InstanceType", C::kUnavailable},
        ErrorCase{"ResourceInUse", C::kUnavailable},
        ErrorCase{"UnsupportedOperation.InstanceStateRunning",
                  C::kFailedPrecondition},
        ErrorCase{"OperationDenied.ChcInstallCloudImage",
                  C::kFailedPrecondition},
        ErrorCase{"ResourceInsufficient.CloudDiskUnavailable",
                  C::kFailedPrecondition},
        ErrorCase{"LimitExceeded.InstanceQuota", C::kFailedPrecondition},
        ErrorCase{"InvalidInstance.NotSupported", C::kFailedPrecondition},
        ErrorCase{"InvalidInstanceId.NotFound", C::kNotFound},
        ErrorCase{"InvalidInstanceId.Malformed", C::kInvalidArgument},
        ErrorCase{"InvalidParameter", C::kInvalidArgument},
        ErrorCase{"InvalidParameterValue.LimitExceeded", C::kInvalidArgument},
        ErrorCase{"InvalidPassword", C::kInvalidArgument},
        ErrorCase{"MissingParameter", C::kInvalidArgument},
        ErrorCase{"UnknownParameter", C::kInvalidArgument},
        ErrorCase{"AuthFailure.SignatureFailure", C::kUnauthenticated},
        ErrorCase{"AuthFailure.SignatureExpire", C::kUnauthenticated},
        ErrorCase{"AuthFailure.SecretIdNotFound", C::kUnauthenticated},
        ErrorCase{"AuthFailure.UnauthorizedOperation", C::kPermissionDenied},
        ErrorCase{"UnauthorizedOperation.CamNoAuth", C::kPermissionDenied},
        ErrorCase{"FailedOperation.Whatever", C::kUnknown},
        ErrorCase{"", C::kUnknown}));

struct HttpCase {
  int status;
  absl::StatusCode expected;
};

class TencentHttpStatusTest : public TencentCvmClientTest,
                              public ::testing::WithParamInterface<HttpCase> {};

TEST_P(TencentHttpStatusTest, Non200KeepsHttpStatus) {
  transport_->Push(
      JsonResponse("<html>gateway says no</html>", GetParam().status));
  absl::Status s = Client()->Start(kRegion, Ids(1)).status();
  EXPECT_EQ(s.code(), GetParam().expected);
  EXPECT_THAT(s.message(),
              HasSubstr("HTTP " + std::to_string(GetParam().status)));
  std::optional<ProviderError> e = GetProviderError(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->http_status, GetParam().status);
}

INSTANTIATE_TEST_SUITE_P(Statuses, TencentHttpStatusTest,
                         ::testing::Values(HttpCase{500, C::kUnavailable},
                                           HttpCase{502, C::kUnavailable},
                                           HttpCase{503, C::kUnavailable},
                                           HttpCase{429, C::kResourceExhausted},
                                           HttpCase{403, C::kUnknown},
                                           HttpCase{404, C::kUnknown}));

TEST_F(TencentCvmClientTest, Non200WithTencentErrorBodyKeepsItsCode) {
  HttpResponse response = ErrorResponse("InternalError", "boom", "req-5xx");
  response.status = 503;
  transport_->Push(response);
  absl::Status s = Client()->Start(kRegion, Ids(1)).status();
  EXPECT_EQ(s.code(), C::kUnavailable);
  std::optional<ProviderError> e = GetProviderError(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "InternalError");
  EXPECT_EQ(e->request_id, "req-5xx");
  EXPECT_EQ(e->http_status, 503);
}

TEST_F(TencentCvmClientTest, UnparseableBodyIsInternal) {
  for (const char* body : {"not json", "[]", R"({"NoResponse":{}})",
                           R"({"Response":{"Error":"flat"}})"}) {
    transport_->Push(JsonResponse(body));
    absl::Status s = Client()->Start(kRegion, Ids(1)).status();
    EXPECT_EQ(s.code(), C::kInternal) << body;
    EXPECT_THAT(s.message(), HasSubstr("unparseable")) << body;
  }
  transport_->Push(JsonResponse(R"({"Response":{"RequestId":"r"}})"));
  EXPECT_EQ(Client()->Describe(kRegion, Ids(1)).status().code(), C::kInternal);
}

TEST_F(TencentCvmClientTest, TransportErrorsKeepTheirCode) {
  transport_->Push(absl::DeadlineExceededError("no answer in time"));
  transport_->Push(absl::UnavailableError("connection refused"));
  auto client = Client();
  absl::Status late = client->Stop(kRegion, Ids(1), StopMode::kSoft).status();
  EXPECT_EQ(late.code(), C::kDeadlineExceeded);
  EXPECT_THAT(late.message(), HasSubstr("StopInstances"));
  EXPECT_EQ(client->Start(kRegion, Ids(1)).status().code(), C::kUnavailable);
}

TEST_F(TencentCvmClientTest, PasswordNeverAppearsInErrors) {
  const std::string echo = std::string("password `") + kPassword + "` is weak";
  transport_->Push(ErrorResponse("InvalidPassword", echo));
  HttpResponse gateway = ErrorResponse("InternalError", echo);
  gateway.status = 500;
  transport_->Push(gateway);
  transport_->Push(absl::UnavailableError(echo));
  transport_->Push(JsonResponse(echo));  // unparseable, echoes the password
  auto client = Client();
  for (int i = 0; i < 4; ++i) {
    absl::Status s = client->ResetPassword(kRegion, Ids(1), Params()).status();
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.ToString(), Not(HasSubstr(kPassword))) << i;  // + payloads
    std::optional<ProviderError> e = GetProviderError(s);
    if (e.has_value()) {
      EXPECT_THAT(e->message, Not(HasSubstr(kPassword)));
    }
  }
  // The message still says what went wrong.
  EXPECT_EQ(transport_->request_count(), 4u);
}

TEST_F(TencentCvmClientTest, NotFoundFallbackDropsIdsNamedInMessage) {
  transport_->Push(ErrorResponse("InvalidInstanceId.NotFound",
                                 "The instance `ins-00000002` is not found."));
  transport_->Push(InstanceSet({InstanceJson("ins-00000001", "RUNNING"),
                                InstanceJson("ins-00000003", "STOPPED")}));
  auto result = Client()->Describe(kRegion, Ids(3));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].state, PowerState::kRunning);
  EXPECT_EQ((*result)[1].instance_id, "ins-00000002");
  EXPECT_EQ((*result)[1].state, PowerState::kNotFound);
  EXPECT_EQ((*result)[2].state, PowerState::kStopped);
  const auto r = transport_->requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].body,
            R"({"InstanceIds":["ins-00000001","ins-00000003"],"Limit":100})");
}

// A DescribeInstances stand-in over a fleet: fails the whole call with
// InvalidInstanceId.NotFound if any id is unknown, with a message that names
// no id when `name_ids` is false.
ScriptedTransport::Handler FleetHandler(std::set<std::string> known,
                                        bool name_ids) {
  return
      [known, name_ids](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
        nlohmann::json body = nlohmann::json::parse(r.body);
        std::vector<nlohmann::json> found;
        std::string missing;
        for (const auto& j : body["InstanceIds"]) {
          const std::string id = j.get<std::string>();
          if (known.count(id)) {
            found.push_back(InstanceJson(id, "RUNNING"));
          } else if (missing.empty()) {
            missing = id;
          }
        }
        if (missing.empty()) return InstanceSet(found);
        return ErrorResponse(
            "InvalidInstanceId.NotFound",
            name_ids ? "The instance `" + missing + "` is not found."
                     : "Some instance is not found.");
      };
}

TEST_F(TencentCvmClientTest, NotFoundFallbackBisectsWhenMessageNamesNoId) {
  const std::vector<std::string> ids = Ids(16);
  transport_->SetHandler(FleetHandler({ids.begin(), ids.end() - 1},
                                      /*name_ids=*/false));  // last one unknown
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 16u);
  for (int i = 0; i < 15; ++i)
    EXPECT_EQ((*result)[i].state, PowerState::kRunning);
  EXPECT_EQ((*result)[15].state, PowerState::kNotFound);
  // 1 + 2 per halving level (4 levels for 16 ids).
  EXPECT_LE(transport_->request_count(), 9u);
}

TEST_F(TencentCvmClientTest, NotFoundFallbackHandlesManyUnknownIds) {
  const std::vector<std::string> ids = Ids(100);
  std::set<std::string> known;
  for (size_t i = 0; i < ids.size(); i += 3) known.insert(ids[i]);
  for (bool name_ids : {true, false}) {
    transport_->SetHandler(FleetHandler(known, name_ids));
    auto result = Client()->Describe(kRegion, ids);
    ASSERT_TRUE(result.ok()) << result.status();
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ((*result)[i].state, known.count(ids[i]) ? PowerState::kRunning
                                                        : PowerState::kNotFound)
          << ids[i];
    }
  }
}

TEST_F(TencentCvmClientTest, NotFoundOfSingleIdIsNotAnError) {
  transport_->Push(ErrorResponse("InvalidInstanceId.NotFound", "gone"));
  auto result = Client()->Describe(kRegion, Ids(1));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 1u);
  EXPECT_EQ((*result)[0].state, PowerState::kNotFound);
}

TEST_F(TencentCvmClientTest, ErrorDuringFallbackIsReturned) {
  transport_->Push(ErrorResponse("InvalidInstanceId.NotFound",
                                 "The instance `ins-00000001` is not found."));
  transport_->Push(
      ErrorResponse("RequestLimitExceeded", "slow down", "req-rl"));
  absl::Status s = Client()->Describe(kRegion, Ids(3)).status();
  EXPECT_EQ(s.code(), C::kResourceExhausted);
  EXPECT_EQ(GetProviderError(s)->request_id, "req-rl");
}

TEST_F(TencentCvmClientTest, ConcurrentCallsAreSafe) {
  const std::vector<std::string> ids = Ids(20);
  transport_->SetHandler(FleetHandler({ids.begin(), ids.end()}, true));
  auto client = Client();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto result = client->Describe(kRegion, ids);
        if (!result.ok() || result->size() != ids.size() ||
            (*result)[7].state != PowerState::kRunning) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(transport_->request_count(), 400u);
}

}  // namespace
}  // namespace resetd::clients::tencent
