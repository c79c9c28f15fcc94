// The API 3.0 instance client through each product's factory (CVM,
// Lighthouse) against the scripted transport. Every case runs for both
// products; where their wire differs, the product's description says how
// (api3_test_harness.h). Cases only one product has are in its own test
// (e.g. tests/clients/lighthouse/lighthouse_client_test.cc).
#include "clients/tencent/api3_instance_client.h"

#include <atomic>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "clients/provider_error.h"
#include "clients/tencent/tc3_signer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/clients/http/scripted_transport.h"
#include "tests/clients/tencent/api3_test_harness.h"

namespace resetd::clients::testing {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::JsonResponse;
using http::ScriptedTransport;
using tencent::Api3Options;
using tencent::Tc3Request;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using C = absl::StatusCode;

constexpr const char* kRegion = kApi3Region;
constexpr const char* kPassword = kApi3Password;

const Api3TestProduct& ProductOf(const Api3TestProduct* product) {
  return *product;
}
template <typename Case>
const Api3TestProduct& ProductOf(
    const std::tuple<const Api3TestProduct*, Case>& param) {
  return *std::get<0>(param);
}

// A harness for the product of the test's parameter.
template <typename Param>
class Api3Test : public ::testing::TestWithParam<Param>, public Api3Harness {
 protected:
  Api3Test() : Api3Harness(ProductOf(this->GetParam())) {}

  // What the client signs for `r`: the product's host (without a port) and
  // service, the fixed timestamp.
  Tc3Request Signing(const HttpRequest& r) const {
    Tc3Request sign;
    sign.content_type = "application/json";
    sign.host = product_.host;
    sign.payload = r.body;
    sign.service = product_.service;
    sign.timestamp = kApi3Timestamp;
    return sign;
  }

  // A DescribeInstances stand-in over a fleet: fails the whole call with the
  // product's "not found" error if any id is unknown, with a message that
  // names no id when `name_ids` is false.
  ScriptedTransport::Handler FleetHandler(std::set<std::string> known,
                                          bool name_ids) const {
    return [this, known,
            name_ids](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
      nlohmann::json body = nlohmann::json::parse(r.body);
      std::vector<nlohmann::json> found;
      std::string missing;
      for (const auto& j : body["InstanceIds"]) {
        const std::string id = j.get<std::string>();
        if (known.count(id)) {
          found.push_back(Instance(id, "RUNNING"));
        } else if (missing.empty()) {
          missing = id;
        }
      }
      if (missing.empty()) return InstanceSet(found);
      if (name_ids) {
        return ErrorResponse(product_.not_found_named,
                             NotFoundMessage(missing));
      }
      return ErrorResponse(product_.not_found_unnamed, "instance not found");
    };
  }
};

using Api3ClientTest = Api3Test<const Api3TestProduct*>;

TEST_P(Api3ClientTest, CapabilitiesDeclareProductBehaviour) {
  auto client = Client();
  const Capabilities& c = client->capabilities();
  EXPECT_EQ(c.max_describe_batch, 100);
  EXPECT_EQ(c.max_stop_batch, 100);
  EXPECT_EQ(c.max_start_batch, 100);
  EXPECT_EQ(c.max_reboot_batch, 100);
  EXPECT_EQ(c.max_reset_batch, 100);
  EXPECT_EQ(c.reset_effect, product_.reset_effect);
  EXPECT_TRUE(c.reset_result_observable);
  EXPECT_TRUE(c.reset_verifiable);
  EXPECT_FALSE(c.vnc_password);
}

TEST_P(Api3ClientTest, MaxBatchLowersButNeverRaisesLimits) {
  Api3Options low = Options();
  low.max_batch = 40;
  EXPECT_EQ(Client(std::move(low))->capabilities().max_reset_batch, 40);
  Api3Options high = Options();
  high.max_batch = 500;
  EXPECT_EQ(Client(std::move(high))->capabilities().max_describe_batch, 100);
  Api3Options zero = Options();
  zero.max_batch = 0;
  EXPECT_EQ(Client(std::move(zero))->capabilities().max_stop_batch, 1);
}

TEST_P(Api3ClientTest, ResetPasswordSendsExactSdkRequest) {
  transport_->Push(Accepted("req-reset"));
  auto result = Client()->ResetPassword(kRegion, Ids(2), Params());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->request_id, "req-reset");

