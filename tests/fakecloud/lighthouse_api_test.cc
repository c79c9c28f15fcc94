// The Lighthouse API front on a fake clock: its wire shapes, error codes,
// limits and the self-stopping reset.
#include "fakecloud/lighthouse_api.h"

#include <string>
#include <vector>

#include "common/crypto.h"
#include "fakecloud/lighthouse_actions.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/fake_clock.h"
#include "tests/fakecloud/test_util.h"

namespace resetd::fakecloud {
namespace {

using nlohmann::json;
using resetd::testing::FakeClock;

std::string LhId(int i) {
  char id[16];
  std::snprintf(id, sizeof id, "lhins-%08d", i);
  return id;
}

std::vector<InstanceSpec> TestFleet() {
  std::vector<InstanceSpec> specs;
  for (int i = 0; i < 6; ++i) {
    InstanceSpec s;
    s.provider = Provider::kTencentLighthouse;
    s.instance_id = LhId(i);
    s.region = "ap-guangzhou";
    s.zone = "ap-guangzhou-3";
    s.state = i % 2 == 0 ? "RUNNING" : "STOPPED";
    specs.push_back(s);
  }
  specs[4].state = "FREEZING";
  specs[5].state = "PENDING";
  InstanceSpec cvm;
  cvm.instance_id = "ins-cvm00001";
  cvm.region = "ap-guangzhou";
  specs.push_back(cvm);
  return specs;
}

std::map<std::string, Secret> Keys() {
  std::map<std::string, Secret> keys;
  keys.emplace(testing::kTestSecretId, Secret(testing::kTestSecretKey));
  return keys;
}

json IdsJson(std::vector<std::string> ids) { return json(ids); }

class LighthouseApiTest : public ::testing::Test {
 protected:
  LighthouseApiTest()
      : fleet_(clock_,
               FleetOptions{{absl::Seconds(2), absl::Seconds(2)},
                            {absl::Seconds(1), absl::Seconds(1)},
                            1},
               TestFleet()),
        verifier_(Keys(), clock_, absl::Seconds(300)),
        rates_(clock_),
        faults_(FaultOptions{}, 1),
        api_(fleet_, verifier_, rates_, calls_, clock_, faults_,
             ApiOptions{LighthouseDefaultRates(), {}, {}, 1}) {}

  json Call(const std::string& action, const json& body) {
    return Send(
        testing::SignedLighthouseRequest(action, body.dump(), clock_.Now()));
  }
  json Send(const ApiRequest& r) {
    ApiReply reply = api_.Handle(r);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.trace_id, "trace-lh");
    return json::parse(reply.body)["Response"];
  }
  static std::string Code(const json& response) {
    return response.contains("Error")
               ? response["Error"]["Code"].get<std::string>()
               : "OK";
  }
  json Describe(const std::string& id) {
    json r = Call("DescribeInstances", {{"InstanceIds", IdsJson({id})}});
    EXPECT_EQ(Code(r), "OK") << r.dump();
    return r["InstanceSet"][0];
  }

