#include "fakecloud/tencent_api.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/fake_clock.h"
#include "tests/fakecloud/test_util.h"

namespace resetd::fakecloud {
namespace {

using nlohmann::json;
using resetd::testing::FakeClock;

std::vector<InstanceSpec> TestFleet() {
  std::vector<InstanceSpec> specs;
  for (int i = 0; i < 25; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "ins-%08d", i);
    InstanceSpec s;
    s.instance_id = id;
    s.region = "ap-guangzhou";
    s.zone = "ap-guangzhou-3";
    s.state = i % 2 == 0 ? "RUNNING" : "STOPPED";
    specs.push_back(s);
  }
  return specs;
}

std::map<std::string, Secret> Keys() {
  std::map<std::string, Secret> keys;
  keys.emplace(testing::kTestSecretId, Secret(testing::kTestSecretKey));
  return keys;
}

std::string Ids(int from, int to) {  // JSON array of ins-000000<from..to-1>
  json ids = json::array();
  for (int i = from; i < to; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "ins-%08d", i);
    ids.push_back(id);
  }
  return ids.dump();
}

class TencentApiTest : public ::testing::Test {
 protected:
  TencentApiTest()
      : fleet_(clock_,
               FleetOptions{{absl::Seconds(1), absl::Seconds(1)},
                            {absl::Seconds(1), absl::Seconds(1)},
                            1},
               TestFleet()),
        verifier_(Keys(), clock_, absl::Seconds(300)),
        rates_(clock_),
        api_(fleet_, verifier_, rates_, calls_, clock_,
             ApiOptions{DefaultRates(), {}, {}, 1}) {}

  // Sends a signed request and returns its Response object.
  json Call(const std::string& action, const std::string& body,
            const std::string& region = "ap-guangzhou") {
    return Send(testing::SignedRequest(action, body, clock_.Now(), region));
  }
  json Send(const ApiRequest& r) {
    ApiReply reply = api_.Handle(r);
    EXPECT_EQ(reply.trace_id, "trace-1");
    return json::parse(reply.body)["Response"];
  }
  static std::string Code(const json& response) {
    return response.contains("Error")
               ? response["Error"]["Code"].get<std::string>()
               : "OK";
  }

  FakeClock clock_;
  Fleet fleet_;
  Tc3Verifier verifier_;
  RateWindow rates_;
  CallLog calls_;
  TencentApi api_;
};

TEST_F(TencentApiTest, DescribeInstancesEnvelopeAndPaging) {
  json r = Call("DescribeInstances", "{}");
  ASSERT_EQ(Code(r), "OK") << r.dump();
  EXPECT_EQ(r["TotalCount"], 25);
  EXPECT_EQ(r["InstanceSet"].size(), 20u);  // default Limit
  EXPECT_EQ(r["RequestId"].get<std::string>().size(), 36u);
  const json& first = r["InstanceSet"][0];
  EXPECT_EQ(first["InstanceId"], "ins-00000000");
  EXPECT_EQ(first["InstanceState"], "RUNNING");
  EXPECT_EQ(first["Placement"]["Zone"], "ap-guangzhou-3");
  EXPECT_TRUE(first["LatestOperation"].is_null());
  r = Call("DescribeInstances", R"({"Offset":20,"Limit":100})");
  EXPECT_EQ(r["InstanceSet"].size(), 5u);
  EXPECT_EQ(Code(Call("DescribeInstances", R"({"Limit":101})")),
            "InvalidParameterValue");
}

TEST_F(TencentApiTest, DescribeInstancesStatus) {
  json r = Call("DescribeInstancesStatus",
                R"({"InstanceIds":["ins-00000001","ins-zzzzzzzz"]})");
  ASSERT_EQ(Code(r), "OK");
  EXPECT_EQ(r["TotalCount"], 1);
  EXPECT_EQ(r["InstanceStatusSet"][0], json({{"InstanceId", "ins-00000001"},
                                             {"InstanceState", "STOPPED"}}));
}