  ASSERT_EQ(transport_->request_count(), 1u);
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://" + std::string(product_.host) + "/");
  EXPECT_EQ(r.body,
            R"({"InstanceIds":[)" + QuotedIds(2) +
                R"(],"Password":"Fake-Passw0rd!2024","UserName":"root")" +
                (product_.force_stop ? R"(,"ForceStop":true})" : "}"));
  EXPECT_EQ(r.timeout, absl::Seconds(10));
  EXPECT_EQ(r.connect_timeout, absl::Seconds(3));
  EXPECT_THAT(
      r.headers,
      ElementsAre(
          Pair("Content-Type", "application/json"), Pair("Host", product_.host),
          Pair("X-TC-Action", "ResetInstancesPassword"),
          Pair("X-TC-Version", product_.version),
          Pair("X-TC-Region", "ap-guangzhou"),
          Pair("X-TC-Timestamp", "1795376535"),
          Pair("X-TC-RequestClient", "resetd/0.1"),
          Pair("Authorization",
               "TC3-HMAC-SHA256 Credential=" + std::string(kApi3SecretId) +
                   "/2026-11-22/" + product_.service +
                   "/tc3_request, "
                   "SignedHeaders=content-type;host, Signature=" +
                   tencent::Tc3Signature(kApi3SecretKey, Signing(r)))));
}

TEST_P(Api3ClientTest, AuthorizationVerifiesWithTc3Signature) {
  transport_->Push(Accepted());
  ASSERT_TRUE(Client()->Start(kRegion, Ids(3)).ok());
  const HttpRequest r = transport_->requests()[0];
  const Tc3Request expected = Signing(r);
  const std::string auth = Header(r, "Authorization");
  EXPECT_EQ(auth,
            tencent::Tc3Authorization(kApi3SecretId, kApi3SecretKey, expected));
  EXPECT_THAT(auth, HasSubstr("Credential=" + std::string(kApi3SecretId) +
                              "/2026-11-22/" + product_.service +
                              "/tc3_request, "
                              "SignedHeaders=content-type;host, Signature=" +
                              tencent::Tc3Signature(kApi3SecretKey, expected)));
}

TEST_P(Api3ClientTest, EndpointPortIsSentButNotSigned) {
  const std::string host = product_.host;
  Api3Options options = Options();
  options.endpoint = host + ":43217";
  options.scheme = "http";
  options.request_timeout = absl::Milliseconds(1500);
  options.connect_timeout = absl::Milliseconds(250);
  transport_->Push(Accepted());
  ASSERT_TRUE(Client(std::move(options))->Start(kRegion, Ids(1)).ok());
  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(r.url, "http://" + host + ":43217/");
  EXPECT_EQ(Header(r, "Host"), host + ":43217");
  EXPECT_EQ(r.timeout, absl::Milliseconds(1500));
  EXPECT_EQ(r.connect_timeout, absl::Milliseconds(250));
  EXPECT_EQ(
      Header(r, "Authorization"),  // signed without the port
      tencent::Tc3Authorization(kApi3SecretId, kApi3SecretKey, Signing(r)));
}

TEST_P(Api3ClientTest, ActionBodiesHaveSdkKeyOrder) {
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
  const std::string one = R"({"InstanceIds":[)" + QuotedIds(1) + "],";
  const std::string two = R"({"InstanceIds":[)" + QuotedIds(2) + "]";
  EXPECT_EQ(Header(r[0], "X-TC-Action"), "StopInstances");
  EXPECT_EQ(r[0].body,
            two + R"(,"StopType":"SOFT_FIRST")" + product_.stop_extra + "}");
  EXPECT_EQ(r[1].body,
            one + R"("StopType":"SOFT")" + product_.stop_extra + "}");
  EXPECT_EQ(r[2].body,
            one + R"("StopType":"HARD")" + product_.stop_extra + "}");
  EXPECT_EQ(Header(r[3], "X-TC-Action"), "StartInstances");
  EXPECT_EQ(r[3].body, two + "}");
  EXPECT_EQ(Header(r[4], "X-TC-Action"), "RebootInstances");
  EXPECT_EQ(r[4].body, one + R"("StopType":"SOFT_FIRST"})");
  // No username: the image's default account, so no UserName key.
  EXPECT_EQ(Header(r[5], "X-TC-Action"), "ResetInstancesPassword");
  EXPECT_EQ(r[5].body,
            one + R"("Password":"Fake-Passw0rd!2024")" +
                (product_.force_stop ? R"(,"ForceStop":false})" : "}"));
  for (const HttpRequest& request : r) {
    EXPECT_EQ(Header(request, "X-TC-Version"), product_.version);
  }
}