  FakeClock clock_;
  Fleet fleet_;
  Tc3Verifier verifier_;
  RateWindow rates_;
  CallLog calls_;
  FaultInjector faults_;
  LighthouseApi api_;
};

TEST_F(LighthouseApiTest, DescribeShowsLighthouseInstancesOnly) {
  json r = Call("DescribeInstances", json::object());
  ASSERT_EQ(Code(r), "OK") << r.dump();
  EXPECT_EQ(r["TotalCount"], 6);
  ASSERT_EQ(r["InstanceSet"].size(), 6u);
  json first = r["InstanceSet"][0];
  EXPECT_EQ(first["InstanceId"], LhId(0));
  EXPECT_EQ(first["InstanceState"], "RUNNING");
  EXPECT_EQ(first["PlatformType"], "LINUX_UNIX");
  EXPECT_EQ(first["Zone"], "ap-guangzhou-3");
  EXPECT_TRUE(first["LatestOperation"].is_null());
  EXPECT_TRUE(first["LatestOperationState"].is_null());
  EXPECT_TRUE(first["LatestOperationRequestId"].is_null());
  EXPECT_EQ(r["InstanceSet"][4]["InstanceState"], "FREEZING");
  EXPECT_TRUE(r["RequestId"].is_string());
  r = Call("DescribeInstances", {{"Offset", 5}, {"Limit", 2}});
  EXPECT_EQ(r["TotalCount"], 6);
  EXPECT_EQ(r["InstanceSet"].size(), 1u);
}

TEST_F(LighthouseApiTest, DescribeNamesUnknownIds) {
  json r = Call("DescribeInstances",
                {{"InstanceIds", IdsJson({LhId(0), "lhins-zzzzzzzz"})}});
  EXPECT_EQ(Code(r), "ResourceNotFound.InstanceIdNotFound");
  EXPECT_NE(r["Error"]["Message"].get<std::string>().find("`lhins-zzzzzzzz`"),
            std::string::npos);
}

TEST_F(LighthouseApiTest, InstanceIdChecks) {
  EXPECT_EQ(
      Code(Call("StopInstances", {{"InstanceIds", IdsJson({"ins-cvm00001"})}})),
      "InvalidParameterValue.InstanceIdMalformed");
  EXPECT_EQ(Code(Call("StopInstances",
                      {{"InstanceIds", IdsJson({LhId(0), LhId(0)})}})),
            "InvalidParameterValue.Duplicated");
  std::vector<std::string> many;
  for (int i = 0; i < 101; ++i) many.push_back(LhId(100 + i));
  EXPECT_EQ(Code(Call("DescribeInstances", {{"InstanceIds", IdsJson(many)}})),
            "InvalidParameterValue.LimitExceeded");
  EXPECT_EQ(Code(Call("StopInstances", json::object())), "MissingParameter");
  EXPECT_EQ(Code(Call("StopInstances",
                      {{"InstanceIds", IdsJson({"lhins-zzzzzzzz"})}})),
            "ResourceNotFound.InstanceIdNotFound");
  EXPECT_EQ(Code(Call("DescribeInstances", {{"InstanceIds", IdsJson({LhId(0)})},
                                            {"Filters", json::array()}})),
            "InvalidParameter.ParameterConflict");
}

TEST_F(LighthouseApiTest, UnknownParametersAreRejected) {
  // StopType is Stop's and Reboot's (SDK model), not Start's.
  EXPECT_EQ(Code(Call("StartInstances", {{"InstanceIds", IdsJson({LhId(0)})},
                                         {"StopType", "HARD"}})),
            "UnknownParameter");
  EXPECT_EQ(Code(Call("StopInstances", {{"InstanceIds", IdsJson({LhId(0)})},
                                        {"StoppedMode", "KEEP_CHARGING"}})),
            "UnknownParameter");
  EXPECT_EQ(Code(Call("StopInstances", {{"InstanceIds", IdsJson({LhId(0)})},
                                        {"StopType", "GENTLY"}})),
            "InvalidParameterValue");
  json r = Call("ResetInstancesPassword", {{"InstanceIds", IdsJson({LhId(0)})},
                                           {"Password", "Abcdef12!x"},
                                           {"ForceStop", true}});
  EXPECT_EQ(Code(r), "UnknownParameter");
  EXPECT_EQ(r.dump().find("Abcdef12!x"), std::string::npos);
  EXPECT_EQ(Describe(LhId(0))["InstanceState"], "RUNNING");
}

TEST_F(LighthouseApiTest, StopAndRebootTakeAStopType) {
  EXPECT_EQ(Code(Call("RebootInstances", {{"InstanceIds", IdsJson({LhId(0)})},
                                          {"StopType", "SOFT_FIRST"}})),
            "OK");
}

TEST_F(LighthouseApiTest, StateErrorsUseLighthouseCodes) {
  json r = Call("StopInstances", {{"InstanceIds", IdsJson({LhId(1)})}});
  EXPECT_EQ(Code(r), "UnsupportedOperation.InvalidInstanceState");
  EXPECT_NE(r["Error"]["Message"].get<std::string>().find(
                "`" + LhId(1) + "` which is in the state of `STOPPED`"),
            std::string::npos);
  EXPECT_EQ(Code(Call("StartInstances", {{"InstanceIds", IdsJson({LhId(4)})}})),
            "UnsupportedOperation.InvalidInstanceState");
  EXPECT_EQ(
      Code(Call("RebootInstances", {{"InstanceIds", IdsJson({LhId(5)})}})),
      "OperationDenied.InstanceCreating");
  ASSERT_EQ(
      Code(Call("ResetInstancesPassword", {{"InstanceIds", IdsJson({LhId(1)})},
                                           {"Password", "Abcdef12!x"}})),
      "OK");
  EXPECT_EQ(Code(Call("StartInstances", {{"InstanceIds", IdsJson({LhId(1)})}})),
            "UnsupportedOperation.LatestOperationUnfinished");
}

TEST_F(LighthouseApiTest, ResetOfARunningInstanceLeavesItStopped) {
  json r = Call("ResetInstancesPassword", {{"InstanceIds", IdsJson({LhId(0)})},
                                           {"Password", "Abcdef12!x"},
                                           {"UserName", "root"}});
  ASSERT_EQ(Code(r), "OK") << r.dump();
  json v = Describe(LhId(0));
  EXPECT_EQ(v["InstanceState"], "STOPPING");
  EXPECT_EQ(v["LatestOperation"], "ResetInstancesPassword");
  EXPECT_EQ(v["LatestOperationState"], "OPERATING");
  EXPECT_EQ(v["LatestOperationRequestId"], r["RequestId"]);
  clock_.Advance(absl::Seconds(3));
  v = Describe(LhId(0));
  EXPECT_EQ(v["InstanceState"], "STOPPED");
  EXPECT_EQ(v["LatestOperationState"], "SUCCESS");
  EXPECT_EQ(fleet_.Snapshot()[0].password_digest, Sha256Hex("Abcdef12!x"));
  // resetd's recipe then starts it.
  ASSERT_EQ(Code(Call("StartInstances", {{"InstanceIds", IdsJson({LhId(0)})}})),
            "OK");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Describe(LhId(0))["InstanceState"], "RUNNING");
}

