// Our client's requests against what the official Huawei Cloud Node SDK
// (@huaweicloud/huaweicloud-sdk-ecs 3.1.172 on huaweicloud-sdk-core 3.1.211)
// sends for the same inputs: method, path and query, body, Authorization.
// The fixture values below were printed by gen_sdk_signature_fixture.js (run
// it as its header says to regenerate them).
#include <memory>
#include <string>
#include <vector>

#include "clients/huawei/huawei_ecs_client.h"
#include "gtest/gtest.h"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::huawei {
namespace {

constexpr int64_t kTimestamp = 1795376536;  // X-Sdk-Date 20261122T194216Z
constexpr char kAk[] = "HWEXAMPLEAK0123456789";
constexpr char kSk[] = "HWEXAMPLESKabcdefghijklmnopqrstuvwxyz0123";
constexpr char kProjectId[] = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
constexpr char kRegion[] = "cn-north-4";
constexpr char kId1[] = "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001";
constexpr char kId2[] = "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba002";
constexpr char kAuthPrefix[] =
    "SDK-HMAC-SHA256 Access=HWEXAMPLEAK0123456789, "
    "SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=";

struct SdkFixture {
  const char* method;
  const char* target;  // path and query
  const char* body;
  const char* signature;
};

// Printed by gen_sdk_signature_fixture.js.
const SdkFixture kReset = {
    "PUT",
    "/v1/0a1b2c3d4e5f40718293a4b5c6d7e8f9/cloudservers/"
    "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001/os-reset-password",
    R"({"reset-password":{"new_password":"Fake-Passw0rd!2024"}})",
    "97301a1379a4cd8e88f0827ffe15db612b83105dd93dd46336c2618b632e5545"};
const SdkFixture kResetEscaped = {
    "PUT",
    "/v1/0a1b2c3d4e5f40718293a4b5c6d7e8f9/cloudservers/"
    "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba002/os-reset-password",
    "{\"reset-password\":{\"new_password\":\"Pa\\\"ss\\\\w0rd/"
    "\xc3\xa9<>&"
    "\\u0001\"}}",
    "41ee323b7cfa7c8b6ff5f42352345258f659f04c472555efaca5906de66b637a"};
const SdkFixture kBatchReset = {
    "PUT",
    "/v1/0a1b2c3d4e5f40718293a4b5c6d7e8f9/cloudservers/os-reset-passwords",
    R"({"new_password":"Fake-Passw0rd!2024","servers":[)"
    R"({"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001"},)"
    R"({"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba002"}]})",
    "241a6eb06283ff6cfda92589204e5783edfb718d36725af52fa5dfecc1c74ba8"};
const SdkFixture kStop = {
    "POST", "/v1/0a1b2c3d4e5f40718293a4b5c6d7e8f9/cloudservers/action",
    R"({"os-stop":{"servers":[{"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001"},)"
    R"({"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba002"}],"type":"SOFT"}})",
    "3f5bdb92fcd5c0bf25a88445a8b5ceade324e57c5be5d8685e4b33c12046f9e5"};
const SdkFixture kStart = {
    "POST", "/v1/0a1b2c3d4e5f40718293a4b5c6d7e8f9/cloudservers/action",
    R"({"os-start":{"servers":[{"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001"},)"
    R"({"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba002"}]}})",
    "12648be27fec1dbdbd8d3944f40f12aa94e2a4b72b9486477b7577d25c0ca624"};
const SdkFixture kReboot = {
    "POST", "/v1/0a1b2c3d4e5f40718293a4b5c6d7e8f9/cloudservers/action",
    R"({"reboot":{"servers":[{"id":"1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001"}],)"
    R"("type":"HARD"}})",
    "1b9df37c9c3b55adb0ad605650d3fe592485e524ff47211458f96c46807c7d2c"};
const SdkFixture kDescribe = {
    "GET",
    "/v1/0a1b2c3d4e5f40718293a4b5c6d7e8f9/cloudservers/detail?limit=100&"
    "server_id=1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba001%2C"
    "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba002",
    "", "f0c07c31725698cc5a9ad4ccbab23081996349d4af01641610f7d556b395eeeb"};

class FixedClock final : public resetd::Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(kTimestamp); }
};

