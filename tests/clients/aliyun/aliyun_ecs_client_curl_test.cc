// The client over the real libcurl transport against an in-process server
// (port 0) that verifies ACS3 signatures the way Alibaba's gateway does:
// from the SignedHeaders list, the decoded and re-canonicalised query and
// the body. Proves that what libcurl puts on the wire (its own headers
// included) is fully signed and that host:port is signed as sent.
#include <cctype>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "clients/aliyun/acs3_signer.h"
#include "clients/aliyun/aliyun_ecs_client.h"
#include "clients/http/curl_transport.h"
#include "common/crypto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace resetd::clients::aliyun {
namespace {

constexpr char kAccessKeyId[] = "LTAI5tEXAMPLEaccessKeyId";
constexpr char kAccessKeySecret[] = "EXAMPLEaccessKeySecret0123456789";

struct Seen {
  std::string action;
  std::string password;  // decoded Password parameter
  bool signature_ok = false;
  std::string problem;
};

// Alibaba's check: recompute over the signed headers; every sent header that
// must be signed is signed.
Seen Verify(const httplib::Request& req) {
  Seen seen;
  seen.action = req.get_header_value("x-acs-action");
  seen.password = req.get_param_value("Password");
  const std::string auth = req.get_header_value("Authorization");
  const size_t sh = auth.find(",SignedHeaders=");
  const size_t sg = auth.find(",Signature=");
  if (auth.rfind("ACS3-HMAC-SHA256 Credential=", 0) != 0 ||
      sh == std::string::npos || sg == std::string::npos) {
    seen.problem = "malformed Authorization";
    return seen;
  }
  const std::string names = auth.substr(sh + 15, sg - sh - 15);
  Acs3Headers headers;
  for (size_t begin = 0; begin <= names.size();) {
    size_t end = names.find(';', begin);
    if (end == std::string::npos) end = names.size();
    const std::string name = names.substr(begin, end - begin);
    headers.emplace_back(name, req.get_header_value(name));
    begin = end + 1;
  }
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    for (char& c : lower) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const bool must_sign = lower == "host" || lower == "content-type" ||
                           lower.rfind("x-acs-", 0) == 0;
    if (must_sign &&
        (";" + names + ";").find(";" + lower + ";") == std::string::npos) {
      seen.problem = "unsigned header " + lower;
    }
    if (lower == "content-type" && req.get_header_value_count(name) != 1) {
      seen.problem = "content-type sent twice";
    }
  }
  Acs3Params params(req.params.begin(), req.params.end());
  const std::string query = Acs3CanonicalQuery(params);
  const std::string body_hash = Sha256Hex(req.body);
  Acs3Request sign;
  sign.method = req.method;
  sign.pathname = req.path;
  sign.canonical_query = query;
  sign.headers = headers;
  sign.hashed_payload = body_hash;
  seen.signature_ok =
      auth.substr(sg + 11) == Acs3Signature(kAccessKeySecret, sign) &&
      req.get_header_value("x-acs-content-sha256") == body_hash;
  return seen;
}

class AliyunCurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Post(
        "/", [this](const httplib::Request& req, httplib::Response& res) {
          Seen seen = Verify(req);
          {
            absl::MutexLock lock(&mu_);
            seen_.push_back(std::move(seen));
          }
          res.set_content(R"({"RequestId":"req-curl"})", "application/json");
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
    AliyunEcsOptions options;
    options.endpoint = "127.0.0.1:" + std::to_string(port_);
    options.scheme = "http";
    options.access_key_id = kAccessKeyId;
    options.access_key_secret = Secret(kAccessKeySecret);
    client_ =
        MakeAliyunEcsClient(std::move(options), http::MakeCurlTransport());
  }
  void TearDown() override {
    client_.reset();  // closes the kept-alive connection first
    server_.stop();
    thread_.join();
  }
  std::vector<Seen> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<CloudClient> client_;
  absl::Mutex mu_;
  std::vector<Seen> seen_ ABSL_GUARDED_BY(mu_);
};

TEST_F(AliyunCurlTest, EveryActionVerifiesOnTheWire) {
  const std::vector<std::string> ids = {"i-bp67acfmxazb4p0001",
                                        "i-bp67acfmxazb4p0002"};
  const std::vector<std::string> one = {ids[0]};
  const std::string password = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/ A1a";
  ResetPasswordParams params;
  params.password = Secret(password);
  auto reset = client_->ResetPassword("cn-hangzhou", one, params);
  ASSERT_TRUE(reset.ok()) << reset.status();
  EXPECT_EQ(reset->request_id, "req-curl");
  ASSERT_TRUE(
      client_->ResetVncPassword("cn-hangzhou", one, Secret("Ab12cD")).ok());
  ASSERT_TRUE(client_->Stop("cn-hangzhou", ids, StopMode::kForce).ok());
  ASSERT_TRUE(client_->Start("cn-hangzhou", ids).ok());
  ASSERT_TRUE(client_->Reboot("cn-hangzhou", ids, StopMode::kSoft).ok());
  // No Instances in the answer: an error, but the request was verified.
  EXPECT_FALSE(client_->Describe("cn-hangzhou", ids).ok());

  const std::vector<Seen> all = seen();
  ASSERT_EQ(all.size(), 6u);
  const char* actions[] = {"ModifyInstanceAttribute", "ModifyInstanceVncPasswd",
                           "StopInstances",           "StartInstances",
                           "RebootInstances",         "DescribeInstances"};
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].action, actions[i]);
    EXPECT_TRUE(all[i].signature_ok) << actions[i];
    EXPECT_EQ(all[i].problem, "") << actions[i];
  }
  EXPECT_EQ(all[0].password, password);
}

}  // namespace
}  // namespace resetd::clients::aliyun
