// The Alibaba Cloud ECS API of fakecloud (fakecloud/aliyun_api.h): ACS3 and
// RPC v1 signatures, routing, every action's effect on the shared fleet on a
// fake clock, batch limits, SuccessFirst, password and VNC rules, next-boot
// semantics, error shapes and HTTP statuses; and resetd's own Alibaba client
// over libcurl against an in-process fakecloud on port 0.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clients/aliyun/acs3_signer.h"
#include "clients/aliyun/aliyun_ecs_client.h"
#include "clients/http/curl_transport.h"
#include "clients/provider_error.h"
#include "common/crypto.h"
#include "fakecloud/aliyun_actions.h"
#include "fakecloud/aliyun_api.h"
#include "fakecloud/aliyun_password_rules.h"
#include "fakecloud/server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/fake_clock.h"

namespace resetd::fakecloud {
namespace {

using clients::aliyun::Acs3Params;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAk[] = "LTAI5tEXAMPLEaccessKeyId";
constexpr char kSk[] = "EXAMPLEaccessKeySecret0123456789";
constexpr char kRegion[] = "cn-hangzhou";
constexpr char kRun1[] = "i-bp67acfmxazb4p000001";
constexpr char kStop1[] = "i-bp67acfmxazb4p000002";
constexpr char kWinStop[] = "i-bp67acfmxazb4p000003";
constexpr char kRun2[] = "i-bp67acfmxazb4p000004";
constexpr char kCvm[] = "ins-aaaaaaaa";
constexpr char kPassword[] = "Fake-Passw0rd!2024";

std::vector<InstanceSpec> TestFleet() {
  auto spec = [](const char* id, const char* state, OsType os = OsType::kLinux,
                 const char* region = kRegion,
                 Provider p = Provider::kAliyunEcs) {
    InstanceSpec s;
    s.provider = p;
    s.instance_id = id;
    s.region = region;
    s.zone = std::string(region) + "-h";
    s.os_type = os;
    s.state = state;
    return s;
  };
  return {spec(kRun1, "RUNNING"), spec(kStop1, "STOPPED"),
          spec(kWinStop, "STOPPED", OsType::kWindows), spec(kRun2, "RUNNING"),
          spec("i-uf60000000000000000a", "RUNNING", OsType::kLinux,
               "cn-shanghai"),
          spec(kCvm, "RUNNING", OsType::kLinux, kRegion,
               Provider::kTencentCvm)};
}

std::string Date(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// A request signed as the SDK signs it (ACS3), canonical query on the wire
// unless `wire_query` is given.
ApiRequest Signed(const std::string& action, const Acs3Params& params,
                  absl::Time now, const std::string& wire_query = "",
                  const std::string& secret = kSk,
                  const std::string& ak = kAk) {
  ApiRequest r;
  r.method = "POST";
  r.path = "/";
  const std::string canonical = clients::aliyun::Acs3CanonicalQuery(params);
  r.query = wire_query.empty() ? canonical : wire_query;
  r.headers = {{"host", "127.0.0.1:43217"},
               {"x-acs-version", "2014-05-26"},
               {"x-acs-action", action},
               {"x-acs-date", Date(now)},
               {"x-acs-signature-nonce", "c9b06ebb0123"},
               {"x-acs-credentials-provider", "static_ak"},
               {"accept", "application/json"},
               {"x-acs-content-sha256", clients::aliyun::kEmptyPayloadSha256}};
  clients::aliyun::Acs3Headers headers(r.headers.begin(), r.headers.end());
  clients::aliyun::Acs3Request sign;
  sign.canonical_query = canonical;
  sign.headers = headers;
  r.headers["authorization"] =
      clients::aliyun::Acs3Authorization(ak, secret, sign);
  return r;
}

Acs3Params Ids(Acs3Params params, const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); ++i)
    params.emplace_back("InstanceId." + std::to_string(i + 1), ids[i]);
  return params;
}

class AliyunApiTest : public ::testing::Test {
 protected:
  AliyunApiTest()
      : fleet_(clock_,
               FleetOptions{{absl::Seconds(1), absl::Seconds(1)},
                            {absl::Seconds(1), absl::Seconds(1)},
                            7},
               TestFleet()),
        rates_(clock_),
        faults_(FaultOptions{}, 1) {
    Reset({});
  }

  void Reset(std::map<std::string, int> rates) {
    AliyunOptions options;
    options.credentials.emplace(kAk, Secret(kSk));
    options.rates = std::move(rates);
    api_ = std::make_unique<AliyunApi>(fleet_, rates_, calls_, clock_, faults_,
                                       std::move(options));
  }