TEST_P(Api3ClientTest, DescribeMapsInstancesInRequestOrder) {
  const std::vector<std::string> ids = Ids(3);
  nlohmann::json other = Instance(ids[2], product_.other_state);
  other["LatestOperation"] = nullptr;
  other["LatestOperationState"] = nullptr;
  other.erase("LatestOperationRequestId");
  transport_->Push(InstanceSet(
      {other, Instance(ids[0], "RUNNING"), Instance(ids[1], "STOPPED")}));
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 3u);
  const InstanceStatus& a = (*result)[0];
  EXPECT_EQ(a.instance_id, ids[0]);
  EXPECT_EQ(a.state, PowerState::kRunning);
  EXPECT_EQ(a.provider_state, "RUNNING");
  EXPECT_EQ(a.latest_operation, "ResetInstancesPassword");
  EXPECT_EQ(a.latest_operation_state, "SUCCESS");
  EXPECT_EQ(a.latest_operation_request_id, "req-op-" + ids[0]);
  EXPECT_EQ(a.latest_operation_error, "");
  EXPECT_EQ((*result)[1].state, PowerState::kStopped);
  const InstanceStatus& c = (*result)[2];
  EXPECT_EQ(c.state, product_.other_power_state);
  EXPECT_EQ(c.latest_operation, "");
  EXPECT_EQ(c.latest_operation_state, "");
  EXPECT_EQ(c.latest_operation_request_id, "");

  const HttpRequest r = transport_->requests()[0];
  EXPECT_EQ(Header(r, "X-TC-Action"), "DescribeInstances");
  EXPECT_EQ(r.body, R"({"InstanceIds":[)" + QuotedIds(3) + R"(],"Limit":100})");
}

TEST_P(Api3ClientTest, DescribeReportsIdsNotReturnedAsNotFound) {
  const std::vector<std::string> ids = Ids(2);
  transport_->Push(InstanceSet({Instance(ids[1], "RUNNING")}));
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].instance_id, ids[0]);
  EXPECT_EQ((*result)[0].state, PowerState::kNotFound);
  EXPECT_EQ((*result)[1].state, PowerState::kRunning);
}

TEST_P(Api3ClientTest, DescribeOfNoIdsSendsNothing) {
  auto result = Client()->Describe(kRegion, {});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_P(Api3ClientTest, DescribeWithoutInstanceSetIsInternal) {
  transport_->Push(Accepted("req-odd"));
  absl::Status s = Client()->Describe(kRegion, Ids(1)).status();
  EXPECT_EQ(s.code(), C::kInternal);
  ASSERT_TRUE(GetProviderError(s).has_value());
  EXPECT_EQ(GetProviderError(s)->request_id, "req-odd");
}

TEST_P(Api3ClientTest, OverBatchLimitIsRejectedWithoutSending) {
  auto client = Client();
  const std::vector<std::string> ids = Ids(101);
  EXPECT_EQ(client->Describe(kRegion, ids).status().code(),
            C::kInvalidArgument);
  EXPECT_EQ(client->Stop(kRegion, ids, StopMode::kSoft).status().code(),
            C::kInvalidArgument);
  EXPECT_EQ(client->Start(kRegion, ids).status().code(), C::kInvalidArgument);
  EXPECT_EQ(client->Reboot(kRegion, ids, StopMode::kSoft).status().code(),
            C::kInvalidArgument);
  EXPECT_EQ(client->ResetPassword(kRegion, ids, Params()).status().code(),
            C::kInvalidArgument);
  Api3Options small = Options();
  small.max_batch = 10;
  EXPECT_EQ(Client(std::move(small))->Start(kRegion, Ids(11)).status().code(),
            C::kInvalidArgument);
  EXPECT_EQ(transport_->request_count(), 0u);
  // Exactly 100 goes out in one call.
  transport_->Push(Accepted());
  EXPECT_TRUE(client->ResetPassword(kRegion, Ids(100), Params()).ok());
  EXPECT_EQ(transport_->request_count(), 1u);
}

TEST_P(Api3ClientTest, BadArgumentsAreRejectedWithoutSending) {
  auto client = Client();
  EXPECT_EQ(client->Start(kRegion, {}).status().code(), C::kInvalidArgument);
  EXPECT_EQ(client->Start("", Ids(1)).status().code(), C::kInvalidArgument);
  EXPECT_EQ(client->Start("ap-guangzhou\r\nX-Evil: 1", Ids(1)).status().code(),
            C::kInvalidArgument);
  ResetPasswordParams empty = Params();
  empty.password = Secret("");
  EXPECT_EQ(client->ResetPassword(kRegion, Ids(1), empty).status().code(),
            C::kInvalidArgument);
  ResetPasswordParams bad_utf8 = Params();
  bad_utf8.password = Secret("Abc-\xff\xfe-1234");
  absl::Status s = client->ResetPassword(kRegion, Ids(1), bad_utf8).status();
  EXPECT_EQ(s.code(), C::kInvalidArgument);
  EXPECT_THAT(s.ToString(), Not(HasSubstr("\xff")));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("Abc-")));
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_P(Api3ClientTest, NoVncPassword) {
  absl::Status s =
      Client()->ResetVncPassword(kRegion, Ids(1), Secret("Abc123")).status();
  EXPECT_EQ(s.code(), C::kUnimplemented);
  EXPECT_EQ(transport_->request_count(), 0u);
}

