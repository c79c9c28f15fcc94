#include "fakecloud/tc3_verifier.h"

#include <map>
#include <string>

#include "clients/tencent/tc3_signer.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakecloud/test_util.h"

namespace resetd::fakecloud {
namespace {

namespace tc3 = ::resetd::clients::tencent;
using resetd::testing::FakeClock;
using testing::kTestSecretId;
using testing::kTestSecretKey;

class Tc3VerifierTest : public ::testing::Test {
 protected:
  Tc3VerifierTest() : verifier_(Keys(), clock_, absl::Seconds(300)) {}

  static std::map<std::string, Secret> Keys() {
    std::map<std::string, Secret> keys;
    keys.emplace(kTestSecretId, Secret(kTestSecretKey));
    keys.emplace("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                 Secret("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"));
    return keys;
  }

  // Verifies `r` (an ApiRequest) and returns "" or the error code.
  std::string Check(const ApiRequest& r) {
    SignedRequest s{r.method, r.query, r.body, &r.headers};
    std::string id;
    auto error = verifier_.Verify(s, &id);
    return error ? error->code : "";
  }

  ApiRequest Signed(const std::string& body = "{}") {
    return testing::SignedRequest("DescribeInstances", body, clock_.Now());
  }

  FakeClock clock_;
  Tc3Verifier verifier_;
};

TEST_F(Tc3VerifierTest, AcceptsTheProductSignerWithPortInHost) {
  EXPECT_EQ(Check(Signed()), "");
}

TEST_F(Tc3VerifierTest, AcceptsThePublishedTencentVector) {
  FakeClock at(absl::FromUnixSeconds(1551113065));
  Tc3Verifier verifier(Keys(), at, absl::Seconds(300));
  std::map<std::string, std::string> headers = {
      {"host", "cvm.tencentcloudapi.com"},
      {"content-type", "application/json; charset=utf-8"},
      {"x-tc-timestamp", "1551113065"},
      {"authorization",
       "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/"
       "2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, "
       "Signature="
       "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"}};
  std::string body =
      R"({"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]})";
  std::string id;
  EXPECT_FALSE(verifier.Verify({"POST", "", body, &headers}, &id).has_value());
  EXPECT_EQ(id, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
}

TEST_F(Tc3VerifierTest, RejectsWrongKeyAndTamperedBody) {
  ApiRequest wrong = testing::SignedRequest(
      "DescribeInstances", "{}", clock_.Now(), "ap-guangzhou", "another-key");
  EXPECT_EQ(Check(wrong), "AuthFailure.SignatureFailure");
  ApiRequest tampered = Signed(R"({"Limit":1})");
  tampered.body = R"({"Limit":2})";
  EXPECT_EQ(Check(tampered), "AuthFailure.SignatureFailure");
}

TEST_F(Tc3VerifierTest, ActionAndRegionAreNotSignedByDefault) {
  ApiRequest r = Signed();
  r.headers["x-tc-action"] = "StopInstances";  // as the Node SDK allows
  EXPECT_EQ(Check(r), "");
}

TEST_F(Tc3VerifierTest, ExpiresBeyondTheSkew) {
  ApiRequest r = Signed();
  clock_.Advance(absl::Seconds(300));
  EXPECT_EQ(Check(r), "");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Check(r), "AuthFailure.SignatureExpire");
  ApiRequest future = testing::SignedRequest("DescribeInstances", "{}",
                                             clock_.Now() + absl::Seconds(301));
  EXPECT_EQ(Check(future), "AuthFailure.SignatureExpire");
}

TEST_F(Tc3VerifierTest, UnknownSecretId) {
  ApiRequest r = testing::SignedRequest("DescribeInstances", "{}", clock_.Now(),
                                        "ap-guangzhou", kTestSecretKey,
                                        "AKIDnobodyEXAMPLE");
  EXPECT_EQ(Check(r), "AuthFailure.SecretIdNotFound");
}