  struct Answer {
    int status;
    json body;
  };

  Answer Send(const ApiRequest& r) {
    EXPECT_TRUE(api_->Accepts(r));
    ApiReply reply = api_->Handle(r);
    return {reply.status, json::parse(reply.body)};
  }
  Answer Call(const std::string& action, const Acs3Params& params) {
    return Send(Signed(action, params, clock_.Now()));
  }

  InstanceView View(const std::string& id) {
    for (const InstanceView& v : fleet_.Snapshot())
      if (v.spec.instance_id == id) return v;
    ADD_FAILURE() << id;
    return {};
  }

  std::string StatusOf(const std::string& id) {
    Answer a = Call("DescribeInstanceStatus",
                    Ids({{"RegionId", kRegion}}, {id}));
    EXPECT_EQ(a.status, 200);
    return a.body["InstanceStatuses"]["InstanceStatus"][0]["Status"];
  }

  static void ExpectError(const Answer& a, int status, const std::string& code) {
    EXPECT_EQ(a.status, status) << a.body.dump();
    EXPECT_EQ(a.body.value("Code", ""), code) << a.body.dump();
    for (const char* key : {"RequestId", "HostId", "Message", "Recommend"})
      EXPECT_TRUE(a.body.contains(key)) << key << " in " << a.body.dump();
  }