TEST_P(Api3ClientTest, Non200WithProviderErrorBodyKeepsItsCode) {
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

TEST_P(Api3ClientTest, UnparseableBodyIsInternal) {
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

TEST_P(Api3ClientTest, TransportErrorsKeepTheirCodeAndNameTheAction) {
  transport_->Push(absl::DeadlineExceededError("no answer in time"));
  transport_->Push(absl::UnavailableError("connection refused"));
  transport_->Push(absl::UnavailableError("connection refused"));
  transport_->Push(absl::DeadlineExceededError("timed out"));
  auto client = Client();
  absl::Status late = client->Stop(kRegion, Ids(1), StopMode::kSoft).status();
  EXPECT_EQ(late.code(), C::kDeadlineExceeded);
  EXPECT_THAT(late.message(), HasSubstr("StopInstances"));
  EXPECT_EQ(client->Start(kRegion, Ids(1)).status().code(), C::kUnavailable);
  absl::Status s = client->ResetPassword(kRegion, Ids(1), Params()).status();
  EXPECT_EQ(s.code(), C::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("ResetInstancesPassword"));
  EXPECT_THAT(s.message(), Not(HasSubstr(kPassword)));
  EXPECT_EQ(client->Start(kRegion, Ids(1)).status().code(),
            C::kDeadlineExceeded);
}

TEST_P(Api3ClientTest, PasswordNeverAppearsInErrors) {
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
  EXPECT_EQ(transport_->request_count(), 4u);
}

TEST_P(Api3ClientTest, PasswordEchoedByTheProviderIsRedacted) {
  transport_->Push(ErrorResponse(
      "InvalidParameterValue.InvalidPassword",
      std::string("password `") + kPassword + "` is too weak", "req-7"));
  absl::Status s = Client()->ResetPassword(kRegion, Ids(1), Params()).status();
  EXPECT_EQ(s.code(), C::kInvalidArgument);
  EXPECT_THAT(s.ToString(), Not(HasSubstr(kPassword)));
  std::optional<ProviderError> e = GetProviderError(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "InvalidParameterValue.InvalidPassword");
  EXPECT_EQ(e->request_id, "req-7");
  EXPECT_THAT(e->message, Not(HasSubstr(kPassword)));
  EXPECT_THAT(e->message, HasSubstr("***"));
}

TEST_P(Api3ClientTest, NotFoundFallbackDropsIdsNamedInMessage) {
  const std::vector<std::string> ids = Ids(3);
  transport_->Push(
      ErrorResponse(product_.not_found_named, NotFoundMessage(ids[1])));
  transport_->Push(
      InstanceSet({Instance(ids[0], "RUNNING"), Instance(ids[2], "STOPPED")}));
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 3u);
  EXPECT_EQ((*result)[0].state, PowerState::kRunning);
  EXPECT_EQ((*result)[1].instance_id, ids[1]);
  EXPECT_EQ((*result)[1].state, PowerState::kNotFound);
  EXPECT_EQ((*result)[2].state, PowerState::kStopped);
  const auto r = transport_->requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].body, R"({"InstanceIds":[")" + ids[0] + R"(",")" + ids[2] +
                           R"("],"Limit":100})");
}

