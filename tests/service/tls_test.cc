// Transport security and caller identity over real TLS handshakes: the
// server's credentials (service/tls.h) and PeerAuthenticator
// (service/peer_authenticator.h), against certificates that
// tests/pki/make_test_pki.sh makes with openssl in a temp dir. The server
// serves grpc.health.v1 and a generic "who am I" method answering the
// caller's identity.
#include "service/tls.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/crypto.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "service/peer_authenticator.h"
#include "spdlog/sinks/null_sink.h"

namespace resetd::service {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWhoAmI[] = "/resetd.test.Who/AmI";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Answers kWhoAmI with the caller's identity ("" when none), or fails with
// the authenticator's status.
class WhoAmIService final : public grpc::CallbackGenericService {
 public:
  explicit WhoAmIService(const PeerAuthenticator& auth) : auth_(auth) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* ctx) override {
    return new Reactor(auth_.AuthenticateAny(*ctx));
  }

 private:
  class Reactor final : public grpc::ServerGenericBidiReactor {
   public:
    explicit Reactor(absl::StatusOr<Caller> caller)
        : caller_(std::move(caller)) {
      StartRead(&request_);
    }
    void OnReadDone(bool) override {
      if (!caller_.ok()) {
        Finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                            std::string(caller_.status().message())));
        return;
      }
      grpc::Slice slice(caller_->identity);
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    absl::StatusOr<Caller> caller_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };
  const PeerAuthenticator& auth_;
};