  testing::FakeClock clock_;
  Fleet fleet_;
  RateWindow rates_;
  CallLog calls_;
  FaultInjector faults_;
  std::unique_ptr<AliyunApi> api_;
};

TEST_F(AliyunApiTest, SignedDescribeInstancesShowsOnlyAlibabaInstancesOfRegion) {
  Answer a = Call("DescribeInstances", {{"RegionId", kRegion},
                                        {"MaxResults", "100"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  const json& list = a.body["Instances"]["Instance"];
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0]["InstanceId"], kRun1);
  EXPECT_EQ(list[0]["Status"], "Running");
  EXPECT_EQ(list[0]["OSType"], "linux");
  EXPECT_EQ(list[0]["RegionId"], kRegion);
  EXPECT_EQ(list[2]["OSType"], "windows");
  EXPECT_EQ(list[1]["Status"], "Stopped");
  EXPECT_EQ(a.body["TotalCount"], 4);
  EXPECT_EQ(a.body["RequestId"].get<std::string>().size(), 36u);
}

TEST_F(AliyunApiTest, DescribeInstancesByJsonIdsLeavesUnknownAndForeignOut) {
  const std::string ids = json::array({kRun1, "i-unknown00000000000000", kCvm,
                                       "i-uf60000000000000000a"})
                              .dump();
  Answer a = Call("DescribeInstances",
                  {{"InstanceIds", ids}, {"RegionId", kRegion}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  ASSERT_EQ(a.body["Instances"]["Instance"].size(), 1u);
  EXPECT_EQ(a.body["Instances"]["Instance"][0]["InstanceId"], kRun1);
}

TEST_F(AliyunApiTest, NonCanonicalWireQueryIsCanonicalisedBeforeVerifying) {
  // The SDK's querystring.stringify order and escaping: unsorted, '!' raw.
  const std::string wire = std::string("InstanceId=") + kStop1 +
                           "&Password=Fake-Passw0rd!2024&Description=a%20b";
  Answer a = Send(Signed("ModifyInstanceAttribute",
                         {{"InstanceId", kStop1},
                          {"Password", kPassword},
                          {"Description", "a b"}},
                         clock_.Now(), wire));
  EXPECT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(View(kStop1).staged_password_digest, Sha256Hex(kPassword));
}

TEST_F(AliyunApiTest, WrongSecretIsSignatureDoesNotMatch) {
  Answer a = Send(Signed("DescribeInstances", {{"RegionId", kRegion}},
                         clock_.Now(), "", "wrong-secret"));
  ExpectError(a, 400, "SignatureDoesNotMatch");
}

TEST_F(AliyunApiTest, TamperedQueryOrHostPortIsRejected) {
  ApiRequest r = Signed("DescribeInstances", {{"RegionId", kRegion}},
                        clock_.Now());
  r.query = "RegionId=cn-shanghai";
  ExpectError(Send(r), 400, "SignatureDoesNotMatch");
  r = Signed("DescribeInstances", {{"RegionId", kRegion}}, clock_.Now());
  r.headers["host"] = "127.0.0.1:43218";
  ExpectError(Send(r), 400, "SignatureDoesNotMatch");
}

TEST_F(AliyunApiTest, UnsignedAcsOrContentTypeHeaderIsIncompleteSignature) {
  ApiRequest r = Signed("DescribeInstances", {{"RegionId", kRegion}},
                        clock_.Now());
  r.headers["content-type"] = "application/x-www-form-urlencoded";
  ExpectError(Send(r), 400, "IncompleteSignature");
  r = Signed("DescribeInstances", {{"RegionId", kRegion}}, clock_.Now());
  r.headers["x-acs-extra"] = "1";
  ExpectError(Send(r), 400, "IncompleteSignature");
  r = Signed("DescribeInstances", {{"RegionId", kRegion}}, clock_.Now());
  r.headers.erase("authorization");
  ExpectError(Send(r), 400, "IncompleteSignature");
}

TEST_F(AliyunApiTest, ContentShaMustMatchBody) {
  ApiRequest r = Signed("DescribeInstances", {{"RegionId", kRegion}},
                        clock_.Now());
  r.body = "x";
  ExpectError(Send(r), 400, "SignatureDoesNotMatch");
}

TEST_F(AliyunApiTest, UnknownAccessKeyIsNotFound) {
  Answer a = Send(Signed("DescribeInstances", {{"RegionId", kRegion}},
                         clock_.Now(), "", kSk, "LTAIunknown"));
  ExpectError(a, 404, "InvalidAccessKeyId.NotFound");
}

TEST_F(AliyunApiTest, DateOlderThanFifteenMinutesIsExpired) {
  const absl::Time signed_at = clock_.Now();
  ApiRequest ok = Signed("DescribeInstances", {{"RegionId", kRegion}},
                         signed_at);
  clock_.Advance(absl::Minutes(15));
  EXPECT_EQ(Send(ok).status, 200);
  clock_.Advance(absl::Seconds(1));
  ExpectError(Send(ok), 400, "InvalidTimeStamp.Expired");
  ApiRequest bad = Signed("DescribeInstances", {{"RegionId", kRegion}},
                          clock_.Now());
  bad.headers["x-acs-date"] = "yesterday";
  ExpectError(Send(bad), 400, "InvalidTimeStamp.Format");
}

TEST_F(AliyunApiTest, RpcV1SignatureIsAccepted) {
  std::map<std::string, std::string> p = {
      {"AccessKeyId", kAk},          {"Action", "DescribeInstanceStatus"},
      {"Format", "JSON"},            {"RegionId", kRegion},
      {"SignatureMethod", "HMAC-SHA1"}, {"SignatureNonce", "n1"},
      {"SignatureVersion", "1.0"},   {"Timestamp", Date(clock_.Now())},
      {"Version", "2014-05-26"},     {"InstanceId.1", kRun1}};
  const std::string canonical =
      clients::aliyun::Acs3CanonicalQuery(Acs3Params(p.begin(), p.end()));
  const std::string sts = "GET&%2F&" + clients::aliyun::Acs3Encode(canonical);
  const std::string sig =
      Base64Encode(HmacSha1(std::string(kSk) + "&", sts));
  ApiRequest r;
  r.method = "GET";
  r.query = canonical + "&Signature=" + clients::aliyun::Acs3Encode(sig);
  Answer a = Send(r);
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["InstanceStatuses"]["InstanceStatus"][0]["Status"],
            "Running");
  r.method = "POST";  // the method is signed
  ExpectError(Send(r), 400, "SignatureDoesNotMatch");
}

TEST_F(AliyunApiTest, GatewayErrors) {
  ExpectError(Call("RunInstances", {{"RegionId", kRegion}}), 404,
              "InvalidAction.NotFound");
  ExpectError(Call("DescribeInstances", {}), 400, "MissingRegionId");
  ExpectError(Call("DescribeInstances", {{"RegionId", "xx-nowhere-1"}}), 404,
              "InvalidRegionId.NotFound");
  ApiRequest r = Signed("DescribeInstances", {{"RegionId", kRegion}},
                        clock_.Now());
  r.headers["x-acs-version"] = "2016-03-14";
  // Re-signed with the changed header.
  clients::aliyun::Acs3Headers h(r.headers.begin(), r.headers.end());
  h.erase(std::remove_if(h.begin(), h.end(),
                         [](auto& kv) { return kv.first == "authorization"; }),
          h.end());
  clients::aliyun::Acs3Request sign;
  sign.canonical_query = r.query;
  sign.headers = h;
  r.headers["authorization"] = clients::aliyun::Acs3Authorization(kAk, kSk, sign);
  ExpectError(Send(r), 400, "InvalidVersion");
}

TEST_F(AliyunApiTest, FlowControlPerAccessKeyRegionAndAction) {
  Reset({{"DescribeInstanceStatus", 2}});
  const Acs3Params p = {{"RegionId", kRegion}};
  EXPECT_EQ(Call("DescribeInstanceStatus", p).status, 200);
  EXPECT_EQ(Call("DescribeInstanceStatus", p).status, 200);
  ExpectError(Call("DescribeInstanceStatus", p), 400, "Throttling.User");
  EXPECT_EQ(Call("DescribeInstanceStatus", {{"RegionId", "cn-shanghai"}}).status,
            200);
  EXPECT_EQ(Call("DescribeInstances", p).status, 200);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Call("DescribeInstanceStatus", p).status, 200);
}

TEST_F(AliyunApiTest, InjectedFaultsAre5xx) {
  faults_.Set(FaultOptions{1.0, {}});
  Answer a = Call("DescribeInstances", {{"RegionId", kRegion}});
  EXPECT_GE(a.status, 500);
  EXPECT_THAT(a.body["Code"].get<std::string>(),
              ::testing::AnyOf("InternalError", "ServiceUnavailable"));
}

TEST_F(AliyunApiTest, StopStartRebootFollowTheStateMachine) {
  Answer a = Call("StopInstances", Ids({{"RegionId", kRegion},
                                        {"ForceStop", "true"},
                                        {"StoppedMode", "KeepCharging"}},
                                       {kRun1}));
  ASSERT_EQ(a.status, 200) << a.body.dump();
  const json& r = a.body["InstanceResponses"]["InstanceResponse"][0];
  EXPECT_EQ(r["Code"], "200");
  EXPECT_EQ(r["PreviousStatus"], "Running");
  EXPECT_EQ(r["CurrentStatus"], "Stopping");
  EXPECT_EQ(StatusOf(kRun1), "Stopping");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(StatusOf(kRun1), "Stopped");
  ASSERT_EQ(Call("StartInstances", Ids({{"RegionId", kRegion}}, {kRun1})).status,
            200);
  EXPECT_EQ(StatusOf(kRun1), "Starting");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(StatusOf(kRun1), "Running");
  ASSERT_EQ(Call("RebootInstances", Ids({{"RegionId", kRegion},
                                         {"ForceReboot", "false"}},
                                        {kRun1}))
                .status,
            200);
  EXPECT_EQ(StatusOf(kRun1), "Starting");
  EXPECT_EQ(View(kRun1).state, "REBOOTING");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(StatusOf(kRun1), "Running");
}

TEST_F(AliyunApiTest, AllTogetherFailsWholeBatchWithHttpStatus) {
  ExpectError(Call("StopInstances", Ids({{"RegionId", kRegion}}, {kRun1, kStop1})),
              403, "IncorrectInstanceStatus");
  EXPECT_EQ(View(kRun1).state, "RUNNING");
  ExpectError(Call("StartInstances", Ids({{"RegionId", kRegion},
                                          {"BatchOptimization", "AllTogether"}},
                                         {kStop1, "i-unknown00000000000000"})),
              404, "InvalidInstanceId.NotFound");
  EXPECT_EQ(View(kStop1).state, "STOPPED");
  ExpectError(Call("StopInstances", Ids({{"RegionId", kRegion}}, {kCvm})), 404,
              "InvalidInstanceId.NotFound");
  EXPECT_EQ(View(kCvm).state, "RUNNING");
}

TEST_F(AliyunApiTest, SuccessFirstActsOnWhatItCanAndReportsEach) {
  Answer a = Call("StopInstances",
                  Ids({{"RegionId", kRegion}, {"BatchOptimization", "SuccessFirst"}},
                      {kRun1, kStop1, "i-unknown00000000000000", kRun2}));
  ASSERT_EQ(a.status, 200) << a.body.dump();
  const json& list = a.body["InstanceResponses"]["InstanceResponse"];
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0]["Code"], "200");
  EXPECT_EQ(list[1]["Code"], "IncorrectInstanceStatus");
  EXPECT_EQ(list[1]["PreviousStatus"], "Stopped");
  EXPECT_EQ(list[1]["CurrentStatus"], "Stopped");
  EXPECT_EQ(list[2]["Code"], "InvalidInstanceId.NotFound");
  EXPECT_EQ(list[3]["Code"], "200");
  EXPECT_EQ(list[3]["CurrentStatus"], "Stopping");
  EXPECT_EQ(View(kRun2).state, "STOPPING");
}