TEST_P(Api3ClientTest, NotFoundFallbackBisectsWhenMessageNamesNoId) {
  const std::vector<std::string> ids = Ids(16);
  transport_->SetHandler(FleetHandler({ids.begin(), ids.end() - 1},
                                      /*name_ids=*/false));  // last one unknown
  auto result = Client()->Describe(kRegion, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 16u);
  for (int i = 0; i < 15; ++i) {
    EXPECT_EQ((*result)[i].state, PowerState::kRunning);
  }
  EXPECT_EQ((*result)[15].state, PowerState::kNotFound);
  // 1 + 2 per halving level (4 levels for 16 ids).
  EXPECT_LE(transport_->request_count(), 9u);

  // A small batch: the fourth of four is unknown.
  const std::vector<std::string> four = Ids(4);
  transport_->SetHandler(FleetHandler({four.begin(), four.end() - 1},
                                      /*name_ids=*/false));
  auto small = Client()->Describe(kRegion, four);
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ((*small)[0].state, PowerState::kRunning);
  EXPECT_EQ((*small)[1].state, PowerState::kRunning);
  EXPECT_EQ((*small)[2].state, PowerState::kRunning);
  EXPECT_EQ((*small)[3].state, PowerState::kNotFound);
}

TEST_P(Api3ClientTest, NotFoundFallbackHandlesManyUnknownIds) {
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

TEST_P(Api3ClientTest, NotFoundOfSingleIdIsNotAnError) {
  transport_->Push(ErrorResponse(product_.not_found_named, "gone"));
  auto result = Client()->Describe(kRegion, Ids(1));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 1u);
  EXPECT_EQ((*result)[0].state, PowerState::kNotFound);
}

TEST_P(Api3ClientTest, ErrorDuringFallbackIsReturned) {
  transport_->Push(
      ErrorResponse(product_.not_found_named, NotFoundMessage(Ids(1)[0])));
  transport_->Push(
      ErrorResponse("RequestLimitExceeded", "slow down", "req-rl"));
  absl::Status s = Client()->Describe(kRegion, Ids(3)).status();
  EXPECT_EQ(s.code(), C::kResourceExhausted);
  EXPECT_EQ(GetProviderError(s)->request_id, "req-rl");
}