TEST_F(Tc3VerifierTest, MissingOrMalformedAuthorization) {
  ApiRequest r = Signed();
  r.headers.erase("authorization");
  EXPECT_EQ(Check(r), "AuthFailure.InvalidAuthorization");
  r.headers["authorization"] = "HMAC-SHA1 foo";
  EXPECT_EQ(Check(r), "AuthFailure.InvalidAuthorization");
  r.headers["authorization"] =
      "TC3-HMAC-SHA256 Credential=AKID/2026-01-01/cvm, SignedHeaders=host, "
      "Signature=00";
  EXPECT_EQ(Check(r), "AuthFailure.InvalidAuthorization");
  r = Signed();
  r.headers.erase("x-tc-timestamp");
  EXPECT_EQ(Check(r), "MissingParameter");
}

TEST_F(Tc3VerifierTest, ScopeMustBeCvmAndTheTimestampsDate) {
  const int64_t ts = absl::ToUnixSeconds(clock_.Now());
  ApiRequest r = Signed();
  tc3::Tc3Request req{"POST", "", "application/json", testing::kHost, r.body,
                      "127",  ts};
  r.headers["authorization"] =
      tc3::Tc3Authorization(kTestSecretId, kTestSecretKey, req);
  EXPECT_EQ(Check(r), "AuthFailure.SignatureFailure");
  std::string& auth = r.headers["authorization"];
  auth = Signed().headers["authorization"];
  size_t date = auth.find(tc3::Tc3Date(ts));
  auth.replace(date, 10, "2001-01-01");
  EXPECT_EQ(Check(r), "AuthFailure.SignatureFailure");
}

TEST_F(Tc3VerifierTest, GetRequestsSignTheQuery) {
  const int64_t ts = absl::ToUnixSeconds(clock_.Now());
  ApiRequest r = Signed("");
  r.method = "GET";
  r.query = "InstanceIds.0=ins-aaaaaaaa&Limit=1";
  r.headers["content-type"] = "application/x-www-form-urlencoded";
  tc3::Tc3Request req{
      "GET", r.query, "application/x-www-form-urlencoded", testing::kHost, "",
      "cvm", ts};
  r.headers["authorization"] =
      tc3::Tc3Authorization(kTestSecretId, kTestSecretKey, req);
  EXPECT_EQ(Check(r), "");
  r.query = "InstanceIds.0=ins-bbbbbbbb&Limit=1";
  EXPECT_EQ(Check(r), "AuthFailure.SignatureFailure");
}

TEST_F(Tc3VerifierTest, ExtraSignedHeadersAreVerifiedInOrder) {
  const int64_t ts = absl::ToUnixSeconds(clock_.Now());
  ApiRequest r = Signed();
  SignedRequest view{r.method, r.query, r.body, &r.headers};
  // The general path agrees with the product signer on content-type;host.
  tc3::Tc3Request req{"POST", "", "application/json", testing::kHost, r.body,
                      "cvm",  ts};
  EXPECT_EQ(
      ComputeTc3Signature(view, "content-type;host", "cvm", ts, kTestSecretKey),
      tc3::Tc3Signature(kTestSecretKey, req));
  std::string sig = *ComputeTc3Signature(view, "content-type;host;x-tc-action",
                                         "cvm", ts, kTestSecretKey);
  r.headers["authorization"] =
      "TC3-HMAC-SHA256 Credential=" + std::string(kTestSecretId) + "/" +
      tc3::Tc3Date(ts) +
      "/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, "
      "Signature=" +
      sig;
  EXPECT_EQ(Check(r), "");
  r.headers["x-tc-action"] = "StopInstances";  // now it is signed
  EXPECT_EQ(Check(r), "AuthFailure.SignatureFailure");
}

TEST(ParseTc3AuthorizationTest, Parts) {
  auto auth = ParseTc3Authorization(
      "TC3-HMAC-SHA256 Credential=AKIDx/2026-11-22/cvm/tc3_request, "
      "SignedHeaders=content-type;host, Signature=abc");
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->secret_id, "AKIDx");
  EXPECT_EQ(auth->date, "2026-11-22");
  EXPECT_EQ(auth->service, "cvm");
  EXPECT_EQ(auth->signed_headers, "content-type;host");
  EXPECT_EQ(auth->signature, "abc");
}

}  // namespace
}  // namespace resetd::fakecloud
