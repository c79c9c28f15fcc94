// End to end with transport security and access control: resetd serves
// gRPC over mTLS only (certificates made with openssl by
// tests/pki/make_test_pki.sh), identifies callers by their certificate or a
// bearer token, decides by role bindings, and keeps an audit trail. One job
// runs for real against fakecloud; the audit file must agree with
// fakecloud's own call log, and no password, token or key may appear in the
// audit file, the logs or the metrics.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/synchronization/notification.h"
#include "common/crypto.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "resetd/v1/reset_service.grpc.pb.h"
#include "tests/e2e/harness.h"
#include "tests/util/status_details.h"

namespace resetd {
namespace {

using nlohmann::json;
using resetd::testing::FakeCloud;
using resetd::testing::Resetd;
using resetd::v1::PasswordResetService;

constexpr char kPassword[] = "Secure-E2e-Passw0rd!";
constexpr char kSecretId[] = "AKIDsecureE2Eid";
constexpr char kSecretKey[] = "secure-e2e-secret-key";
constexpr char kViewerToken[] = "tok-viewer-7Qm2-not-for-logs";
constexpr char kAlice[] = "spiffe://resetd.test/ns/ops/sa/alice";
constexpr int kInstances = 12;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SecureE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(resetd::testing::MakeTempDir("resetd-secure"));
    const std::string pki = *dir_ + "/pki";
    ASSERT_EQ(std::system(("bash " + std::string(RESETD_PKI_SCRIPT) + " " +
                           pki + " >/dev/null 2>&1")
                              .c_str()),
              0);
    std::ofstream(*dir_ + "/tokens")
        << Sha256Hex(kViewerToken) << " ci-viewer\n";
    const std::map<std::string, std::string> env = {
        {"TENCENTCLOUD_SECRET_ID", kSecretId},
        {"TENCENTCLOUD_SECRET_KEY", kSecretKey}};
    cloud_ = new FakeCloud(
        {"--instances", std::to_string(kInstances), "--running-fraction", "0.5",
         "--forbidden", "0", "--seed", "77", "--transition-ms", "100:300",
         "--reset-ms", "100:300"},
        env, *dir_);
    ASSERT_TRUE(cloud_->ok()) << cloud_->Output();
    json config = {{"grpcListen", "127.0.0.1:0"},
                   {"metricsListen", "127.0.0.1:0"},
                   {"healthListen", "127.0.0.1:0"},
                   {"tls",
                    {{"certFile", pki + "/server.crt"},
                     {"keyFile", pki + "/server.key"},
                     {"clientCaFile", pki + "/ca.crt"},
                     {"requireClientCert", true}}},
                   {"auth",
                    {{"tokensFile", *dir_ + "/tokens"},
                     {"bindings",
                      {{{"identities", {kAlice}},
                        {"role", "operator"},
                        {"providers", {"tencent"}}},
                       {{"identities", {"bob.ops.resetd.test", "ci-viewer"}},
                        {"role", "viewer"}}}}}},
                   {"audit", {{"file", *dir_ + "/audit.jsonl"}}},
                   {"providers",
                    {{{"name", "tencent"},
                      {"kind", "tencent_cvm"},
                      {"endpoint", cloud_->address()},
                      {"scheme", "http"},
                      {"regions", {"ap-guangzhou"}}}}},
                   {"engine", {{"lingerMs", 100}, {"pollIntervalMs", 200}}}};
    resetd_ = new Resetd(config, env, *dir_);
    ASSERT_TRUE(resetd_->Start(Tls("alice"))) << resetd_->Output();
  }

  static void TearDownTestSuite() {
    delete resetd_;
    delete cloud_;
  }

  static std::string Pki(const std::string& name) {
    return *dir_ + "/pki/" + name;
  }