TEST_F(AliyunApiTest, BatchLimits) {
  std::vector<std::string> hundred, many;
  for (int i = 0; i < 101; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "i-zz%018d", i);
    (i < 100 ? hundred : many).push_back(id);
    if (i < 100) many.push_back(id);
  }
  ASSERT_EQ(many.size(), 101u);
  Answer ok = Call("StartInstances",
                   Ids({{"RegionId", kRegion}, {"BatchOptimization", "SuccessFirst"}},
                       hundred));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["InstanceResponses"]["InstanceResponse"].size(), 100u);
  ExpectError(Call("StartInstances", Ids({{"RegionId", kRegion}}, many)), 400,
              "InvalidParameter");
  ExpectError(Call("RebootInstances", {{"RegionId", kRegion}}), 400,
              "MissingParameter");
  ExpectError(Call("DescribeInstances", {{"RegionId", kRegion},
                                         {"InstanceIds", json(many).dump()}}),
              400, "InvalidParameter");
  EXPECT_EQ(Call("DescribeInstances", {{"RegionId", kRegion},
                                       {"InstanceIds", json(hundred).dump()}})
                .status,
            200);
  ExpectError(Call("DescribeInstances", {{"RegionId", kRegion},
                                         {"InstanceIds", "i-abc"}}),
              400, "InvalidInstanceIds.Malformed");
  ExpectError(Call("DescribeInstances", {{"RegionId", kRegion},
                                         {"MaxResults", "101"}}),
              400, "InvalidParameter");
  ExpectError(Call("DescribeInstanceStatus", {{"RegionId", kRegion},
                                              {"PageSize", "51"}}),
              400, "InvalidParameter");
  Answer page = Call("DescribeInstanceStatus", {{"RegionId", kRegion},
                                                {"PageSize", "50"}});
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body["TotalCount"], 4);
}