TEST_F(TencentApiTest, GatewayErrors) {
  ApiRequest r =
      testing::SignedRequest("DescribeInstances", "{}", clock_.Now());
  r.headers["x-tc-version"] = "2020-01-01";
  EXPECT_EQ(Code(Send(r)), "NoSuchVersion");
  r.headers.erase("x-tc-version");
  EXPECT_EQ(Code(Send(r)), "MissingParameter");
  EXPECT_EQ(Code(Call("TerminateInstances", "{}")), "InvalidAction");
  EXPECT_EQ(Code(Call("DescribeInstances", "{}", "")), "MissingParameter");
  EXPECT_EQ(Code(Call("DescribeInstances", "{}", "xx-nowhere")),
            "InvalidParameterValue");
  json empty = Call("DescribeInstances", "{}", "ap-tokyo");
  EXPECT_EQ(empty["TotalCount"], 0);
  EXPECT_EQ(Code(Call("DescribeInstances", "{not json")), "InvalidParameter");
}

TEST_F(TencentApiTest, BatchLimitAndMalformedIds) {
  for (const char* action :
       {"DescribeInstances", "DescribeInstancesStatus", "StopInstances",
        "StartInstances", "RebootInstances"}) {
    EXPECT_EQ(Code(Call(action, R"({"InstanceIds":)" + Ids(0, 101) + "}")),
              "InvalidParameterValue.LimitExceeded")
        << action;
  }
  EXPECT_EQ(Code(Call("ResetInstancesPassword",
                      R"({"Password":"Abcdef1!","InstanceIds":)" + Ids(0, 101) +
                          "}")),
            "InvalidParameterValue.LimitExceeded");
  EXPECT_EQ(
      Code(Call("DescribeInstances", R"({"InstanceIds":)" + Ids(0, 100) + "}")),
      "OK");
  json r =
      Call("StopInstances", R"({"InstanceIds":["ins-00000000","ins-XYZ"]})");
  EXPECT_EQ(Code(r), "InvalidInstanceId.Malformed");
  EXPECT_NE(r["Error"]["Message"].get<std::string>().find("ins-XYZ"),
            std::string::npos);
  EXPECT_EQ(Code(Call("StopInstances", "{}")), "MissingParameter");
  EXPECT_EQ(Code(Call("StopInstances", R"({"InstanceIds":"ins-00000000"})")),
            "InvalidParameter");
  EXPECT_EQ(Code(Call("StopInstances",
                      R"({"InstanceIds":["ins-00000000","ins-aaaaaaaa"]})")),
            "InvalidInstanceId.NotFound");
}

TEST_F(TencentApiTest, StopParameters) {
  EXPECT_EQ(
      Code(Call("StopInstances",
                R"({"InstanceIds":["ins-00000000"],"StopType":"GENTLE"})")),
      "InvalidParameterValue");
  EXPECT_EQ(
      Code(Call(
          "StopInstances",
          R"({"InstanceIds":["ins-00000000"],"StopType":"HARD","ForceStop":true})")),
      "InvalidParameterCombination");
  EXPECT_EQ(
      Code(Call("StopInstances",
                R"({"InstanceIds":["ins-00000000"],"StoppedMode":"FREE"})")),
      "InvalidParameterValue");
  json r = Call(
      "StopInstances",
      R"({"InstanceIds":["ins-00000000"],"StopType":"SOFT_FIRST","StoppedMode":"STOP_CHARGING"})");
  ASSERT_EQ(Code(r), "OK");
  json d = Call("DescribeInstances", R"({"InstanceIds":["ins-00000000"]})");
  EXPECT_EQ(d["InstanceSet"][0]["InstanceState"], "STOPPING");
  EXPECT_EQ(d["InstanceSet"][0]["LatestOperationRequestId"], r["RequestId"]);
  EXPECT_EQ(d["InstanceSet"][0]["LatestOperationState"], "OPERATING");
}