  // mTLS client credentials trusting the test CA, with `who`'s certificate
  // ("" = none).
  static std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& who) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadAll(Pki("ca.crt"));
    if (!who.empty()) {
      o.pem_cert_chain = ReadAll(Pki(who + ".crt"));
      o.pem_private_key = ReadAll(Pki(who + ".key"));
    }
    return grpc::SslCredentials(o);
  }

  static std::unique_ptr<PasswordResetService::Stub> Stub(
      std::shared_ptr<grpc::ChannelCredentials> creds) {
    grpc::ChannelArguments args;
    args.SetInt("resetd.test.fresh", ++channels_);  // a connection of its own
    return PasswordResetService::NewStub(
        grpc::CreateCustomChannel(resetd_->grpc_address(), creds, args));
  }

  static v1::CreateResetJobRequest Request(const std::string& request_id,
                                           int first, int count) {
    v1::CreateResetJobRequest r;
    r.set_request_id(request_id);
    auto* t = r.add_targets();
    t->set_provider("tencent");
    t->set_region("ap-guangzhou");
    auto instances = cloud_->Instances();
    int i = 0;
    for (const auto& [id, record] : instances) {
      if (i >= first && i < first + count) t->add_instance_ids(id);
      ++i;
    }
    r.set_password(kPassword);
    return r;
  }

  static grpc::Status List(PasswordResetService::Stub& stub,
                           const std::string& token = "") {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    v1::ListResetJobsRequest req;
    v1::ListResetJobsResponse res;
    return stub.ListResetJobs(&ctx, req, &res);
  }

  static std::vector<json> AuditLines() {
    std::vector<json> out;
    std::istringstream in(ReadAll(*dir_ + "/audit.jsonl"));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(json::parse(line));
    }
    return out;
  }

  static inline std::string* dir_;
  static inline FakeCloud* cloud_;
  static inline Resetd* resetd_;
  static inline int channels_ = 0;
  static inline std::string* job_id_ = new std::string();
};