TEST_F(AliyunApiTest, DescribeInstancesPagesWithNextToken) {
  Answer first = Call("DescribeInstances", {{"RegionId", kRegion},
                                            {"MaxResults", "3"}});
  ASSERT_EQ(first.body["Instances"]["Instance"].size(), 3u);
  const std::string token = first.body["NextToken"];
  ASSERT_FALSE(token.empty());
  Answer second = Call("DescribeInstances", {{"RegionId", kRegion},
                                             {"MaxResults", "3"},
                                             {"NextToken", token}});
  ASSERT_EQ(second.body["Instances"]["Instance"].size(), 1u);
  EXPECT_EQ(second.body["NextToken"], "");
}

TEST_F(AliyunApiTest, BadFlagsAreInvalidParameter) {
  ExpectError(Call("StopInstances", Ids({{"RegionId", kRegion},
                                         {"BatchOptimization", "Sometimes"}},
                                        {kRun1})),
              400, "InvalidParameter");
  ExpectError(Call("StopInstances", Ids({{"RegionId", kRegion},
                                         {"StoppedMode", "Frozen"}},
                                        {kRun1})),
              400, "InvalidParameter");
  ExpectError(Call("RebootInstances", Ids({{"RegionId", kRegion},
                                           {"ForceReboot", "yes"}},
                                          {kRun1})),
              400, "InvalidParameter");
}

TEST_F(AliyunApiTest, DryRunChangesNothing) {
  ExpectError(Call("StopInstances", Ids({{"RegionId", kRegion}, {"DryRun", "true"}},
                                        {kRun1})),
              400, "DRYRUN.SUCCESS");
  EXPECT_EQ(View(kRun1).state, "RUNNING");
  ExpectError(Call("StopInstances", Ids({{"RegionId", kRegion}, {"DryRun", "true"}},
                                        {"i-unknown00000000000000"})),
              404, "InvalidInstanceId.NotFound");
}