TEST_F(TencentApiTest, ResetParameters) {
  EXPECT_EQ(Code(Call("ResetInstancesPassword",
                      R"({"InstanceIds":["ins-00000001"]})")),
            "MissingParameter");
  EXPECT_EQ(Code(Call("ResetInstancesPassword",
                      R"({"InstanceIds":["ins-00000001"],"Password":"weak"})")),
            "InvalidParameterValue.InvalidPassword");
  std::string long_name(65, 'u');
  EXPECT_EQ(
      Code(Call(
          "ResetInstancesPassword",
          R"({"InstanceIds":["ins-00000001"],"Password":"Abcdef1!","UserName":")" +
              long_name + "\"}")),
      "InvalidParameterValue.TooLong");
  EXPECT_EQ(
      Code(Call("ResetInstancesPassword",
                R"({"InstanceIds":["ins-00000000"],"Password":"Abcdef1!"})")),
      "UnsupportedOperation.InstanceStateRunning");
  EXPECT_EQ(
      Code(Call(
          "ResetInstancesPassword",
          R"({"InstanceIds":["ins-00000001"],"Password":"Abcdef1!","UserName":")" +
              std::string(64, 'u') + "\"}")),
      "OK");
  EXPECT_EQ(
      Code(Call(
          "ResetInstancesPassword",
          R"({"InstanceIds":["ins-00000002"],"Password":"Abcdef1!","ForceStop":true})")),
      "OK");
}

TEST_F(TencentApiTest, RateLimitPerActionRegionAndSecretId) {
  const std::string body = R"({"InstanceIds":["ins-00000001"]})";
  for (int i = 0; i < 10; ++i) {
    EXPECT_NE(Code(Call("StopInstances", body)), "RequestLimitExceeded") << i;
  }
  EXPECT_EQ(Code(Call("StopInstances", body)), "RequestLimitExceeded");
  EXPECT_NE(Code(Call("StartInstances", body)), "RequestLimitExceeded");
  EXPECT_NE(Code(Call("StopInstances", "{\"InstanceIds\":[\"ins-00000001\"]}",
                      "ap-shanghai")),
            "RequestLimitExceeded");
  clock_.Advance(absl::Seconds(1));
  EXPECT_NE(Code(Call("StopInstances", body)), "RequestLimitExceeded");
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Code(Call("DescribeInstancesStatus", "{}")), "OK") << i;
  }
  EXPECT_EQ(Code(Call("DescribeInstancesStatus", "{}")),
            "RequestLimitExceeded");
}

TEST_F(TencentApiTest, InjectedErrors) {
  api_.SetFaults(FaultOptions{1.0, {}});
  for (int i = 0; i < 5; ++i) {
    std::string code = Code(Call("DescribeInstances", "{}"));
    EXPECT_TRUE(code == "InternalError" || code == "InternalServerError")
        << code;
  }
  api_.SetFaults(FaultOptions{});
  EXPECT_EQ(Code(Call("DescribeInstances", "{}")), "OK");
}

TEST_F(TencentApiTest, CallLogRecordsEveryCallWithoutThePassword) {
  Call(
      "ResetInstancesPassword",
      R"({"InstanceIds":["ins-00000001"],"Password":"Sup3r-Secret!","UserName":"root"})");
  Call("ResetInstancesPassword",
       R"({"InstanceIds":["ins-00000000"],"Password":"Sup3r-Secret!"})");
  ApiRequest bad = testing::SignedRequest(
      "ResetInstancesPassword",
      R"({"InstanceIds":["ins-00000001"],"Password":"Sup3r-Secret!"})",
      clock_.Now(), "ap-guangzhou", "wrong-key");
  Send(bad);
  std::vector<CallRecord> calls = calls_.Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].result, "OK");
  EXPECT_EQ(calls[0].secret_id, testing::kTestSecretId);
  EXPECT_EQ(calls[0].instance_ids, std::vector<std::string>{"ins-00000001"});
  EXPECT_EQ(calls[0].params["UserName"], "root");
  EXPECT_EQ(calls[1].result, "UnsupportedOperation.InstanceStateRunning");
  EXPECT_EQ(calls[2].result, "AuthFailure.SignatureFailure");
  EXPECT_EQ(calls_.ToJson().dump().find("Sup3r-Secret!"), std::string::npos);
  EXPECT_DOUBLE_EQ(calls[0].time_ms,
                   static_cast<double>(absl::ToUnixMillis(clock_.Now())));
}

TEST(RequestIdTest, IsAVersion4Uuid) {
  std::string id = NewRequestId();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_NE(NewRequestId(), id);
}

}  // namespace
}  // namespace resetd::fakecloud