TEST_F(SecureE2eTest, OnlyClientsWithACertificateFromTheCaCanConnect) {
  EXPECT_EQ(List(*Stub(grpc::InsecureChannelCredentials())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(List(*Stub(Tls(""))).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(List(*Stub(Tls("mallory"))).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(List(*Stub(Tls("bob"))).ok());
  // Kubernetes' probes: plaintext health on its own port.
  ASSERT_FALSE(resetd_->health_address().empty());
  grpc::GenericStub health(grpc::CreateChannel(
      resetd_->health_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice empty(std::string(""));
  grpc::ByteBuffer req(&empty, 1), res;
  absl::Notification done;
  grpc::Status status;
  health.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                   &req, &res, [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
  done.WaitForNotification();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(SecureE2eTest, OperatorRunsAJobOverMtlsAsItsCreator) {
  cloud_->Post("/_fake/reset-calls");
  grpc::ClientContext ctx;
  v1::ResetJob created;
  grpc::Status s =
      resetd_->stub().CreateResetJob(&ctx, Request("alice-1", 0, 8), &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.creator(), kAlice);
  *job_id_ = created.job_id();
  resetd::testing::FullJob job = resetd::testing::WatchToEnd(resetd_->stub(), *job_id_);
  EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(job.job().creator(), kAlice);
  for (const auto& i : job.instances()) {
    EXPECT_EQ(cloud_->Instances()[i.instance_id()]["password_digest"],
              Sha256Hex(kPassword))
        << i.instance_id();
  }
}

TEST_F(SecureE2eTest, ViewersReadButCannotCreateOrCancel) {
  ASSERT_FALSE(job_id_->empty()) << "runs after the operator's job";
  const size_t calls_before = cloud_->Calls().size();
  auto bob = Stub(Tls("bob"));
  grpc::ClientContext create_ctx;
  v1::ResetJob created;
  grpc::Status create =
      bob->CreateResetJob(&create_ctx, Request("bob-1", 8, 2), &created);
  EXPECT_EQ(create.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  google::rpc::ErrorInfo info =
      resetd::testing::DetailOf<google::rpc::ErrorInfo>(create);
  EXPECT_EQ(info.domain(), "resetd");
  EXPECT_FALSE(info.metadata().at("permission").empty());

  grpc::ClientContext cancel_ctx;
  v1::CancelResetJobRequest cancel;
  cancel.set_job_id(*job_id_);
  v1::ResetJob cancelled;
  EXPECT_EQ(bob->CancelResetJob(&cancel_ctx, cancel, &cancelled).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  resetd::testing::FullJob seen = resetd::testing::GetJob(*bob, *job_id_);
  EXPECT_EQ(seen.state(), v1::JOB_STATE_SUCCEEDED) << "bob may read it";
  EXPECT_EQ(cloud_->Calls().size(), calls_before)
      << "a denied call reached the cloud";
}

TEST_F(SecureE2eTest, BearerTokenIdentifiesTheCaller) {
  auto stub = Stub(Tls("alice"));  // mTLS is required; the token decides
  EXPECT_TRUE(List(*stub, kViewerToken).ok());
  grpc::Status wrong = List(*stub, "tok-not-listed");
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + kViewerToken);
  v1::ResetJob created;
  EXPECT_EQ(stub->CreateResetJob(&ctx, Request("token-1", 8, 2), &created)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "the token's identity is a viewer, though alice's certificate is not";
}

TEST_F(SecureE2eTest, AuditTrailRecordsEveryRpcAndAgreesWithTheCloud) {
  ASSERT_FALSE(job_id_->empty()) << "runs after the operator's job";
  std::vector<json> lines = AuditLines();
  std::map<std::string, int> decisions;  // "identity method decision"
  std::set<std::pair<std::string, std::string>> audited;  // request id, action
  for (const json& l : lines) {
    if (l["kind"] == "rpc") {
      decisions[l["identity"].get<std::string>() + " " +
                l["method"].get<std::string>() + " " +
                l["decision"].get<std::string>()]++;
    } else if (l["kind"] == "side_effect") {
      EXPECT_EQ(l["job_id"], *job_id_);
      audited.insert({l["provider_request_id"].get<std::string>(),
                      l["action"].get<std::string>()});
    }
  }
  EXPECT_EQ(decisions[std::string(kAlice) + " CreateResetJob allowed"], 1);
  EXPECT_EQ(decisions["bob.ops.resetd.test CreateResetJob denied"], 1);
  EXPECT_EQ(decisions["bob.ops.resetd.test CancelResetJob denied"], 1);
  EXPECT_EQ(decisions["ci-viewer CreateResetJob denied"], 1);
  EXPECT_GE(decisions["ci-viewer ListResetJobs allowed"], 1);
  EXPECT_GE(decisions[std::string(kAlice) + " WatchResetJob allowed"], 1);
  // Every side effect fakecloud answered is in the trail, and nothing else.
  static const std::map<std::string, std::string> kAction = {
      {"StopInstances", "Stop"},
      {"StartInstances", "Start"},
      {"RebootInstances", "Reboot"},
      {"ResetInstancesPassword", "ResetPassword"}};
  std::set<std::pair<std::string, std::string>> cloud;
  for (const json& c : cloud_->Calls()) {
    auto it = kAction.find(c["action"].get<std::string>());
    if (it != kAction.end()) {
      cloud.insert({c["request_id"].get<std::string>(), it->second});
    }
  }
  EXPECT_FALSE(cloud.empty());
  EXPECT_EQ(audited, cloud);
}

TEST_F(SecureE2eTest, NoSecretInTheAuditFileLogsOrMetrics) {
  const std::string audit = ReadAll(*dir_ + "/audit.jsonl");
  const std::string logs = resetd_->Output();
  const std::string metrics = resetd_->Metrics();
  ASSERT_FALSE(audit.empty());
  ASSERT_FALSE(metrics.empty());
  const std::string server_key = ReadAll(Pki("server.key"));
  const std::string key_body = server_key.substr(30, 40);
  for (const std::string secret :
       {std::string(kPassword), std::string(kViewerToken),
        std::string(kSecretKey), key_body}) {
    for (const auto& [name, text] :
         {std::pair{"audit", &audit}, std::pair{"logs", &logs},
          std::pair{"metrics", &metrics}}) {
      EXPECT_EQ(text->find(secret), std::string::npos)
          << name << " holds a secret";
    }
  }
}

}  // namespace
}  // namespace resetd
