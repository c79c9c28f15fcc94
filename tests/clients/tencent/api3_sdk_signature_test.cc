// Our requests against what the official Tencent Cloud Node SDKs send for the
// same inputs, for each API 3.0 product: the action, the body and the whole
// Authorization header, plus the headers the SDKs sign or send alike. The
// fixtures were printed by tests/clients/tencent/gen_sdk_signature_fixture.js
// (CVM: tencentcloud-sdk-nodejs-common 4.1.220) and
// tests/clients/lighthouse/gen_sdk_signature_fixture.js (Lighthouse:
// tencentcloud-sdk-nodejs 4.1.313, lighthouse.v20200324.Client); run them as
// their headers say to regenerate.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/clients/http/scripted_transport.h"
#include "tests/clients/tencent/api3_test_harness.h"

namespace resetd::clients::testing {
namespace {

struct SdkFixture {
  const char* action;
  const char* body;
  const char* signature;
};

// One product's SDK run: the inputs the generator used and what the SDK
// sent for each call (X-TC-Region ap-guangzhou, X-TC-Timestamp 1795376535,
// Content-Type application/json every time).
struct SdkRun {
  const Api3TestProduct* product;
  // The capture server the SDK ran against; the port is sent, not signed.
  const char* endpoint;
  std::vector<std::string> two_ids;  // the first alone is the one id
  const char* escaped_password;
  SdkFixture reset, reset_escaped, stop, start, reboot, describe;
};

const SdkRun& CvmRun() {
  static const SdkRun run = {
      &TencentCvm(),
      "cvm.tencentcloudapi.com:43217",
      {"ins-r8hr2upy", "ins-5d8a23rs"},
      "Pa\"ss\\w0rd/\xc3\xa9<>&\x01",
      /*reset=*/
      {"ResetInstancesPassword",
       R"({"InstanceIds":["ins-r8hr2upy","ins-5d8a23rs"],"Password":"Fake-Passw0rd!2024","UserName":"root","ForceStop":true})",
       "16b9849a23f7526a2b3182bf647e8654f9b02c70341ea82d3b957234dbde959c"},
      /*reset_escaped=*/
      {"ResetInstancesPassword",
       "{\"InstanceIds\":[\"ins-r8hr2upy\"],\"Password\":\"Pa\\\"ss\\\\w0rd/"
       "\xc3\xa9<>&"
       "\\u0001\",\"ForceStop\":false}",
       "ed214322992e6644e8a9421627fa5ecf7bb4abd24b6c5fec6cb0ab761ba57bdb"},
      /*stop=*/
      {"StopInstances",
       R"({"InstanceIds":["ins-r8hr2upy"],"StopType":"SOFT_FIRST","StoppedMode":"KEEP_CHARGING"})",
       "358086574c7ea16c2f2f61352651a37c979d717be6891cf05cbde3f0efbac8f7"},
      /*start=*/
      {"StartInstances", R"({"InstanceIds":["ins-r8hr2upy","ins-5d8a23rs"]})",
       "e428d1adab20c4991873f619102f7e78141bc085a5f4c7da9889e0332bec561a"},
      /*reboot=*/
      {"RebootInstances",
       R"({"InstanceIds":["ins-r8hr2upy"],"StopType":"HARD"})",
       "b225ed951161394f2d64bf34321375900337005b9ec9d97201add04d1222f22b"},
      /*describe=*/
      {"DescribeInstances",
       R"({"InstanceIds":["ins-r8hr2upy","ins-5d8a23rs"],"Limit":100})",
       "87facbe208d533a06049b8632dd164c29ef1d6bb5fc92c87fd3356da9c29a674"}};
  return run;
}

const SdkRun& LighthouseRun() {
  static const SdkRun run = {
      &Lighthouse(),
      "lighthouse.tencentcloudapi.com:43367",
      {"lhins-ruy9d2tw", "lhins-rusdke45"},
      "Pa\"ss\\w0rd/\xc3\xa9<>&\x01\n",
      /*reset=*/
      {"ResetInstancesPassword",
       R"({"InstanceIds":["lhins-ruy9d2tw","lhins-rusdke45"],"Password":"Fake-Passw0rd!2024","UserName":"root"})",
       "e0b25301b57432bd673230fe3e92277ebeda85eee755047bac695d519c3aedeb"},
      /*reset_escaped=*/
      {"ResetInstancesPassword",
       "{\"InstanceIds\":[\"lhins-ruy9d2tw\"],\"Password\":\"Pa\\\"ss\\\\w0rd/"
       "\xc3\xa9<>&\\u0001\\n\"}",
       "d1cdfd8b7b80843e9e89d6a2772087fbd0a13aa03c459d25223cad4c78ea27f1"},
      /*stop=*/
      {"StopInstances",
       R"({"InstanceIds":["lhins-ruy9d2tw"],"StopType":"SOFT_FIRST"})",
       "8ef07dda26f502a853727fd7624f03ec1fe0a2fa2209da469555f060a927ccb9"},
      /*start=*/
      {"StartInstances",
       R"({"InstanceIds":["lhins-ruy9d2tw","lhins-rusdke45"]})",
       "79741237217533dbbee6d3ff79654e5231ecce335825c09c6a1131131334ffe6"},
      /*reboot=*/
      {"RebootInstances",
       R"({"InstanceIds":["lhins-ruy9d2tw"],"StopType":"HARD"})",
       "5717e04f9b7087edb5a205768c65376a549674deb637b0fe2e04e92200da3816"},
      /*describe=*/
      {"DescribeInstances",
       R"({"InstanceIds":["lhins-ruy9d2tw","lhins-rusdke45"],"Limit":100})",
       "2e0c07c3e860aed6b3c6575e0d57e4eff40da7aa891023e8f700d4043920b498"}};
  return run;
}

class Api3SdkSignatureTest : public ::testing::TestWithParam<const SdkRun*>,
                             public Api3Harness {
 protected:
  Api3SdkSignatureTest() : Api3Harness(*GetParam()->product) {}

  void SetUp() override {
    tencent::Api3Options options = Options();
    options.endpoint = run_.endpoint;
    options.scheme = "http";
    client_ = Client(std::move(options));
    transport_->Push(http::JsonResponse(
        R"({"Response":{"RequestId":"r","InstanceSet":[]}})"));
  }

  void ExpectSameAsSdk(const SdkFixture& sdk) {
    ASSERT_EQ(transport_->request_count(), 1u);
    const http::HttpRequest r = transport_->requests().back();
    std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
    EXPECT_EQ(h["X-TC-Action"], sdk.action);
    EXPECT_EQ(h["X-TC-Version"], product_.version);
    EXPECT_EQ(h["X-TC-Region"], "ap-guangzhou");
    EXPECT_EQ(h["X-TC-Timestamp"], "1795376535");
    EXPECT_EQ(h["Content-Type"], "application/json");
    EXPECT_EQ(h["Host"], run_.endpoint);
    EXPECT_EQ(r.body, sdk.body);
    EXPECT_EQ(h["Authorization"],
              "TC3-HMAC-SHA256 Credential=" + std::string(kApi3SecretId) +
                  "/2026-11-22/" + product_.service +
                  "/tc3_request, SignedHeaders=content-type;host, "
                  "Signature=" +
                  sdk.signature);
  }

  const SdkRun& run_ = *GetParam();
  const std::vector<std::string> one_id_ = {run_.two_ids[0]};
  std::unique_ptr<CloudClient> client_;
};

TEST_P(Api3SdkSignatureTest, ResetInstancesPassword) {
  ResetPasswordParams params;
  params.username = "root";
  params.password = Secret("Fake-Passw0rd!2024");
  params.force_stop = true;  // sent by CVM only
  ASSERT_TRUE(client_->ResetPassword(kApi3Region, run_.two_ids, params).ok());
  ExpectSameAsSdk(run_.reset);
}

TEST_P(Api3SdkSignatureTest, ResetInstancesPasswordWithEscapedCharacters) {
  ResetPasswordParams params;
  params.password = Secret(run_.escaped_password);
  ASSERT_TRUE(client_->ResetPassword(kApi3Region, one_id_, params).ok());
  ExpectSameAsSdk(run_.reset_escaped);
}

TEST_P(Api3SdkSignatureTest, StopInstances) {
  ASSERT_TRUE(
      client_->Stop(kApi3Region, one_id_, StopMode::kSoftThenForce).ok());
  ExpectSameAsSdk(run_.stop);
}

TEST_P(Api3SdkSignatureTest, StartInstances) {
  ASSERT_TRUE(client_->Start(kApi3Region, run_.two_ids).ok());
  ExpectSameAsSdk(run_.start);
}

TEST_P(Api3SdkSignatureTest, RebootInstances) {
  ASSERT_TRUE(client_->Reboot(kApi3Region, one_id_, StopMode::kForce).ok());
  ExpectSameAsSdk(run_.reboot);
}

TEST_P(Api3SdkSignatureTest, DescribeInstances) {
  ASSERT_TRUE(client_->Describe(kApi3Region, run_.two_ids).ok());
  ExpectSameAsSdk(run_.describe);
}

INSTANTIATE_TEST_SUITE_P(
    Products, Api3SdkSignatureTest,
    ::testing::Values(&CvmRun(), &LighthouseRun()),
    [](const ::testing::TestParamInfo<const SdkRun*>& info) {
      return std::string(info.param->product->name);
    });

}  // namespace
}  // namespace resetd::clients::testing