TEST_P(Api3ClientTest, ConcurrentDescribesAreSafe) {
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

TEST_P(Api3ClientTest, ConcurrentResetsAreIndependent) {
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

std::string ProductName(
    const ::testing::TestParamInfo<const Api3TestProduct*>& info) {
  return info.param->name;
}

INSTANTIATE_TEST_SUITE_P(Products, Api3ClientTest,
                         ::testing::Values(&TencentCvm(), &Lighthouse()),
                         ProductName);

struct HttpCase {
  int status;
  absl::StatusCode expected;
};

using Api3HttpStatusTest =
    Api3Test<std::tuple<const Api3TestProduct*, HttpCase>>;

TEST_P(Api3HttpStatusTest, Non200KeepsHttpStatus) {
  const HttpCase& c = std::get<1>(GetParam());
  transport_->Push(JsonResponse("<html>gateway says no</html>", c.status));
  absl::Status s = Client()->Start(kRegion, Ids(1)).status();
  EXPECT_EQ(s.code(), c.expected);
  EXPECT_THAT(s.message(), HasSubstr("HTTP " + std::to_string(c.status)));
  std::optional<ProviderError> e = GetProviderError(s);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->http_status, c.status);
}

INSTANTIATE_TEST_SUITE_P(
    Products, Api3HttpStatusTest,
    ::testing::Combine(::testing::Values(&TencentCvm(), &Lighthouse()),
                       ::testing::Values(HttpCase{500, C::kUnavailable},
                                         HttpCase{502, C::kUnavailable},
                                         HttpCase{503, C::kUnavailable},
                                         HttpCase{429, C::kResourceExhausted},
                                         HttpCase{403, C::kUnknown},
                                         HttpCase{404, C::kUnknown})),
    [](const auto& info) {
      return std::string(std::get<0>(info.param)->name) + "_" +
             std::to_string(std::get<1>(info.param).status);
    });

struct ErrorCase {
  std::string provider_code;
  absl::StatusCode expected;
};

using Api3ErrorMappingTest =
    Api3Test<std::tuple<const Api3TestProduct*, ErrorCase>>;

TEST_P(Api3ErrorMappingTest, ApiErrorKeepsProviderIdentity) {
  const ErrorCase& c = std::get<1>(GetParam());
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

// "RequestLimitExceeded.UinLimitExceeded" -> "RequestLimitExceeded_Uin...".
std::string CodeName(const ::testing::TestParamInfo<
                     std::tuple<const Api3TestProduct*, ErrorCase>>& info) {
  std::string name = std::get<1>(info.param).provider_code;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name.empty() ? "Empty" : name;
}

// CVM's code families (TencentErrorCode()).
INSTANTIATE_TEST_SUITE_P(
    TencentCvm, Api3ErrorMappingTest,
    ::testing::Combine(
        ::testing::Values(&TencentCvm()),
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
            ErrorCase{"InvalidParameterValue.LimitExceeded",
                      C::kInvalidArgument},
            ErrorCase{"InvalidPassword", C::kInvalidArgument},
            ErrorCase{"MissingParameter", C::kInvalidArgument},
            ErrorCase{"UnknownParameter", C::kInvalidArgument},
            ErrorCase{"AuthFailure.SignatureFailure", C::kUnauthenticated},
            ErrorCase{"AuthFailure.SignatureExpire", C::kUnauthenticated},
            ErrorCase{"AuthFailure.SecretIdNotFound", C::kUnauthenticated},
            ErrorCase{"AuthFailure.UnauthorizedOperation",
                      C::kPermissionDenied},
            ErrorCase{"UnauthorizedOperation.CamNoAuth", C::kPermissionDenied},
            ErrorCase{"FailedOperation.Whatever", C::kUnknown},
            ErrorCase{"", C::kUnknown})),
    CodeName);

// The codes the SDK lists for Lighthouse's five actions (tencentcloud-sdk-go
// lighthouse/v20200324/client.go) plus API 3.0 common errors
// (LighthouseErrorCode()).
INSTANTIATE_TEST_SUITE_P(
    Lighthouse, Api3ErrorMappingTest,
    ::testing::Combine(
        ::testing::Values(&Lighthouse()),
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
            ErrorCase{"FailedOperation.DescribeInstanceStatus",
                      C::kUnavailable},
            ErrorCase{"InternalError.DescribeInstanceStatus", C::kUnavailable},
            ErrorCase{"InternalError.InvalidCommandNotFound", C::kUnavailable},
            ErrorCase{"FailedOperation.InstanceOperationFailed", C::kUnknown},
            ErrorCase{"FailedOperation", C::kUnknown},
            ErrorCase{"ResourceNotFound.InstanceIdNotFound", C::kNotFound},
            ErrorCase{"ResourceNotFound.InstanceNotFound", C::kNotFound},
            ErrorCase{"InvalidParameterValue.InstanceIdMalformed",
                      C::kInvalidArgument},
            ErrorCase{"InvalidParameterValue.Duplicated", C::kInvalidArgument},
            ErrorCase{"InvalidParameterValue.LimitExceeded",
                      C::kInvalidArgument},
            ErrorCase{"InvalidParameterValue.OutOfRange", C::kInvalidArgument},
            ErrorCase{"InvalidParameterValue.InvalidPassword",
                      C::kInvalidArgument},
            ErrorCase{"LimitExceeded", C::kFailedPrecondition},
            ErrorCase{"UnauthorizedOperation.NoPermission",
                      C::kPermissionDenied},
            ErrorCase{"UnauthorizedOperation.MFAExpired", C::kPermissionDenied},
            ErrorCase{"AuthFailure.SignatureFailure", C::kUnauthenticated},
            ErrorCase{"AuthFailure.InvalidHeaderUin", C::kUnauthenticated})),
    CodeName);

}  // namespace
}  // namespace resetd::clients::testing
