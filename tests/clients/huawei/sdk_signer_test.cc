// SDK-HMAC-SHA256 against Huawei's published vectors
// (shared/reference/PROVIDER-WIRE-NOTES.md §5, vectors #7 and #8) and the
// encoding rules of AKSKSigner.js.
#include "clients/huawei/sdk_signer.h"

#include <string>

#include "absl/time/time.h"
#include "common/crypto.h"
#include "gtest/gtest.h"

namespace resetd::clients::huawei {
namespace {

// Vector #7: huaweicloud-sdk-java-v3 core/src/test/java/com/huaweicloud/sdk/
// core/TestAKSKSigner.java.
TEST(SdkSignerTest, JavaSdkVector) {
  SdkRequest r;
  r.method = "GET";
  r.path = "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs";
  r.query = {{"limit", "2"},
             {"marker", "13551d6b-755d-4757-b956-536f674975c0"}};
  r.headers = {{"Content-Type", "application/json"},
               {"Host", "service.region.example.com"},
               {"X-Sdk-Date", "20191115T033655Z"}};
  EXPECT_EQ(SdkAuthorization("QTWAOYTTINDUT2QVKYUC",
                             "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", r),
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, "
            "SignedHeaders=content-type;host;x-sdk-date, "
            "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6"
            "870f4f6ebe");
}

// Vector #8: Huawei's APIG signer Python unit test (test_CanonicalRequest).
TEST(SdkSignerTest, ApigPythonCanonicalRequestVector) {
  SdkRequest r;
  r.method = "POST";
  r.path = "/app1";
  r.query = {{"a", "1"}};
  r.headers = {{"x-stage", "RELEASE"}};
  r.payload = "body";
  EXPECT_EQ(SdkCanonicalRequest(r),
            "POST\n/app1/\na=1\nx-stage:RELEASE\n\nx-stage\n"
            "230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5");
}

// Vector #8 (test_StringToSign): its canonical request literal is an
// indented Python triple-quoted string, hashed as it is.
TEST(SdkSignerTest, ApigPythonStringToSignVector) {
  const std::string indent(12, ' ');
  const std::string canonical =
      "POST\n" + indent + "/app1%3Fa%3D1/\n" + indent + "a=1\n" + indent +
      "host:30030113-3657-4fb6-a7ef-90764239b038.apigw.cn-north-1."
      "huaweicloud.com\n" +
      indent + "x-sdk-date:20240326T030801Z\n" + indent + "x-stage:RELEASE\n" +
      indent + "\n" + indent + "host;x-sdk-date;x-stage\n" + indent +
      "230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5";
  EXPECT_EQ(SdkStringToSign(canonical, "20240326T030801Z"),
            "SDK-HMAC-SHA256\n20240326T030801Z\n"
            "5847720941657701137ad8098b63585092cea7d982e14b2efd0a668460f2da2a");
  // test_SignStringToSign: the signature is a plain hex HMAC-SHA256.
  EXPECT_EQ(HexEncode(HmacSha256("abc", "abc")),
            "2f02e24ae2e1fe880399f27600afa88364e6062bf9bbe114b32fa8f23d03608a");
}

TEST(SdkSignerTest, CanonicalUriAlwaysEndsInSlash) {
  EXPECT_EQ(SdkCanonicalUri("/v1/p/cloudservers/action"),
            "/v1/p/cloudservers/action/");
  EXPECT_EQ(SdkCanonicalUri("/v1/p/cloudservers/"), "/v1/p/cloudservers/");
  EXPECT_EQ(SdkCanonicalUri("/"), "/");
  EXPECT_EQ(SdkCanonicalUri(""), "/");
}

TEST(SdkSignerTest, CanonicalUriEncodesSegmentsLikeEncodeUriComponent) {
  // encodeURIComponent keeps ! * ' ( ) and re-encodes an already encoded %.
  EXPECT_EQ(SdkCanonicalUri("/a b/!*'()/x%2Cy/\xc3\xa9"),
            "/a%20b/!*'()/x%252Cy/%C3%A9/");
}

TEST(SdkSignerTest, UrlEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(SdkUrlEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(SdkUrlEncode("id1,id2"), "id1%2Cid2");
  EXPECT_EQ(SdkUrlEncode("!*'() /+=&"), "%21%2A%27%28%29%20%2F%2B%3D%26");
  EXPECT_EQ(SdkUrlEncode("\xc3\xa9"), "%C3%A9");
}

TEST(SdkSignerTest, CanonicalQuerySortsKeysAndRepeatedValues) {
  EXPECT_EQ(SdkCanonicalQuery({{"b", "2"}, {"a", "z"}, {"a", "y,x"}}),
            "a=y%2Cx&a=z&b=2");
  EXPECT_EQ(SdkCanonicalQuery({}), "");
}

TEST(SdkSignerTest, HeadersAreSortedByLowerCaseNameWithValuesVerbatim) {
  SdkPairs headers = {{"X-Sdk-Date", "20261122T194216Z"},
                      {"Host", "127.0.0.1:43217"},
                      {"X-Project-Id", "p1"},
                      {"Content-Type", "application/json"}};
  EXPECT_EQ(SdkSignedHeaders(headers),
            "content-type;host;x-project-id;x-sdk-date");
  SdkRequest r;
  r.method = "GET";
  r.path = "/v1/p1/cloudservers/detail";
  r.headers = headers;
  EXPECT_EQ(SdkCanonicalRequest(r),
            "GET\n/v1/p1/cloudservers/detail/\n\n"
            "content-type:application/json\nhost:127.0.0.1:43217\n"
            "x-project-id:p1\nx-sdk-date:20261122T194216Z\n\n"
            "content-type;host;x-project-id;x-sdk-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SdkSignerTest, SignatureIsHmacOfStringToSignWithDateFromHeaders) {
  SdkRequest r;
  r.method = "PUT";
  r.path = "/v1/p1/cloudservers/s1/os-reset-password";
  r.headers = {{"X-Sdk-Date", "20261122T194216Z"}, {"Host", "h"}};
  r.payload = R"({"reset-password":{"new_password":"x"}})";
  const std::string to_sign =
      SdkStringToSign(SdkCanonicalRequest(r), "20261122T194216Z");
  EXPECT_EQ(SdkSignature("sk", r), HexEncode(HmacSha256("sk", to_sign)));
  EXPECT_EQ(SdkAuthorization("ak", "sk", r),
            "SDK-HMAC-SHA256 Access=ak, SignedHeaders=host;x-sdk-date, "
            "Signature=" +
                SdkSignature("sk", r));
}

TEST(SdkSignerTest, SdkDateIsCompactUtc) {
  EXPECT_EQ(SdkDate(absl::FromUnixSeconds(1795376536)), "20261122T194216Z");
  EXPECT_EQ(SdkDate(absl::FromUnixSeconds(0)), "19700101T000000Z");
}

}  // namespace
}  // namespace resetd::clients::huawei