struct CallResult {
  grpc::Status status;
  std::string body;
};

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new std::string(::testing::TempDir() + "/resetd-pki-" +
                           std::to_string(::getpid()));
    const std::string cmd = "bash " + std::string(RESETD_PKI_SCRIPT) + " " +
                            *pki_ + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl failed: " << cmd;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*pki_);
    delete pki_;
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::ToChronoTime(absl::Now()));
  }

  static std::string Pki(const std::string& name) { return *pki_ + "/" + name; }

  // A TLS config with the server certificate `server` ("server" → server.crt
  // and server.key) and, when `client_ca` is set, client certificates
  // verified against it.
  static resetd::v1::Config TlsConfig(const std::string& server,
                                      const std::string& client_ca = "",
                                      bool require = false) {
    resetd::v1::Config c;
    c.mutable_tls()->set_cert_file(Pki(server + ".crt"));
    c.mutable_tls()->set_key_file(Pki(server + ".key"));
    if (!client_ca.empty()) {
      c.mutable_tls()->set_client_ca_file(Pki(client_ca + ".crt"));
    }
    c.mutable_tls()->set_require_client_cert(require);
    c.mutable_tls()->set_reload_interval_s(1);
    return c;
  }

  void Start(const resetd::v1::Config& config,
             std::unique_ptr<TokenFile> tokens = nullptr) {
    auto credentials = MakeServerCredentials(config);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    auth_ = std::make_unique<PeerAuthenticator>(std::move(tokens),
                                                /*anonymous_allowed=*/false);
    who_ = std::make_unique<WhoAmIService>(*auth_);
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterCallbackGenericService(who_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }

  // TLS client credentials trusting `ca`, presenting `cert` when set.
  static std::shared_ptr<grpc::ChannelCredentials> Tls(
      const std::string& ca, const std::string& cert = "") {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadAll(Pki(ca + ".crt"));
    if (!cert.empty()) {
      o.pem_cert_chain = ReadAll(Pki(cert + ".crt"));
      o.pem_private_key = ReadAll(Pki(cert + ".key"));
    }
    return grpc::SslCredentials(o);
  }

  std::shared_ptr<grpc::Channel> Channel(
      std::shared_ptr<grpc::ChannelCredentials> creds) {
    // A channel argument that no other channel has: a connection of its own.
    grpc::ChannelArguments args;
    args.SetInt("resetd.test.channel", ++channels_);
    return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port_),
                                     creds, args);
  }

  static CallResult Call(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& method = kWhoAmI,
                         const std::string& token = "") {
    grpc::GenericStub stub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    grpc::Slice empty(std::string(""));
    grpc::ByteBuffer request(&empty, 1), response;
    absl::Notification done;
    CallResult out;
    stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) {
                     out.status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    if (out.status.ok()) {
      std::vector<grpc::Slice> slices;
      response.Dump(&slices);
      for (const auto& s : slices) {
        out.body.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    return out;
  }

  static CallResult Health(const std::shared_ptr<grpc::Channel>& channel) {
    return Call(channel, "/grpc.health.v1.Health/Check");
  }

  static std::string* pki_;
  int port_ = 0;
  int channels_ = 0;
  std::unique_ptr<PeerAuthenticator> auth_;
  std::unique_ptr<WhoAmIService> who_;
  std::unique_ptr<grpc::Server> server_;
};

std::string* TlsTest::pki_ = nullptr;

TEST_F(TlsTest, TlsOnlyServesTlsClientsAndRefusesPlaintext) {
  Start(TlsConfig("server"));
  CallResult tls = Call(Channel(Tls("ca")));
  EXPECT_TRUE(tls.status.ok()) << tls.status.error_message();
  EXPECT_EQ(tls.body, "") << "no client certificate: no identity";
  EXPECT_TRUE(Health(Channel(Tls("ca"))).status.ok());
  CallResult plain = Health(Channel(grpc::InsecureChannelCredentials()));
  EXPECT_EQ(plain.status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, TlsClientRefusesPlaintextServerUnknownCaAndExpiredCert) {
  resetd::v1::Config plaintext;
  plaintext.set_insecure(true);
  Start(plaintext);
  EXPECT_EQ(Health(Channel(Tls("ca"))).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
  server_->Shutdown(absl::ToChronoTime(absl::Now()));
  Start(TlsConfig("server-other"));
  EXPECT_EQ(Health(Channel(Tls("ca"))).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
  server_->Shutdown(absl::ToChronoTime(absl::Now()));
  Start(TlsConfig("server-expired"));
  EXPECT_EQ(Health(Channel(Tls("ca"))).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, RequiredClientCertRefusesNoneAndForeignOnes) {
  Start(TlsConfig("server", "ca", /*require=*/true));
  EXPECT_EQ(Health(Channel(Tls("ca"))).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Health(Channel(Tls("ca", "mallory"))).status.error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "a certificate from another CA, with alice's SPIFFE ID";
  CallResult alice = Call(Channel(Tls("ca", "alice")));
  ASSERT_TRUE(alice.status.ok()) << alice.status.error_message();
  EXPECT_EQ(alice.body, "spiffe://resetd.test/ns/ops/sa/alice");
}

TEST_F(TlsTest, IdentityIsUriSanElseDnsSanElseCommonName) {
  Start(TlsConfig("server", "ca", /*require=*/true));
  EXPECT_EQ(Call(Channel(Tls("ca", "bob"))).body, "bob.ops.resetd.test");
  EXPECT_EQ(Call(Channel(Tls("ca", "carol"))).body, "carol");
}

TEST_F(TlsTest, OptionalClientCertAcceptsClientsWithout) {
  Start(TlsConfig("server", "ca", /*require=*/false));
  CallResult none = Call(Channel(Tls("ca")));
  ASSERT_TRUE(none.status.ok()) << none.status.error_message();
  EXPECT_EQ(none.body, "");
  EXPECT_EQ(Call(Channel(Tls("ca", "alice"))).body,
            "spiffe://resetd.test/ns/ops/sa/alice");
  EXPECT_EQ(Health(Channel(Tls("ca", "mallory"))).status.error_code(),
            grpc::StatusCode::UNAVAILABLE)
      << "a certificate that does not verify is refused";
}

TEST_F(TlsTest, RotatedFilesServeNewConnectionsAndOldOnesKeepWorking) {
  const std::string dir = *pki_ + "/rotating";
  fs::create_directories(dir);
  fs::copy_file(Pki("server.crt"), dir + "/tls.crt");
  fs::copy_file(Pki("server.key"), dir + "/tls.key");
  resetd::v1::Config config = TlsConfig("server");
  config.mutable_tls()->set_cert_file(dir + "/tls.crt");
  config.mutable_tls()->set_key_file(dir + "/tls.key");
  Start(config);
  auto old_channel = Channel(Tls("ca"));
  ASSERT_TRUE(Health(old_channel).status.ok());
  ASSERT_FALSE(Health(Channel(Tls("other-ca"))).status.ok());

  // As cert-manager does: new files renamed over the old ones.
  fs::copy_file(Pki("server-other.crt"), dir + "/tls.crt.new");
  fs::copy_file(Pki("server-other.key"), dir + "/tls.key.new");
  fs::rename(dir + "/tls.key.new", dir + "/tls.key");
  fs::rename(dir + "/tls.crt.new", dir + "/tls.crt");
  // The provider re-reads every reload_interval_s (1 s): await the new
  // certificate, bounded.
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  bool rotated = false;
  while (!rotated && absl::Now() < deadline) {
    rotated = Health(Channel(Tls("other-ca"))).status.ok();
  }
  EXPECT_TRUE(rotated) << "new connections never got the new certificate";
  EXPECT_FALSE(Health(Channel(Tls("ca"))).status.ok())
      << "new connections still get the old certificate";
  EXPECT_TRUE(Health(old_channel).status.ok())
      << "an open connection broke on rotation";
}

TEST_F(TlsTest, BearerTokenIsTheIdentityAndNeverEchoed) {
  const std::string path = *pki_ + "/tokens";
  std::ofstream(path) << "# test tokens\n"
                      << Sha256Hex("s3cret-token-1") << " ci-deployer\n";
  spdlog::logger log("null", std::make_shared<spdlog::sinks::null_sink_mt>());
  auto tokens = TokenFile::Open(path, log, absl::ZeroDuration());
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  Start(TlsConfig("server", "ca"), *std::move(tokens));
  auto channel = Channel(Tls("ca", "alice"));
  EXPECT_EQ(Call(channel, kWhoAmI, "s3cret-token-1").body, "ci-deployer")
      << "a token takes precedence over the certificate";
  CallResult wrong = Call(channel, kWhoAmI, "s3cret-token-2");
  EXPECT_EQ(wrong.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(wrong.status.error_message(), Not(HasSubstr("s3cret")));

  // Re-read on change: the new file's token works, the old one no more.
  std::ofstream(path) << Sha256Hex("s3cret-token-2") << " ops-oncall\n";
  EXPECT_EQ(Call(channel, kWhoAmI, "s3cret-token-2").body, "ops-oncall");
  EXPECT_EQ(Call(channel, kWhoAmI, "s3cret-token-1").status.error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsTest, StartUpChecksNameTheBrokenFile) {
  resetd::v1::TlsConfig tls;
  tls.set_cert_file(Pki("server.crt"));
  tls.set_key_file(Pki("server2.key"));
  absl::Status mismatch = CheckTlsFiles(tls);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(mismatch.message()),
              HasSubstr("tls.key_file: " + Pki("server2.key") +
                        " does not match the certificate"));
  tls.set_key_file(Pki("server.key"));
  tls.set_client_ca_file(Pki("server.key"));
  EXPECT_THAT(std::string(CheckTlsFiles(tls).message()),
              HasSubstr("tls.client_ca_file: " + Pki("server.key") +
                        " holds no PEM certificate"));
  tls.set_client_ca_file(*pki_ + "/missing.crt");
  EXPECT_THAT(std::string(CheckTlsFiles(tls).message()),
              HasSubstr("tls.client_ca_file: cannot read"));
  tls.set_client_ca_file(Pki("ca.crt"));
  EXPECT_TRUE(CheckTlsFiles(tls).ok());
  // The key file's content never shows up in a message.
  tls.set_cert_file(Pki("server.key"));
  const std::string key = ReadAll(Pki("server.key"));
  absl::Status s = CheckTlsFiles(tls);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr(key.substr(40, 20))));
}

TEST(TokenTableTest, ParseNamesTheLineNotItsContent) {
  auto bad = TokenTable::Parse("# ok\n\n" + Sha256Hex("a") +
                               " alice\nnot-a-digest s3cret\n");
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("line 4"));
  EXPECT_THAT(std::string(bad.status().message()), Not(HasSubstr("s3cret")));
  auto table = TokenTable::Parse(Sha256Hex("a") + " alice\n" + Sha256Hex("b") +
                                 "\tbob\n");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->size(), 2u);
  EXPECT_EQ(table->Find("b"), "bob");
  EXPECT_EQ(table->Find("c"), std::nullopt);
}

}  // namespace
}  // namespace resetd::service
