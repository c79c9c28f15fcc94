// Routing of requests to the provider APIs: unit tests of ApiRouter with the
// CVM and Lighthouse APIs, and an in-process HTTP test of a mixed fleet.
#include <memory>
#include <string>

#include "common/crypto.h"
#include "fakecloud/lighthouse_actions.h"
#include "fakecloud/lighthouse_api.h"
#include "fakecloud/provider_api.h"
#include "fakecloud/server.h"
#include "fakecloud/tencent_api.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/fake_clock.h"
#include "tests/fakecloud/test_util.h"

namespace resetd::fakecloud {
namespace {

using nlohmann::json;
using resetd::testing::FakeClock;

std::map<std::string, Secret> Keys() {
  std::map<std::string, Secret> keys;
  keys.emplace(testing::kTestSecretId, Secret(testing::kTestSecretKey));
  return keys;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest()
      : fleet_(clock_, FleetOptions{}, {}),
        verifier_(Keys(), clock_, absl::Seconds(300)),
        rates_(clock_),
        faults_(FaultOptions{}, 1) {
    auto cvm = std::make_unique<TencentApi>(fleet_, verifier_, rates_, calls_,
                                            clock_, faults_, ApiOptions{});
    cvm_ = cvm.get();
    auto lighthouse = std::make_unique<LighthouseApi>(
        fleet_, verifier_, rates_, calls_, clock_, faults_, ApiOptions{});
    lighthouse_ = lighthouse.get();
    router_.Add(std::move(lighthouse));
    router_.Add(std::move(cvm));
    router_.SetFallback(cvm_);
  }

  FakeClock clock_;
  Fleet fleet_;
  Tc3Verifier verifier_;
  RateWindow rates_;
  CallLog calls_;
  FaultInjector faults_;
  ApiRouter router_;
  ProviderApi* cvm_ = nullptr;
  ProviderApi* lighthouse_ = nullptr;
};

TEST_F(RouterTest, CredentialScopeServiceChoosesTheApi) {
  EXPECT_EQ(router_.Route(testing::SignedRequest("DescribeInstances", "{}",
                                                 clock_.Now())),
            cvm_);
  EXPECT_EQ(router_.Route(testing::SignedLighthouseRequest("DescribeInstances",
                                                           "{}", clock_.Now())),
            lighthouse_);
  // The scope wins over the version: a Lighthouse request with a wrong
  // version gets Lighthouse's NoSuchVersion, not CVM's answer.
  EXPECT_EQ(router_.Route(testing::SignedLighthouseRequest(
                "DescribeInstances", "{}", clock_.Now(), "ap-guangzhou",
                "2017-03-12")),
            lighthouse_);
}

TEST_F(RouterTest, WithoutAuthorizationTheVersionChooses) {
  ApiRequest r =
      testing::SignedLighthouseRequest("DescribeInstances", "{}", clock_.Now());
  r.headers.erase("authorization");
  EXPECT_EQ(router_.Route(r), lighthouse_);
  EXPECT_EQ(Tc3ServiceOf(r, TencentVersions()), "lighthouse");
  r.headers["x-tc-version"] = "2017-03-12";
  EXPECT_EQ(router_.Route(r), cvm_);
  r.headers["x-tc-version"] = "1999-01-01";
  EXPECT_EQ(router_.Route(r), cvm_);  // CVM answers NoSuchVersion
}

TEST_F(RouterTest, RequestsNoApiClaims) {
  ApiRequest bare;
  bare.body = "{}";
  EXPECT_EQ(Tc3ServiceOf(bare, TencentVersions()), std::nullopt);
  EXPECT_EQ(router_.Route(bare), cvm_);  // fallback at "/"
  bare.path = "/v1/project/cloudservers/action";
  EXPECT_EQ(router_.Route(bare), nullptr);  // no Huawei API yet
}

TEST_F(RouterTest, EachApiRecordsItsProvider) {
  cvm_->Handle(testing::SignedRequest("DescribeInstances", "{}", clock_.Now()));
  lighthouse_->Handle(testing::SignedLighthouseRequest("DescribeInstances",
                                                       "{}", clock_.Now()));
  std::vector<CallRecord> calls = calls_.Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].provider, "tencent_cvm");
  EXPECT_EQ(calls[0].result, "OK");
  EXPECT_EQ(calls[1].provider, "tencent_lighthouse");
  EXPECT_EQ(calls[1].result, "OK");
}

