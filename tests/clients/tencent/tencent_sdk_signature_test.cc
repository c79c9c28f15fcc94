// Our client's requests against what the official Tencent Cloud Node SDK
// (tencentcloud-sdk-nodejs-common 4.1.220) sends for the same inputs. The
// fixture values below were printed by gen_sdk_signature_fixture.js (run it
// as its header says to regenerate them).
#include <memory>
#include <string>
#include <vector>

#include "clients/tencent/tencent_cvm_client.h"
#include "gtest/gtest.h"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::tencent {
namespace {

constexpr int64_t kTimestamp = 1795376535;
constexpr char kAuthPrefix[] =
    "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/"
    "2026-11-22/cvm/tc3_request, SignedHeaders=content-type;host, Signature=";

struct SdkFixture {
  const char* action;
  const char* body;
  const char* signature;
};

// Printed by gen_sdk_signature_fixture.js.
const SdkFixture kReset = {
    "ResetInstancesPassword",
    R"({"InstanceIds":["ins-r8hr2upy","ins-5d8a23rs"],"Password":"Fake-Passw0rd!2024","UserName":"root","ForceStop":true})",
    "16b9849a23f7526a2b3182bf647e8654f9b02c70341ea82d3b957234dbde959c"};
const SdkFixture kResetEscaped = {
    "ResetInstancesPassword",
    "{\"InstanceIds\":[\"ins-r8hr2upy\"],\"Password\":\"Pa\\\"ss\\\\w0rd/"
    "\xc3\xa9<>&"
    "\\u0001\",\"ForceStop\":false}",
    "ed214322992e6644e8a9421627fa5ecf7bb4abd24b6c5fec6cb0ab761ba57bdb"};
const SdkFixture kStop = {
    "StopInstances",
    R"({"InstanceIds":["ins-r8hr2upy"],"StopType":"SOFT_FIRST","StoppedMode":"KEEP_CHARGING"})",
    "358086574c7ea16c2f2f61352651a37c979d717be6891cf05cbde3f0efbac8f7"};
const SdkFixture kStart = {
    "StartInstances", R"({"InstanceIds":["ins-r8hr2upy","ins-5d8a23rs"]})",
    "e428d1adab20c4991873f619102f7e78141bc085a5f4c7da9889e0332bec561a"};
const SdkFixture kReboot = {
    "RebootInstances", R"({"InstanceIds":["ins-r8hr2upy"],"StopType":"HARD"})",
    "b225ed951161394f2d64bf34321375900337005b9ec9d97201add04d1222f22b"};
const SdkFixture kDescribe = {
    "DescribeInstances",
    R"({"InstanceIds":["ins-r8hr2upy","ins-5d8a23rs"],"Limit":100})",
    "87facbe208d533a06049b8632dd164c29ef1d6bb5fc92c87fd3356da9c29a674"};

class FixedClock final : public resetd::Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(kTimestamp); }
};

class TencentSdkSignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TencentCvmOptions options;
    // The SDK ran against this host on a random port; the port is not signed.
    options.endpoint = "cvm.tencentcloudapi.com:43217";
    options.scheme = "http";
    options.secret_id = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
    options.secret_key = Secret("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
    options.clock = &clock_;
    client_ = MakeTencentCvmClient(std::move(options), transport_);
    for (int i = 0; i < 2; ++i) {
      transport_->Push(http::JsonResponse(
          R"({"Response":{"RequestId":"r","InstanceSet":[]}})"));
    }
  }

  void ExpectSameAsSdk(const SdkFixture& sdk) {
    ASSERT_GE(transport_->request_count(), 1u);
    const http::HttpRequest r = transport_->requests().back();
    std::string action, authorization;
    for (const auto& [name, value] : r.headers) {
      if (name == "X-TC-Action") action = value;
      if (name == "Authorization") authorization = value;
    }
    EXPECT_EQ(action, sdk.action);
    EXPECT_EQ(r.body, sdk.body);
    EXPECT_EQ(authorization, std::string(kAuthPrefix) + sdk.signature);
  }

  const std::vector<std::string> two_ids_ = {"ins-r8hr2upy", "ins-5d8a23rs"};
  const std::vector<std::string> one_id_ = {"ins-r8hr2upy"};
  FixedClock clock_;
  std::shared_ptr<http::ScriptedTransport> transport_ =
      std::make_shared<http::ScriptedTransport>();
  std::unique_ptr<CloudClient> client_;
};

TEST_F(TencentSdkSignatureTest, ResetInstancesPassword) {
  ResetPasswordParams params;
  params.username = "root";
  params.password = Secret("Fake-Passw0rd!2024");
  params.force_stop = true;
  ASSERT_TRUE(client_->ResetPassword("ap-guangzhou", two_ids_, params).ok());
  ExpectSameAsSdk(kReset);
}

TEST_F(TencentSdkSignatureTest, ResetInstancesPasswordWithEscapedCharacters) {
  ResetPasswordParams params;
  params.password = Secret("Pa\"ss\\w0rd/\xc3\xa9<>&\x01");
  ASSERT_TRUE(client_->ResetPassword("ap-guangzhou", one_id_, params).ok());
  ExpectSameAsSdk(kResetEscaped);
}

TEST_F(TencentSdkSignatureTest, StopInstances) {
  ASSERT_TRUE(
      client_->Stop("ap-guangzhou", one_id_, StopMode::kSoftThenForce).ok());
  ExpectSameAsSdk(kStop);
}

TEST_F(TencentSdkSignatureTest, StartInstances) {
  ASSERT_TRUE(client_->Start("ap-guangzhou", two_ids_).ok());
  ExpectSameAsSdk(kStart);
}

TEST_F(TencentSdkSignatureTest, RebootInstances) {
  ASSERT_TRUE(client_->Reboot("ap-guangzhou", one_id_, StopMode::kForce).ok());
  ExpectSameAsSdk(kReboot);
}

TEST_F(TencentSdkSignatureTest, DescribeInstances) {
  ASSERT_TRUE(client_->Describe("ap-guangzhou", two_ids_).ok());
  ExpectSameAsSdk(kDescribe);
}

}  // namespace
}  // namespace resetd::clients::tencent
