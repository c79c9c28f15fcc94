// Our Lighthouse client's requests against what the official Tencent Cloud
// Node SDK (tencentcloud-sdk-nodejs 4.1.313, lighthouse.v20200324.Client)
// sends for the same inputs: action, version, region, body and the whole
// Authorization header. The fixture values below were printed by
// gen_sdk_signature_fixture.js (run it as its header says to regenerate).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clients/lighthouse/lighthouse_client.h"
#include "gtest/gtest.h"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::lighthouse {
namespace {

constexpr int64_t kTimestamp = 1795376535;
constexpr char kAuthPrefix[] =
    "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/"
    "2026-11-22/lighthouse/tc3_request, SignedHeaders=content-type;host, "
    "Signature=";

struct SdkFixture {
  const char* action;
  const char* body;
  const char* signature;
};

// Printed by gen_sdk_signature_fixture.js (X-TC-Version 2020-03-24,
// X-TC-Region ap-guangzhou, X-TC-Timestamp 1795376535, Content-Type
// application/json for every case).
const SdkFixture kReset = {
    "ResetInstancesPassword",
    R"({"InstanceIds":["lhins-ruy9d2tw","lhins-rusdke45"],"Password":"Fake-Passw0rd!2024","UserName":"root"})",
    "e0b25301b57432bd673230fe3e92277ebeda85eee755047bac695d519c3aedeb"};
const SdkFixture kResetEscaped = {
    "ResetInstancesPassword",
    "{\"InstanceIds\":[\"lhins-ruy9d2tw\"],\"Password\":\"Pa\\\"ss\\\\w0rd/"
    "\xc3\xa9<>&\\u0001\\n\"}",
    "d1cdfd8b7b80843e9e89d6a2772087fbd0a13aa03c459d25223cad4c78ea27f1"};
const SdkFixture kStop = {
    "StopInstances",
    R"({"InstanceIds":["lhins-ruy9d2tw"],"StopType":"SOFT_FIRST"})",
    "8ef07dda26f502a853727fd7624f03ec1fe0a2fa2209da469555f060a927ccb9"};
const SdkFixture kStart = {
    "StartInstances", R"({"InstanceIds":["lhins-ruy9d2tw","lhins-rusdke45"]})",
    "79741237217533dbbee6d3ff79654e5231ecce335825c09c6a1131131334ffe6"};
const SdkFixture kReboot = {
    "RebootInstances",
    R"({"InstanceIds":["lhins-ruy9d2tw"],"StopType":"HARD"})",
    "5717e04f9b7087edb5a205768c65376a549674deb637b0fe2e04e92200da3816"};
const SdkFixture kDescribe = {
    "DescribeInstances",
    R"({"InstanceIds":["lhins-ruy9d2tw","lhins-rusdke45"],"Limit":100})",
    "2e0c07c3e860aed6b3c6575e0d57e4eff40da7aa891023e8f700d4043920b498"};

class FixedClock final : public resetd::Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(kTimestamp); }
};

class LighthouseSdkSignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LighthouseOptions options;
    // The SDK ran against this host on a random port; the port is not signed.
    options.endpoint = "lighthouse.tencentcloudapi.com:43367";
    options.scheme = "http";
    options.secret_id = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
    options.secret_key = Secret("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
    options.clock = &clock_;
    client_ = MakeLighthouseClient(std::move(options), transport_);
    transport_->Push(http::JsonResponse(
        R"({"Response":{"RequestId":"r","InstanceSet":[]}})"));
  }

  void ExpectSameAsSdk(const SdkFixture& sdk) {
    ASSERT_EQ(transport_->request_count(), 1u);
    const http::HttpRequest r = transport_->requests().back();
    std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
    EXPECT_EQ(h["X-TC-Action"], sdk.action);
    EXPECT_EQ(h["X-TC-Version"], "2020-03-24");
    EXPECT_EQ(h["X-TC-Region"], "ap-guangzhou");
    EXPECT_EQ(h["X-TC-Timestamp"], "1795376535");
    EXPECT_EQ(h["Content-Type"], "application/json");
    EXPECT_EQ(h["Host"], "lighthouse.tencentcloudapi.com:43367");
    EXPECT_EQ(r.body, sdk.body);
    EXPECT_EQ(h["Authorization"], std::string(kAuthPrefix) + sdk.signature);
  }

  const std::vector<std::string> two_ids_ = {"lhins-ruy9d2tw",
                                             "lhins-rusdke45"};
  const std::vector<std::string> one_id_ = {"lhins-ruy9d2tw"};
  FixedClock clock_;
  std::shared_ptr<http::ScriptedTransport> transport_ =
      std::make_shared<http::ScriptedTransport>();
  std::unique_ptr<CloudClient> client_;
};

TEST_F(LighthouseSdkSignatureTest, ResetInstancesPassword) {
  ResetPasswordParams params;
  params.username = "root";
  params.password = Secret("Fake-Passw0rd!2024");
  ASSERT_TRUE(client_->ResetPassword("ap-guangzhou", two_ids_, params).ok());
  ExpectSameAsSdk(kReset);
}

TEST_F(LighthouseSdkSignatureTest, ResetInstancesPasswordWithEscapes) {
  ResetPasswordParams params;
  params.password = Secret("Pa\"ss\\w0rd/\xc3\xa9<>&\x01\n");
  ASSERT_TRUE(client_->ResetPassword("ap-guangzhou", one_id_, params).ok());
  ExpectSameAsSdk(kResetEscaped);
}

TEST_F(LighthouseSdkSignatureTest, StopInstances) {
  ASSERT_TRUE(
      client_->Stop("ap-guangzhou", one_id_, StopMode::kSoftThenForce).ok());
  ExpectSameAsSdk(kStop);
}

TEST_F(LighthouseSdkSignatureTest, StartInstances) {
  ASSERT_TRUE(client_->Start("ap-guangzhou", two_ids_).ok());
  ExpectSameAsSdk(kStart);
}

TEST_F(LighthouseSdkSignatureTest, RebootInstances) {
  ASSERT_TRUE(client_->Reboot("ap-guangzhou", one_id_, StopMode::kForce).ok());
  ExpectSameAsSdk(kReboot);
}

TEST_F(LighthouseSdkSignatureTest, DescribeInstances) {
  ASSERT_TRUE(client_->Describe("ap-guangzhou", two_ids_).ok());
  ExpectSameAsSdk(kDescribe);
}

}  // namespace
}  // namespace resetd::clients::lighthouse
