#include "clients/aliyun/acs3_signer.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace resetd::clients::aliyun {
namespace {

// Alibaba Cloud, "V3 request structure and signature" (the published
// example; PROVIDER-WIRE-NOTES.md §5 vector 3).
TEST(Acs3SignerTest, PublishedRunInstancesVector) {
  const Acs3Params params = {
      {"RegionId", "cn-shanghai"},
      {"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"}};
  const std::string query = Acs3CanonicalQuery(params);
  EXPECT_EQ(query,
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&"
            "RegionId=cn-shanghai");
  const Acs3Headers headers = {
      {"host", "ecs.cn-shanghai.aliyuncs.com"},
      {"x-acs-action", "RunInstances"},
      {"x-acs-version", "2014-05-26"},
      {"x-acs-date", "2023-10-26T10:22:32Z"},
      {"x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"},
      {"x-acs-content-sha256", kEmptyPayloadSha256},
  };
  Acs3Request request;
  request.canonical_query = query;
  request.headers = headers;
  EXPECT_EQ(Acs3StringToSign(request),
            "ACS3-HMAC-SHA256\n"
            "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
  EXPECT_EQ(
      Acs3Authorization("YourAccessKeyId", "YourAccessKeySecret", request),
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;"
      "x-acs-action;x-acs-content-sha256;x-acs-date;"
      "x-acs-signature-nonce;x-acs-version,Signature="
      "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
}

TEST(Acs3SignerTest, EncodesLikeTheSdk) {
  EXPECT_EQ(Acs3Encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(Acs3Encode("!'()*"), "%21%27%28%29%2A");
  EXPECT_EQ(Acs3Encode("a b+c/d=e&f:g"), "a%20b%2Bc%2Fd%3De%26f%3Ag");
  EXPECT_EQ(Acs3Encode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(Acs3Encode(std::string("\0\x7f\xff", 3)), "%00%7F%FF");
  EXPECT_EQ(Acs3Encode(R"(["i-1","i-2"])"), "%5B%22i-1%22%2C%22i-2%22%5D");
}

TEST(Acs3SignerTest, CanonicalQuerySortsByNameStablyAndKeepsEmptyValues) {
  const Acs3Params params = {{"b", "2"},
                             {"a", ""},
                             {"InstanceId.2", "y"},
                             {"InstanceId.1", "x"},
                             {"b", "1"}};
  EXPECT_EQ(Acs3CanonicalQuery(params),
            "InstanceId.1=x&InstanceId.2=y&a=&b=2&b=1");
  EXPECT_EQ(Acs3CanonicalQuery({}), "");
}

TEST(Acs3SignerTest, SignsHostContentTypeAndAcsHeadersOnly) {
  const Acs3Headers headers = {
      {"Host", "ecs.aliyuncs.com:8443"},
      {"X-Acs-Action", "StopInstances"},
      {"Content-Type", "  application/x-www-form-urlencoded "},
      {"Accept", "application/json"},
      {"User-Agent", "resetd"},
      {"x-acs-b", "2"},
      {"x-acs-b", "1"},
  };
  Acs3Request request;
  request.canonical_query = "A=1";
  request.headers = headers;
  EXPECT_EQ(Acs3SignedHeaders(headers),
            "content-type;host;x-acs-action;x-acs-b");
  EXPECT_EQ(Acs3CanonicalRequest(request),
            "POST\n/\nA=1\n"
            "content-type:application/x-www-form-urlencoded\n"
            "host:ecs.aliyuncs.com:8443\n"
            "x-acs-action:StopInstances\n"
            "x-acs-b:1,2\n\n"
            "content-type;host;x-acs-action;x-acs-b\n" +
                std::string(kEmptyPayloadSha256));
}

TEST(Acs3SignerTest, CanonicalUriFollowsTheSdk) {
  Acs3Request request;
  request.pathname = "/a+b*c%7Ed";
  EXPECT_EQ(Acs3CanonicalRequest(request).substr(0, 19),
            "POST\n/a%20b%2Ac~d\n\n");
}

TEST(Acs3SignerTest, SignatureDependsOnEverySignedPart) {
  const Acs3Headers base = {{"host", "h:1"}, {"x-acs-action", "A"}};
  Acs3Request request;
  request.canonical_query = "X=1";
  request.headers = base;
  const std::string signature = Acs3Signature("secret", request);
  EXPECT_EQ(signature.size(), 64u);

  const Acs3Headers other_port = {{"host", "h:2"}, {"x-acs-action", "A"}};
  Acs3Request changed = request;
  changed.headers = other_port;
  EXPECT_NE(Acs3Signature("secret", changed), signature);
  changed = request;
  changed.canonical_query = "X=2";
  EXPECT_NE(Acs3Signature("secret", changed), signature);
  EXPECT_NE(Acs3Signature("secret2", request), signature);
  // Unsigned headers do not matter.
  const Acs3Headers with_accept = {
      {"host", "h:1"}, {"x-acs-action", "A"}, {"accept", "x"}};
  changed = request;
  changed.headers = with_accept;
  EXPECT_EQ(Acs3Signature("secret", changed), signature);
}

}  // namespace
}  // namespace resetd::clients::aliyun
