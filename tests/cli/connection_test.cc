// resetctl over TLS: the real command line (RunResetctl) against a
// PasswordResetService behind gRPC's TLS server credentials, with
// certificates made by tests/pki/make_test_pki.sh. Covers TLS, mTLS, the
// bearer token, the RESETCTL_* variables, and the one clear sentence
// resetctl prints when client and server disagree.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/app.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resetd/v1/reset_service.grpc.pb.h"

namespace resetd::cli {
namespace {

using resetd::v1::ListResetJobsRequest;
using resetd::v1::ListResetJobsResponse;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "tok-Zq81-never-printed";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Lists nothing; refuses calls whose bearer token is not kToken when
// `want_token`.
class ListOnly final : public resetd::v1::PasswordResetService::Service {
 public:
  bool want_token = false;
  grpc::Status ListResetJobs(grpc::ServerContext* ctx,
                             const ListResetJobsRequest*,
                             ListResetJobsResponse*) override {
    if (!want_token) return grpc::Status::OK;
    auto it = ctx->client_metadata().find("authorization");
    const bool ok = it != ctx->client_metadata().end() &&
                    std::string(it->second.data(), it->second.size()) ==
                        std::string("Bearer ") + kToken;
    return ok ? grpc::Status::OK
              : grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no token");
  }
};

// The test's environment for RESETCTL_* (RunResetctl takes a plain function).
std::map<std::string, std::string>* environment = nullptr;
const char* TestEnv(const char* name) {
  auto it = environment->find(name);
  return it == environment->end() ? nullptr : it->second.c_str();
}

struct Result {
  int code;
  std::string err;
};

class ConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new std::string(::testing::TempDir() + "/resetctl-pki-" +
                           std::to_string(::getpid()));
    const std::string cmd = "bash " + std::string(RESETD_PKI_SCRIPT) + " " +
                            *pki_ + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ofstream(*pki_ + "/token") << kToken << "\n";
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*pki_);
    delete pki_;
  }
  void SetUp() override { environment = &env_; }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  static std::string Pki(const std::string& name) { return *pki_ + "/" + name; }

  // `server` names its certificate ("" = plaintext); `client_ca`: verify
  // (and require) client certificates.
  void Start(const std::string& server, const std::string& client_ca = "") {
    std::shared_ptr<grpc::ServerCredentials> creds =
        grpc::InsecureServerCredentials();
    if (!server.empty()) {
      grpc::SslServerCredentialsOptions o(
          client_ca.empty()
              ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
              : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
      o.pem_key_cert_pairs.push_back(
          {ReadAll(Pki(server + ".key")), ReadAll(Pki(server + ".crt"))});
      if (!client_ca.empty())
        o.pem_root_certs = ReadAll(Pki(client_ca + ".crt"));
      creds = grpc::SslServerCredentials(o);
    }
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", creds, &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  Result Run(std::vector<std::string> flags) {
    std::vector<std::string> args = {"resetctl", "--server",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--timeout", "5"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back("list");
    std::istringstream in;
    std::ostringstream out, err;
    Console console;
    console.in = &in;
    console.out = &out;
    console.err = &err;
    const int code = RunResetctl(args, "unused:1", console, &TestEnv);
    return {code, err.str()};
  }

  static void ExpectClear(const Result& r, const std::string& sentence) {
    EXPECT_EQ(r.code, kExitError);
    EXPECT_THAT(r.err, HasSubstr(sentence));
    // Not gRPC's stack of low-level codes.
    EXPECT_THAT(r.err, Not(HasSubstr("SSL_ERROR")));
    EXPECT_THAT(r.err, Not(HasSubstr("failed to connect to all addresses")));
  }

  static std::string* pki_;
  std::map<std::string, std::string> env_;
  ListOnly service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

std::string* ConnectionTest::pki_ = nullptr;

TEST_F(ConnectionTest, TlsWithTheRightCaWorks) {
  Start("server");
  Result r = Run({"--tls-ca", Pki("ca.crt")});
  EXPECT_EQ(r.code, kExitOk) << r.err;
}

TEST_F(ConnectionTest, ServerNameOverrideIsVerified) {
  Start("server");
  EXPECT_EQ(
      Run({"--tls-ca", Pki("ca.crt"), "--tls-server-name", "localhost"}).code,
      kExitOk);
  ExpectClear(Run({"--tls-ca", Pki("ca.crt"), "--tls-server-name",
                   "resetd.elsewhere.test"}),
              "certificate does not name resetd.elsewhere.test");
}

TEST_F(ConnectionTest, PlaintextClientAgainstTlsServerSaysSo) {
  Start("server");
  ExpectClear(Run({}), "if it uses TLS, pass --tls-ca");
}

TEST_F(ConnectionTest, TlsClientAgainstPlaintextServerSaysSo) {
  Start("");
  ExpectClear(Run({"--tls-ca", Pki("ca.crt")}), "does not speak TLS");
}

TEST_F(ConnectionTest, UnknownCaSaysSo) {
  Start("server-other");
  ExpectClear(Run({"--tls-ca", Pki("ca.crt")}),
              "not signed by the CA of --tls-ca " + Pki("ca.crt"));
}

TEST_F(ConnectionTest, ExpiredServerCertificateSaysSo) {
  Start("server-expired");
  ExpectClear(Run({"--tls-ca", Pki("ca.crt")}), "certificate has expired");
}

TEST_F(ConnectionTest, MtlsNeedsAClientCertificateFromTheTrustedCa) {
  Start("server", "ca");
  EXPECT_EQ(Run({"--tls-ca", Pki("ca.crt"), "--tls-cert", Pki("alice.crt"),
                 "--tls-key", Pki("alice.key")})
                .code,
            kExitOk);
  ExpectClear(Run({"--tls-ca", Pki("ca.crt")}),
              "requires a client certificate");
  ExpectClear(Run({"--tls-ca", Pki("ca.crt"), "--tls-cert", Pki("mallory.crt"),
                   "--tls-key", Pki("mallory.key")}),
              "refused the client certificate");
}

TEST_F(ConnectionTest, TokenComesFromTheFileAndIsNeverPrinted) {
  service_.want_token = true;
  Start("server");
  EXPECT_EQ(Run({"--tls-ca", Pki("ca.crt"), "--token-file", Pki("token")}).code,
            kExitOk);
  Result without = Run({"--tls-ca", Pki("ca.crt")});
  EXPECT_EQ(without.code, kExitError);
  EXPECT_THAT(without.err, HasSubstr("UNAUTHENTICATED"));
  Result plaintext = Run({"--token-file", Pki("token")});
  EXPECT_EQ(plaintext.code, kExitError);
  EXPECT_THAT(plaintext.err, HasSubstr("never sent in plaintext"));
  EXPECT_THAT(plaintext.err + without.err, Not(HasSubstr(kToken)));
}

TEST_F(ConnectionTest, EnvironmentStandsForMissingFlags) {
  service_.want_token = true;
  Start("server", "ca");
  env_ = {{"RESETCTL_TLS_CA", Pki("ca.crt")},
          {"RESETCTL_TLS_CERT", Pki("alice.crt")},
          {"RESETCTL_TLS_KEY", Pki("alice.key")},
          {"RESETCTL_TOKEN_FILE", Pki("token")}};
  EXPECT_EQ(Run({}).code, kExitOk);
  // The token itself from RESETCTL_TOKEN, when no file is named.
  env_.erase("RESETCTL_TOKEN_FILE");
  env_["RESETCTL_TOKEN"] = kToken;
  EXPECT_EQ(Run({}).code, kExitOk);
  env_["RESETCTL_TOKEN"] = "tok-wrong";
  EXPECT_EQ(Run({}).code, kExitError);
  env_["RESETCTL_TOKEN"] = kToken;
  // A flag wins over its variable.
  ExpectClear(Run({"--tls-ca", Pki("other-ca.crt")}), "not signed by the CA");
}

TEST_F(ConnectionTest, OptionsThatDoNotFitTogetherAreRefused) {
  Start("server");
  Result half =
      Run({"--tls-ca", Pki("ca.crt"), "--tls-cert", Pki("alice.crt")});
  EXPECT_EQ(half.code, kExitError);
  EXPECT_THAT(half.err, HasSubstr("--tls-cert and --tls-key go together"));
  Result no_ca = Run({"--tls-server-name", "localhost"});
  EXPECT_THAT(no_ca.err, HasSubstr("need --tls-ca"));
  Result missing = Run({"--tls-ca", *pki_ + "/nope.crt"});
  EXPECT_THAT(missing.err, HasSubstr("--tls-ca: cannot read"));
}

}  // namespace
}  // namespace resetd::cli