TEST_F(AliyunApiTest, PasswordAppliesAtTheNextRebootFromTheApi) {
  Answer a = Call("ModifyInstanceAttribute",
                  {{"InstanceId", kRun1}, {"Password", kPassword}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  InstanceView v = View(kRun1);
  EXPECT_EQ(v.state, "RUNNING");
  EXPECT_EQ(v.password_digest, "");
  EXPECT_EQ(v.staged_password_digest, Sha256Hex(kPassword));
  EXPECT_EQ(v.latest_operation, "ModifyInstanceAttribute");
  EXPECT_EQ(v.latest_operation_state, "SUCCESS");  // synchronous
  // The reboot may follow at once: the modify left nothing in progress.
  ASSERT_EQ(Call("RebootInstances", Ids({{"RegionId", kRegion}}, {kRun1})).status,
            200);
  EXPECT_EQ(View(kRun1).password_digest, "");
  clock_.Advance(absl::Seconds(1));
  v = View(kRun1);
  EXPECT_EQ(v.password_digest, Sha256Hex(kPassword));
  EXPECT_EQ(v.staged_password_digest, "");
}

TEST_F(AliyunApiTest, PasswordOfStoppedInstanceAppliesAtStartNotStop) {
  ASSERT_EQ(Call("ModifyInstanceAttribute",
                 {{"InstanceId", kStop1}, {"Password", kPassword}})
                .status,
            200);
  EXPECT_EQ(View(kStop1).state, "STOPPED");
  EXPECT_EQ(View(kStop1).password_digest, "");
  ASSERT_EQ(Call("StartInstances", Ids({{"RegionId", kRegion}}, {kStop1})).status,
            200);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(View(kStop1).password_digest, Sha256Hex(kPassword));
  // A stop does not apply a staged password.
  ASSERT_EQ(Call("ModifyInstanceAttribute",
                 {{"InstanceId", kRun2}, {"Password", "0ther-Passw0rd"}})
                .status,
            200);
  ASSERT_EQ(Call("StopInstances", Ids({{"RegionId", kRegion}}, {kRun2})).status,
            200);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(View(kRun2).password_digest, "");
  EXPECT_EQ(View(kRun2).staged_password_digest, Sha256Hex("0ther-Passw0rd"));
}

TEST_F(AliyunApiTest, PasswordRefusedWhileStartingAndForOthers) {
  ASSERT_EQ(Call("StartInstances", Ids({{"RegionId", kRegion}}, {kStop1})).status,
            200);
  ExpectError(Call("ModifyInstanceAttribute",
                   {{"InstanceId", kStop1}, {"Password", kPassword}}),
              403, "IncorrectInstanceStatus");
  ExpectError(Call("ModifyInstanceAttribute",
                   {{"InstanceId", kCvm}, {"Password", kPassword}}),
              404, "InvalidInstanceId.NotFound");
  ExpectError(Call("ModifyInstanceAttribute", {{"Password", kPassword}}), 400,
              "MissingParameter");
}

TEST_F(AliyunApiTest, BadPasswordIsMalformedAndNeverEchoed) {
  const std::string bad = "short1A";
  Answer a = Call("ModifyInstanceAttribute",
                  {{"InstanceId", kRun1}, {"Password", bad}});
  ExpectError(a, 400, "InvalidPassword.Malformed");
  EXPECT_THAT(a.body.dump(), Not(HasSubstr(bad)));
  ExpectError(Call("ModifyInstanceAttribute",
                   {{"InstanceId", kWinStop}, {"Password", "/Abcdef123"}}),
              400, "InvalidPassword.Malformed");
  EXPECT_EQ(Call("ModifyInstanceAttribute",
                 {{"InstanceId", kStop1}, {"Password", "/Abcdef123"}})
                .status,
            200);
}

TEST_F(AliyunApiTest, CallLogHoldsNoPassword) {
  Call("ModifyInstanceAttribute", {{"InstanceId", kRun1}, {"Password", kPassword}});
  Call("ModifyInstanceVncPasswd",
       {{"InstanceId", kRun1}, {"RegionId", kRegion}, {"VncPassword", "Ab1cD2"}});
  const std::string log = calls_.ToJson().dump();
  EXPECT_THAT(log, Not(HasSubstr(kPassword)));
  EXPECT_THAT(log, Not(HasSubstr("Ab1cD2")));
  std::vector<CallRecord> records = calls_.Calls();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].provider, "aliyun_ecs");
  EXPECT_EQ(records[0].action, "ModifyInstanceAttribute");
  EXPECT_EQ(records[0].region, kRegion);  // the instance's region
  EXPECT_EQ(records[0].secret_id, kAk);
  EXPECT_EQ(records[0].instance_ids, std::vector<std::string>{kRun1});
}

TEST_F(AliyunApiTest, VncPasswordIsStoredApartFromTheLoginPassword) {
  ASSERT_EQ(Call("ModifyInstanceVncPasswd", {{"InstanceId", kRun1},
                                             {"RegionId", kRegion},
                                             {"VncPassword", "Ab1cD2"}})
                .status,
            200);
  InstanceView v = View(kRun1);
  EXPECT_EQ(v.vnc_password_digest, Sha256Hex("Ab1cD2"));
  EXPECT_EQ(v.password_digest, "");
  EXPECT_EQ(v.staged_password_digest, "");
  EXPECT_EQ(v.state, "RUNNING");
  for (const char* bad : {"Ab1cD", "Ab1cD23", "abc123", "ABC123", "Abcdef",
                          "Ab1c-2"}) {
    ExpectError(Call("ModifyInstanceVncPasswd", {{"InstanceId", kRun1},
                                                 {"RegionId", kRegion},
                                                 {"VncPassword", bad}}),
                400, "InvalidVncPassword.Malformed");
  }
  ExpectError(Call("ModifyInstanceVncPasswd", {{"InstanceId", kCvm},
                                               {"RegionId", kRegion},
                                               {"VncPassword", "Ab1cD2"}}),
              404, "InvalidInstanceId.NotFound");
}

