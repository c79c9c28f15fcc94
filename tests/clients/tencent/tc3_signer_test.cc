#include "clients/tencent/tc3_signer.h"

#include "gtest/gtest.h"

namespace resetd::clients::tencent {
namespace {

// Vector 1 of PROVIDER-WIRE-NOTES §5: Tencent's "签名方法 v3" document example,
// also reproduced by the official Node SDK's Sign.sign3.
TEST(Tc3SignerTest, MatchesPublishedDocumentVector) {
  Tc3Request r;
  r.method = "POST";
  r.content_type = "application/json; charset=utf-8";
  r.host = "cvm.tencentcloudapi.com";
  r.payload =
      R"({"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]})";
  r.service = "cvm";
  r.timestamp = 1551113065;
  EXPECT_EQ(Tc3Date(r.timestamp), "2019-02-25");
  EXPECT_EQ(Tc3Signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", r),
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
  EXPECT_EQ(
      Tc3Authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                       "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", r),
      "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/"
      "2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, "
      "Signature="
      "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
}

TEST(Tc3SignerTest, CanonicalRequestHasSdkShape) {
  Tc3Request r;
  r.content_type = "application/json";
  r.host = "cvm.tencentcloudapi.com";
  r.payload = "{}";
  r.service = "cvm";
  r.timestamp = 1795376535;
  EXPECT_EQ(Tc3CanonicalRequest(r),
            "POST\n/\n\ncontent-type:application/json\nhost:cvm."
            "tencentcloudapi.com\n\ncontent-type;host\n"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
}

TEST(Tc3SignerTest, AnyChangeOfSignedPartsChangesSignature) {
  Tc3Request r;
  r.content_type = "application/json";
  r.host = "cvm.tencentcloudapi.com";
  r.payload = R"({"InstanceIds":["ins-1"]})";
  r.service = "cvm";
  r.timestamp = 1795376535;
  const std::string base = Tc3Signature("key", r);
  Tc3Request other = r;
  other.payload = R"({"InstanceIds":["ins-2"]})";
  EXPECT_NE(Tc3Signature("key", other), base);
  other = r;
  other.timestamp += 1;
  EXPECT_NE(Tc3Signature("key", other), base);
  EXPECT_NE(Tc3Signature("key2", r), base);
}

}  // namespace
}  // namespace resetd::clients::tencent