class HuaweiSdkSignatureTest : public ::testing::Test {
 protected:
  std::unique_ptr<CloudClient> Client(bool batch_reset = false) {
    HuaweiEcsOptions options;
    // The SDK ran against this endpoint; the port is signed.
    options.endpoint = "127.0.0.1:43217";
    options.scheme = "http";
    options.project_ids = {{kRegion, kProjectId}};
    options.ak = kAk;
    options.sk = Secret(kSk);
    options.batch_reset = batch_reset;
    options.clock = &clock_;
    transport_->Push(http::JsonResponse(R"({"job_id":"j","servers":[]})"));
    return MakeHuaweiEcsClient(std::move(options), transport_);
  }

  void ExpectSameAsSdk(const SdkFixture& sdk) {
    ASSERT_EQ(transport_->request_count(), 1u);
    const http::HttpRequest r = transport_->requests().back();
    std::string authorization;
    for (const auto& [name, value] : r.headers) {
      if (name == "Authorization") authorization = value;
    }
    EXPECT_EQ(r.method, sdk.method);
    EXPECT_EQ(r.url, std::string("http://127.0.0.1:43217") + sdk.target);
    EXPECT_EQ(r.body, sdk.body);
    EXPECT_EQ(authorization, std::string(kAuthPrefix) + sdk.signature);
  }

  ResetPasswordParams Params(std::string password) {
    ResetPasswordParams params;
    params.password = Secret(std::move(password));
    return params;
  }

  FixedClock clock_;
  std::shared_ptr<http::ScriptedTransport> transport_ =
      std::make_shared<http::ScriptedTransport>();
  const std::vector<std::string> one_id_ = {kId1};
  const std::vector<std::string> two_ids_ = {kId1, kId2};
};

TEST_F(HuaweiSdkSignatureTest, ResetServerPassword) {
  ASSERT_TRUE(
      Client()
          ->ResetPassword(kRegion, one_id_, Params("Fake-Passw0rd!2024"))
          .ok());
  ExpectSameAsSdk(kReset);
}

TEST_F(HuaweiSdkSignatureTest, ResetServerPasswordWithEscapedCharacters) {
  const std::vector<std::string> id2 = {kId2};
  ASSERT_TRUE(
      Client()
          ->ResetPassword(kRegion, id2, Params("Pa\"ss\\w0rd/\xc3\xa9<>&\x01"))
          .ok());
  ExpectSameAsSdk(kResetEscaped);
}

TEST_F(HuaweiSdkSignatureTest, BatchResetServersPassword) {
  ASSERT_TRUE(
      Client(/*batch_reset=*/true)
          ->ResetPassword(kRegion, two_ids_, Params("Fake-Passw0rd!2024"))
          .ok());
  ExpectSameAsSdk(kBatchReset);
}

TEST_F(HuaweiSdkSignatureTest, BatchStopServers) {
  ASSERT_TRUE(Client()->Stop(kRegion, two_ids_, StopMode::kSoft).ok());
  ExpectSameAsSdk(kStop);
}

TEST_F(HuaweiSdkSignatureTest, BatchStartServers) {
  ASSERT_TRUE(Client()->Start(kRegion, two_ids_).ok());
  ExpectSameAsSdk(kStart);
}

TEST_F(HuaweiSdkSignatureTest, BatchRebootServers) {
  ASSERT_TRUE(Client()->Reboot(kRegion, one_id_, StopMode::kForce).ok());
  ExpectSameAsSdk(kReboot);
}

TEST_F(HuaweiSdkSignatureTest, ListServersDetails) {
  ASSERT_TRUE(Client()->Describe(kRegion, two_ids_).ok());
  ExpectSameAsSdk(kDescribe);
}

}  // namespace
}  // namespace resetd::clients::huawei