TEST(AliyunPasswordRulesTest, Boundaries) {
  EXPECT_TRUE(CheckAliyunPassword("Abcdef1", OsType::kLinux));  // 7
  EXPECT_FALSE(CheckAliyunPassword("Abcdef12", OsType::kLinux));  // 8
  EXPECT_FALSE(CheckAliyunPassword(std::string(28, 'a') + "A1", OsType::kLinux));
  EXPECT_TRUE(CheckAliyunPassword(std::string(29, 'a') + "A1", OsType::kLinux));
  EXPECT_TRUE(CheckAliyunPassword("abcdefgh12", OsType::kLinux));  // 2 classes
  EXPECT_FALSE(CheckAliyunPassword("abcdefgh1!", OsType::kLinux));
  EXPECT_TRUE(CheckAliyunPassword("ABCDEFGH-_", OsType::kLinux));
  for (char c : std::string(kAliyunPasswordSpecials)) {
    EXPECT_FALSE(CheckAliyunPassword(std::string("abcdefg1") + c,
                                     OsType::kLinux))
        << c;
  }
  for (char c : std::string("'\" \\\xc3")) {
    EXPECT_TRUE(CheckAliyunPassword(std::string("abcdefG1") + c,
                                    OsType::kLinux))
        << c;
  }
  EXPECT_FALSE(CheckAliyunPassword("/Abcdef12", OsType::kLinux));
  EXPECT_TRUE(CheckAliyunPassword("/Abcdef12", OsType::kWindows));
  EXPECT_FALSE(CheckAliyunPassword("Abcdef12/", OsType::kWindows));
  const std::string reason = *CheckAliyunPassword("Secret7", OsType::kLinux);
  EXPECT_THAT(reason, Not(HasSubstr("Secret7")));
}

TEST(AliyunPasswordRulesTest, Vnc) {
  EXPECT_FALSE(CheckAliyunVncPassword("Ab1cD2"));
  EXPECT_FALSE(CheckAliyunVncPassword("zZ9999"));
  EXPECT_TRUE(CheckAliyunVncPassword("Ab1cD"));
  EXPECT_TRUE(CheckAliyunVncPassword("Ab1cD23"));
  EXPECT_TRUE(CheckAliyunVncPassword("ab1cd2"));
  EXPECT_TRUE(CheckAliyunVncPassword("AB1CD2"));
  EXPECT_TRUE(CheckAliyunVncPassword("AbcDef"));
  EXPECT_TRUE(CheckAliyunVncPassword("Ab1c!2"));
}

TEST(AliyunRoutingTest, AcceptsAcsHeadersOrActionParameterOnly) {
  testing::FakeClock clock;
  Fleet fleet(clock, FleetOptions{}, {});
  RateWindow rates(clock);
  CallLog calls;
  FaultInjector faults(FaultOptions{}, 1);
  AliyunApi api(fleet, rates, calls, clock, faults, AliyunOptions{});
  ApiRequest r;
  r.headers = {{"x-acs-action", "DescribeInstances"}};
  EXPECT_TRUE(api.Accepts(r));
  r.headers.clear();
  r.query = "Format=JSON&Action=DescribeInstances";
  EXPECT_TRUE(api.Accepts(r));
  r.query = "";
  r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  r.body = "Action=StopInstances&InstanceId.1=i-x";
  EXPECT_TRUE(api.Accepts(r));
  r.body = "";
  r.headers = {{"x-tc-action", "DescribeInstances"}};
  EXPECT_FALSE(api.Accepts(r));
  r.headers = {{"x-acs-action", "DescribeInstances"}};
  r.path = "/v1/p/cloudservers/detail";
  EXPECT_FALSE(api.Accepts(r));
}