TEST_F(RouterTest, FaultsAreShared) {
  faults_.Set(FaultOptions{1.0, {}});
  json r = json::parse(lighthouse_
                           ->Handle(testing::SignedLighthouseRequest(
                               "DescribeInstances", "{}", clock_.Now()))
                           .body)["Response"];
  std::string code = r["Error"]["Code"];
  EXPECT_TRUE(code == "InternalError" || code == "InternalServerError") << code;
}

// A mixed fleet behind one HTTP port.
class MixedServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeCloudConfig config;
    config.threads = 2;
    config.credentials = Keys();
    config.fleet = FleetOptions{{absl::Seconds(1), absl::Seconds(1)},
                                {absl::Seconds(1), absl::Seconds(1)},
                                1};
    InstanceSpec cvm;
    cvm.instance_id = "ins-running1";
    cvm.region = "ap-guangzhou";
    InstanceSpec lighthouse = cvm;
    lighthouse.provider = Provider::kTencentLighthouse;
    lighthouse.instance_id = "lhins-running1";
    config.instances = {cvm, lighthouse};
    server_ = std::make_unique<FakeCloudServer>(std::move(config), clock_);
    absl::StatusOr<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(5);
  }
  void TearDown() override { server_->Stop(); }

  json Post(const ApiRequest& r) {
    httplib::Headers headers;
    for (const auto& [name, value] : r.headers) {
      if (name != "content-type") headers.emplace(name, value);
    }
    auto res = client_->Post("/", headers, r.body, "application/json");
    EXPECT_TRUE(res);
    if (!res) return json();
    EXPECT_EQ(res->get_header_value("X-TC-TraceId"),
              r.headers.at("x-tc-traceid"));
    return json::parse(res->body)["Response"];
  }
  json Admin(const std::string& path) {
    auto res = client_->Get(path.c_str());
    EXPECT_TRUE(res);
    return res ? json::parse(res->body) : json();
  }

  FakeClock clock_;
  std::unique_ptr<FakeCloudServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(MixedServerTest, OnePortServesBothApisAndTheAdminShowsProviders) {
  json lh = Post(testing::SignedLighthouseRequest(
      "ResetInstancesPassword",
      R"({"InstanceIds":["lhins-running1"],"Password":"Abcdef12!x"})",
      clock_.Now()));
  EXPECT_FALSE(lh.contains("Error")) << lh.dump();
  json cvm =
      Post(testing::SignedRequest("DescribeInstances", "{}", clock_.Now()));
  ASSERT_EQ(cvm["TotalCount"], 1);
  EXPECT_EQ(cvm["InstanceSet"][0]["InstanceId"], "ins-running1");
  clock_.Advance(absl::Seconds(2));
  json instances = Admin("/_fake/instances");
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0]["provider"], "tencent_cvm");
  EXPECT_EQ(instances[1]["provider"], "tencent_lighthouse");
  EXPECT_EQ(instances[1]["state"], "STOPPED");
  EXPECT_EQ(instances[1]["password_digest"], Sha256Hex("Abcdef12!x"));
  json calls = Admin("/_fake/calls");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["provider"], "tencent_lighthouse");
  EXPECT_EQ(calls[1]["provider"], "tencent_cvm");
  EXPECT_EQ(calls.dump().find("Abcdef12!x"), std::string::npos);
  auto res = client_->Post("/_fake/instances/lhins-running1",
                           R"({"state":"FREEZING"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(client_->Get("/v2.1/p/servers")->status, 404);
}

}  // namespace
}  // namespace resetd::fakecloud
