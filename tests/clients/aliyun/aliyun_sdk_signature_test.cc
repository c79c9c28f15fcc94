// Our signer and client against what the official Alibaba Cloud Node SDK
// (@alicloud/ecs20140526 7.11.6 on @alicloud/openapi-core 1.0.8, default
// ACS3-HMAC-SHA256) sends for the same inputs. The fixture values below were
// printed by gen_sdk_signature_fixture.js (run it as its header says to
// regenerate them).
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "clients/aliyun/acs3_signer.h"
#include "clients/aliyun/aliyun_ecs_client.h"
#include "gtest/gtest.h"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::aliyun {
namespace {

constexpr char kAccessKeyId[] = "LTAI5tEXAMPLEaccessKeyId";
constexpr char kAccessKeySecret[] = "EXAMPLEaccessKeySecret0123456789";
constexpr char kEndpoint[] = "ecs.aliyuncs.com:43217";
constexpr char kDate[] = "2026-11-22T19:42:15Z";
constexpr char kNonce[] = "3156853299f313e23d1673dc12e1703d";
constexpr char kRegion[] = "cn-hangzhou";
constexpr char kSpecialPassword[] =
    "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/ \xc3\xa9"
    "A1";

struct SdkFixture {
  const char* action;
  const char* url;        // path and query as the SDK sent them
  const char* form;       // signature of setup "form" (resetd's header set)
  const char* plain;      // signature of setup "plain"
  const char* static_ak;  // signature of setup "static_ak"
};

// Printed by gen_sdk_signature_fixture.js.
const SdkFixture kReset = {
    "ModifyInstanceAttribute",
    "/?InstanceId=i-bp67acfmxazb4p0001&Password=Fake-Passw0rd!2024",
    "2ddb7e12edde2719ac56f0ab0aa9cbe5b4c5365ff7221c94f1ba732f7583a387",
    "5f04dd46a5f745f582eee81283d41423b2daaa0b3a8d4e9c0af76c54cf220c8a",
    "e0b8e8af301cb8ee4c2b3df8eb4ab38810e79a43d8a9d0f59b3ca0a134924203"};
const SdkFixture kResetSpecial = {
    "ModifyInstanceAttribute",
    "/?InstanceId=i-bp67acfmxazb4p0001&Password=()%60~!%40%23%24%25%5E%26*-_"
    "%2B%3D%7C%7B%7D%5B%5D%3A%3B%27%3C%3E%2C.%3F%2F%20%C3%A9A1",
    "339a1c4917873273c9f6cfeea094ebe8d6e280abf9c23e75f1214c1b0cba6eda",
    "16ff5db5f29d201232ca16fb768d4eea45328a311d18d78e736e4fbdbc01572c",
    "a1abefa77355c0867d41c671dfb364f46646d33e4431a5e1a1e47516a1416e47"};
const SdkFixture kVnc = {
    "ModifyInstanceVncPasswd",
    "/?InstanceId=i-bp67acfmxazb4p0001&RegionId=cn-hangzhou&VncPassword=Ab12cD",
    "2d5a7aec66c5ffe57d8beda734640cd6538fc1a441f2dc1b4ad2a5fda2c6c576",
    "2cc36693af4b9f80a6eb4548339808af97b1431a05a27b8b717df11f014a6e3e",
    "811b2fd8e257c452e3a309ac18fbc99e8713ab72af0fd7928d7d200ea9348b86"};
const SdkFixture kStop = {
    "StopInstances",
    "/?BatchOptimization=SuccessFirst&ForceStop=false&InstanceId.1=i-"
    "bp67acfmxazb4p0001&InstanceId.2=i-bp67acfmxazb4p0002&RegionId=cn-"
    "hangzhou&StoppedMode=KeepCharging",
    "7be950334caf20e2025b693dc9765fba2cfba8a1d6249428309df26f5d748fc6",
    "88510eaefa49d699fae1e85e2fa51b3fbfa4ee31f6689c8617d3b63c912f9d0c",
    "d6c67daebc7370a6c5b5fc52b479e3d065c1e4e28c44dfdda89e884297b911c7"};
const SdkFixture kForceStop = {
    "StopInstances",
    "/?BatchOptimization=SuccessFirst&ForceStop=true&InstanceId.1=i-"
    "bp67acfmxazb4p0001&RegionId=cn-hangzhou&StoppedMode=KeepCharging",
    "0a4100d2d2eab07f146f776d20e666c605b39b6dc80bfc5ed053af6ab46c59c9",
    "fe6e4f5c0f21e04393e20cb1e969f6ee69bc6ba9ca6d327d8d812b725438e96a",
    "b5f8906b2ab28d87c10dabc634defbf18675bd8f49e95245f3291ca994b6855e"};
const SdkFixture kStart = {
    "StartInstances",
    "/?BatchOptimization=SuccessFirst&InstanceId.1=i-bp67acfmxazb4p0001&"
    "InstanceId.2=i-bp67acfmxazb4p0002&RegionId=cn-hangzhou",
    "173c9b92356a66eb4111d2c0650fda8fa0908c75e9df4c728d1b4ae253fe30d8",
    "519616eaecb9094db61625cadbafbaa7624e7fab0427993f168822f2e3ab8f67",
    "8eb09e072cfb72507eaba9eea3cff884e13bad9440be884a17fb802583440dd6"};
const SdkFixture kReboot = {
    "RebootInstances",
    "/?BatchOptimization=SuccessFirst&ForceReboot=true&InstanceId.1=i-"
    "bp67acfmxazb4p0001&InstanceId.2=i-bp67acfmxazb4p0002&RegionId=cn-"
    "hangzhou",
    "5ac700b1ac7d7866ef0d0a12030f3704c6de94e0198bf41e92862ded1f0294ad",
    "3d4318b56112410da4e0e0f2d8dbdf7c05de0a278eb671cdc9f30ced618b5462",
    "cda5d744caa49a4593075ffc47780f530881df1fd878e98301c0999bf107a027"};
const SdkFixture kDescribe = {
    "DescribeInstances",
    "/?InstanceIds=%5B%22i-bp67acfmxazb4p0001%22%2C%22i-bp67acfmxazb4p0002%"
    "22%5D&MaxResults=100&RegionId=cn-hangzhou",
    "ed315969c08deb656a9b757ede5c0003efe4a355f15a720c835a4c2df5aa8697",
    "c395f6e15ae4ac5aeaad773435ed2da101d4d86f33dd319d3acf6a2c0c74ce18",
    "09c912cc1cd12537b38d44068bf96a0ba7f8b1cbcc51ac52e0b14dca65224e4a"};

const SdkFixture* const kAll[] = {&kReset,  &kResetSpecial, &kVnc,
                                  &kStop,   &kForceStop,    &kStart,
                                  &kReboot, &kDescribe};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The decoded parameters of "/?k=v&..." as the SDK's wire form has them
// (querystring.stringify: %XX escapes, some characters left raw).
Acs3Params DecodeQuery(std::string_view url) {
  Acs3Params params;
  std::string_view query = url.substr(url.find('?') + 1);
  auto decode = [](std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
          HexValue(s[i + 2]) >= 0) {
        out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    params.emplace_back(decode(pair.substr(0, eq)),
                        decode(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

std::string Authorization(const std::string& signed_headers,
                          const std::string& signature) {
  return "ACS3-HMAC-SHA256 Credential=" + std::string(kAccessKeyId) +
         ",SignedHeaders=" + signed_headers + ",Signature=" + signature;
}

Acs3Headers SdkHeaders(const SdkFixture& sdk, bool content_type,
                       bool credentials_provider) {
  Acs3Headers headers = {
      {"host", kEndpoint},
      {"x-acs-version", "2014-05-26"},
      {"x-acs-action", sdk.action},
      {"x-acs-date", kDate},
      {"x-acs-signature-nonce", kNonce},
      {"x-acs-content-sha256", kEmptyPayloadSha256},
  };
  if (content_type) {
    headers.emplace_back("content-type", "application/x-www-form-urlencoded");
  }
  if (credentials_provider) {
    headers.emplace_back("x-acs-credentials-provider", "static_ak");
  }
  return headers;
}

std::string SignLikeSdk(const SdkFixture& sdk, const Acs3Headers& headers) {
  const std::string query = Acs3CanonicalQuery(DecodeQuery(sdk.url));
  Acs3Request request;
  request.canonical_query = query;
  request.headers = headers;
  return Acs3Authorization(kAccessKeyId, kAccessKeySecret, request);
}

// The signer alone, over the SDK's wire query and headers, in all three
// set-ups (incl. the SDK's own x-acs-credentials-provider header).
TEST(AliyunSdkSignatureTest, SignerMatchesEverySdkRequest) {
  for (const SdkFixture* sdk : kAll) {
    SCOPED_TRACE(sdk->url);
    EXPECT_EQ(SignLikeSdk(*sdk, SdkHeaders(*sdk, true, false)),
              Authorization("content-type;host;x-acs-action;"
                            "x-acs-content-sha256;x-acs-date;"
                            "x-acs-signature-nonce;x-acs-version",
                            sdk->form));
    EXPECT_EQ(SignLikeSdk(*sdk, SdkHeaders(*sdk, false, false)),
              Authorization("host;x-acs-action;x-acs-content-sha256;"
                            "x-acs-date;x-acs-signature-nonce;x-acs-version",
                            sdk->plain));
    EXPECT_EQ(SignLikeSdk(*sdk, SdkHeaders(*sdk, false, true)),
              Authorization("host;x-acs-action;x-acs-content-sha256;"
                            "x-acs-credentials-provider;x-acs-date;"
                            "x-acs-signature-nonce;x-acs-version",
                            sdk->static_ak));
  }
}

class FixedClock final : public resetd::Clock {
 public:
  absl::Time Now() const override {
    absl::Time t;
    std::string error;
    absl::ParseTime(absl::RFC3339_full, kDate, &t, &error);
    return t;
  }
};

// The whole client: same parameters and the same Authorization as the SDK.
class AliyunSdkClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AliyunEcsOptions options;
    options.endpoint = kEndpoint;
    options.scheme = "http";
    options.access_key_id = kAccessKeyId;
    options.access_key_secret = Secret(kAccessKeySecret);
    options.clock = &clock_;
    options.nonce = [] { return std::string(kNonce); };
    client_ = MakeAliyunEcsClient(std::move(options), transport_);
    transport_->Push(
        http::JsonResponse(R"({"RequestId":"r","Instances":{"Instance":[]}})"));
  }

  void ExpectSameAsSdk(const SdkFixture& sdk) {
    ASSERT_EQ(transport_->request_count(), 1u);
    const http::HttpRequest r = transport_->requests().back();
    const std::string prefix = std::string("http://") + kEndpoint;
    ASSERT_EQ(r.url.substr(0, prefix.size()), prefix);
    std::map<std::string, std::string> ours, theirs;
    for (auto& [k, v] : DecodeQuery(r.url.substr(prefix.size()))) ours[k] = v;
    for (auto& [k, v] : DecodeQuery(sdk.url)) theirs[k] = v;
    EXPECT_EQ(ours, theirs);
    std::string authorization;
    for (const auto& [name, value] : r.headers) {
      if (name == "Authorization") authorization = value;
    }
    EXPECT_EQ(authorization,
              Authorization("content-type;host;x-acs-action;"
                            "x-acs-content-sha256;x-acs-date;"
                            "x-acs-signature-nonce;x-acs-version",
                            sdk.form));
  }

  const std::vector<std::string> two_ids_ = {"i-bp67acfmxazb4p0001",
                                             "i-bp67acfmxazb4p0002"};
  const std::vector<std::string> one_id_ = {"i-bp67acfmxazb4p0001"};
  FixedClock clock_;
  std::shared_ptr<http::ScriptedTransport> transport_ =
      std::make_shared<http::ScriptedTransport>();
  std::unique_ptr<CloudClient> client_;
};

TEST_F(AliyunSdkClientTest, ModifyInstanceAttribute) {
  ResetPasswordParams params;
  params.password = Secret("Fake-Passw0rd!2024");
  ASSERT_TRUE(client_->ResetPassword(kRegion, one_id_, params).ok());
  ExpectSameAsSdk(kReset);
}

TEST_F(AliyunSdkClientTest, ModifyInstanceAttributeWithEverySpecialCharacter) {
  ResetPasswordParams params;
  params.password = Secret(kSpecialPassword);
  ASSERT_TRUE(client_->ResetPassword(kRegion, one_id_, params).ok());
  ExpectSameAsSdk(kResetSpecial);
}

TEST_F(AliyunSdkClientTest, ModifyInstanceVncPasswd) {
  ASSERT_TRUE(
      client_->ResetVncPassword(kRegion, one_id_, Secret("Ab12cD")).ok());
  ExpectSameAsSdk(kVnc);
}

TEST_F(AliyunSdkClientTest, StopInstances) {
  ASSERT_TRUE(client_->Stop(kRegion, two_ids_, StopMode::kSoft).ok());
  ExpectSameAsSdk(kStop);
}

TEST_F(AliyunSdkClientTest, ForceStopInstances) {
  ASSERT_TRUE(client_->Stop(kRegion, one_id_, StopMode::kForce).ok());
  ExpectSameAsSdk(kForceStop);
}

TEST_F(AliyunSdkClientTest, StartInstances) {
  ASSERT_TRUE(client_->Start(kRegion, two_ids_).ok());
  ExpectSameAsSdk(kStart);
}

TEST_F(AliyunSdkClientTest, RebootInstances) {
  ASSERT_TRUE(client_->Reboot(kRegion, two_ids_, StopMode::kForce).ok());
  ExpectSameAsSdk(kReboot);
}

TEST_F(AliyunSdkClientTest, DescribeInstances) {
  ASSERT_TRUE(client_->Describe(kRegion, two_ids_).ok());
  ExpectSameAsSdk(kDescribe);
}

}  // namespace
}  // namespace resetd::clients::aliyun