TEST(AliyunStatusTest, CanonicalStatesMapToEcsStatuses) {
  EXPECT_EQ(AliyunStatus("PENDING"), "Pending");
  EXPECT_EQ(AliyunStatus("RUNNING"), "Running");
  EXPECT_EQ(AliyunStatus("STARTING"), "Starting");
  EXPECT_EQ(AliyunStatus("REBOOTING"), "Starting");
  EXPECT_EQ(AliyunStatus("STOPPING"), "Stopping");
  EXPECT_EQ(AliyunStatus("STOPPED"), "Stopped");
}

// resetd's own client (MakeAliyunEcsClient over libcurl) against an
// in-process fakecloud on port 0: what libcurl puts on the wire is signed
// and verified, answers parse, errors keep their codes.
TEST(AliyunEndToEndTest, OurClientOverCurlAgainstFakecloud) {
  FakeCloudConfig config;
  config.fleet = FleetOptions{{absl::Milliseconds(50), absl::Milliseconds(50)},
                              {absl::Milliseconds(10), absl::Milliseconds(10)},
                              3};
  config.instances = TestFleet();
  config.aliyun.credentials.emplace(kAk, Secret(kSk));
  config.credentials.emplace("AKIDunused", Secret("unused"));
  FakeCloudServer server(std::move(config), RealClock());
  absl::StatusOr<int> port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status();
  clients::aliyun::AliyunEcsOptions options;
  options.endpoint = "127.0.0.1:" + std::to_string(*port);
  options.scheme = "http";
  options.access_key_id = kAk;
  options.access_key_secret = Secret(kSk);
  auto client = clients::aliyun::MakeAliyunEcsClient(
      std::move(options), clients::http::MakeCurlTransport());
  const std::vector<std::string> ids = {kRun1, kStop1, "i-unknown00000000000000"};
  auto described = client->Describe(kRegion, ids);
  ASSERT_TRUE(described.ok()) << described.status();
  ASSERT_EQ(described->size(), 3u);
  EXPECT_EQ((*described)[0].state, clients::PowerState::kRunning);
  EXPECT_EQ((*described)[1].state, clients::PowerState::kStopped);
  EXPECT_EQ((*described)[2].state, clients::PowerState::kNotFound);

  clients::ResetPasswordParams reset;
  reset.password = Secret(kPassword);
  const std::vector<std::string> one = {kRun1};
  auto modified = client->ResetPassword(kRegion, one, reset);
  ASSERT_TRUE(modified.ok()) << modified.status();
  EXPECT_EQ(modified->request_id.size(), 36u);
  ASSERT_TRUE(client->Reboot(kRegion, one, clients::StopMode::kSoft).ok());
  for (int i = 0; i < 100; ++i) {
    auto s = client->Describe(kRegion, one);
    ASSERT_TRUE(s.ok());
    if ((*s)[0].state == clients::PowerState::kRunning) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  InstanceView view;
  for (const InstanceView& v : server.fleet().Snapshot())
    if (v.spec.instance_id == kRun1) view = v;
  EXPECT_EQ(view.password_digest, Sha256Hex(kPassword));
  EXPECT_THAT(server.calls().ToJson().dump(), Not(HasSubstr("Passw0rd")));

  // Errors keep their provider code: a stop of a stopped instance
  // (SuccessFirst, per-instance code), a password while Starting, a
  // password the rule refuses, VNC.
  const std::vector<std::string> stopped = {kStop1};
  absl::StatusOr<clients::CallResult> stop =
      client->Stop(kRegion, stopped, clients::StopMode::kSoft);
  ASSERT_FALSE(stop.ok());
  EXPECT_EQ(clients::GetProviderError(stop.status())->code,
            "IncorrectInstanceStatus");
  ASSERT_TRUE(client->Start(kRegion, stopped).ok());
  auto starting = client->ResetPassword(kRegion, stopped, reset);
  ASSERT_FALSE(starting.ok());
  EXPECT_EQ(clients::GetProviderError(starting.status())->code,
            "IncorrectInstanceStatus");
  EXPECT_EQ(clients::GetProviderError(starting.status())->http_status, 403);
  clients::ResetPasswordParams weak;
  weak.password = Secret("weakpass");
  auto refused = client->ResetPassword(kRegion, one, weak);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(clients::GetProviderError(refused.status())->code,
            "InvalidPassword.Malformed");
  ASSERT_TRUE(client->ResetVncPassword(kRegion, one, Secret("Ab1cD2")).ok());
  const std::vector<std::string> cvm = {kCvm};
  auto foreign = client->Stop(kRegion, cvm, clients::StopMode::kSoft);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(clients::GetProviderError(foreign.status())->code,
            "InvalidInstanceId.NotFound");
  server.Stop();
}

}  // namespace
}  // namespace resetd::fakecloud