TEST_F(LighthouseApiTest, PasswordAndUserNameRules) {
  EXPECT_EQ(
      Code(Call("ResetInstancesPassword", {{"InstanceIds", IdsJson({LhId(1)})},
                                           {"Password", "short1!"}})),
      "InvalidParameterValue.InvalidPassword");
  EXPECT_EQ(Code(Call("ResetInstancesPassword",
                      {{"InstanceIds", IdsJson({LhId(1)})},
                       {"Password", "Abcdef12!x"},
                       {"UserName", std::string(65, 'u')}})),
            "InvalidParameterValue.OutOfRange");
  EXPECT_EQ(Code(Call("ResetInstancesPassword",
                      {{"InstanceIds", IdsJson({LhId(1)})}})),
            "MissingParameter");
}

TEST_F(LighthouseApiTest, GatewayChecksUseTheLighthouseScopeAndVersion) {
  EXPECT_EQ(Code(Send(testing::SignedLighthouseRequest(
                "DescribeInstances", "{}", clock_.Now(), "ap-guangzhou",
                "2017-03-12"))),
            "NoSuchVersion");
  EXPECT_EQ(Code(Send(testing::SignedLighthouseRequest(
                "DescribeInstances", "{}", clock_.Now(), "ap-guangzhou",
                "2020-03-24", "cvm"))),
            "AuthFailure.SignatureFailure");
  EXPECT_EQ(Code(Call("DescribeInstancesStatus", json::object())),
            "InvalidAction");
}

TEST_F(LighthouseApiTest, ResetIsLimitedTo20PerSecond) {
  const json body = {{"InstanceIds", IdsJson({"lhins-zzzzzzzz"})},
                     {"Password", "Abcdef12!x"}};
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Code(Call("ResetInstancesPassword", body)),
              "ResourceNotFound.InstanceIdNotFound")
        << i;
  }
  EXPECT_EQ(Code(Call("ResetInstancesPassword", body)), "RequestLimitExceeded");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Code(Call("ResetInstancesPassword", body)),
            "ResourceNotFound.InstanceIdNotFound");
}

TEST_F(LighthouseApiTest, RatesAreLighthousesPublishedOnes) {
  EXPECT_EQ(LighthouseDefaultRates(),
            (std::map<std::string, int>{{"DescribeInstances", 100},
                                        {"StopInstances", 10},
                                        {"StartInstances", 10},
                                        {"RebootInstances", 10},
                                        {"ResetInstancesPassword", 20}}));
  const json stop = {{"InstanceIds", IdsJson({"lhins-zzzzzzzz"})}};
  for (int i = 0; i < 10; ++i) {
    ASSERT_NE(Code(Call("StopInstances", stop)), "RequestLimitExceeded") << i;
  }
  EXPECT_EQ(Code(Call("StopInstances", stop)), "RequestLimitExceeded");
}

TEST_F(LighthouseApiTest, CallLogRecordsTheProviderWithoutThePassword) {
  Call("ResetInstancesPassword",
       {{"InstanceIds", IdsJson({LhId(1)})}, {"Password", "Abcdef12!x"}});
  std::vector<CallRecord> calls = calls_.Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].provider, "tencent_lighthouse");
  EXPECT_EQ(calls[0].action, "ResetInstancesPassword");
  EXPECT_EQ(calls[0].instance_ids, std::vector<std::string>{LhId(1)});
  EXPECT_EQ(calls_.ToJson().dump().find("Abcdef12!x"), std::string::npos);
}

}  // namespace
}  // namespace resetd::fakecloud
