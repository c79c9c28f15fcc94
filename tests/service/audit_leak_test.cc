// The audit trail never holds the password or the caller's token: a job
// runs end to end (gRPC service, engine, fake cloud) with an AuditLog to a
// file, and the file is searched for them, as the log tests do.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "common/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "service/audit_log.h"
#include "service/config.h"
#include "service/reset_service.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/fakes/anonymous_authenticator.h"
#include "tests/fakes/fake_cloud_client.h"
#include "workflow/engine.h"

namespace resetd::service {
namespace {

using ::testing::HasSubstr;

constexpr char kPassword[] = "Au7!ditLeak#Canary";
constexpr char kToken[] = "tok-Secret-Bearer-4f1c";
constexpr char kSecretKey[] = "audit-leak-fake-secret-key";

class AuditLeakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/audit_leak_test.XXXXXX";
    dir_ = mkdtemp(dir);
    path_ = dir_ + "/audit.jsonl";
    setenv("AUDIT_LEAK_SECRET_KEY", kSecretKey, 1);
    auto config = ParseConfig(R"({
      "providers": [{"name": "tencent", "kind": "tencent_cvm",
        "credentials": {"secretKeyEnv": "AUDIT_LEAK_SECRET_KEY"}}],
      "insecure": true,
      "audit": {"file": ")" + path_ +
                                  R"("}})",
                              "test");
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = *config;
    logger_ = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    auto audit = AuditLog::Open(config_.audit(), registry_, *logger_);
    ASSERT_TRUE(audit.ok()) << audit.status();
    audit_ = *std::move(audit);
    StartEngine();
    StartServer();
  }
  void TearDown() override {
    if (service_) service_->BeginShutdown();
    if (server_) server_->Shutdown();
    if (engine_) engine_->Shutdown(absl::Seconds(5));
    engine_.reset();
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }

  void StartEngine() {
    cloud_ = std::make_shared<resetd::testing::FakeCloudClient>(
        RealClock(), absl::Milliseconds(20));
    cloud_->Add("ins-abcd1234", clients::PowerState::kRunning);
    cloud_->Add("ins-abcd5678", clients::PowerState::kStopped);
    workflow::ProviderEntry entry;
    entry.name = "tencent";
    entry.account = "acct";
    entry.client = cloud_;
    entry.rate_per_second = {{"*", 1000.0}};
    workflow::EngineOptions options;
    options.linger = absl::Milliseconds(2);
    options.poll_interval = absl::Milliseconds(10);
    options.worker_threads = 2;
    engine_ = workflow::NewEngine({{"tencent", entry}}, RealClock(), *store_,
                                  workflow_metrics_, options, logger_, nullptr,
                                  audit_.get());
    engine_->Start();
  }

  void StartServer() {
    validator_ = std::make_unique<RequestValidator>(config_);
    ResetServiceOptions options;
    options.watch_poll = absl::Milliseconds(50);
    options.rpc_auditor = audit_.get();
    service_ = std::make_unique<ResetServiceImpl>(
        *engine_, *validator_, authenticator_, resetd::v1::AuthConfig(),
        service_metrics_, *logger_, options);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    stub_ = resetd::v1::PasswordResetService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                            grpc::InsecureChannelCredentials()));
  }

  // A context that presents the bearer token, as resetctl does.
  static void WithToken(grpc::ClientContext& context) {
    context.AddMetadata("authorization", std::string("Bearer ") + kToken);
  }

  std::string ReadAudit() {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_, path_;
  resetd::v1::Config config_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> logger_;
  prometheus::Registry registry_;
  workflow::WorkflowMetrics workflow_metrics_{registry_};
  ServiceMetrics service_metrics_{registry_};
  std::unique_ptr<AuditLog> audit_;
  std::shared_ptr<resetd::testing::FakeCloudClient> cloud_;
  std::unique_ptr<workflow::JobStore> store_ = workflow::NewInMemoryJobStore();
  std::unique_ptr<workflow::Engine> engine_;
  std::unique_ptr<RequestValidator> validator_;
  InsecureAuthenticator authenticator_;
  std::unique_ptr<ResetServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<resetd::v1::PasswordResetService::Stub> stub_;
};

TEST_F(AuditLeakTest, PasswordTokenAndKeyNeverInTheAuditTrail) {
  resetd::v1::CreateResetJobRequest request;
  request.set_request_id("leak-1");
  auto* target = request.add_targets();
  target->set_provider("tencent");
  target->set_region("ap-guangzhou");
  target->add_instance_ids("ins-abcd1234");
  target->add_instance_ids("ins-abcd5678");
  request.set_password(kPassword);
  request.set_username("ops");
  resetd::v1::ResetJob job;
  {
    grpc::ClientContext context;
    WithToken(context);
    grpc::Status status = stub_->CreateResetJob(&context, request, &job);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  // A rejected one too: the password of a failed request is not kept either.
  request.set_request_id("leak-2");
  request.set_password(std::string(kPassword) + " ");
  {
    resetd::v1::ResetJob rejected;
    grpc::ClientContext context;
    WithToken(context);
    EXPECT_FALSE(stub_->CreateResetJob(&context, request, &rejected).ok());
  }
  // Watch streams until the job ends.
  grpc::ClientContext watch_context;
  WithToken(watch_context);
  resetd::v1::WatchResetJobRequest watch;
  watch.set_job_id(job.job_id());
  auto reader = stub_->WatchResetJob(&watch_context, watch);
  resetd::v1::ResetJobEvent event;
  while (reader->Read(&event)) {
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(cloud_->Get("ins-abcd1234").password, kPassword);
  engine_->Shutdown(absl::Seconds(5));  // every record written

  const std::string audit = ReadAudit();
  EXPECT_THAT(audit, HasSubstr(R"("kind":"side_effect")"));
  EXPECT_THAT(audit, HasSubstr(R"("action":"ResetPassword")"));
  EXPECT_THAT(audit, HasSubstr(R"("method":"CreateResetJob")"));
  EXPECT_THAT(audit, HasSubstr(R"("method":"WatchResetJob")"));
  EXPECT_THAT(audit, HasSubstr(R"("request_id":"leak-2")"));
  // What authentication and authorization said reaches the trail.
  EXPECT_THAT(audit, HasSubstr(R"("identity":"anonymous")"));
  EXPECT_THAT(audit, HasSubstr(R"("decision":"allowed")"));
  EXPECT_EQ(audit.find(kPassword), std::string::npos) << audit;
  EXPECT_EQ(audit.find("Au7!"), std::string::npos) << audit;
  EXPECT_EQ(audit.find(kToken), std::string::npos) << audit;
  EXPECT_EQ(audit.find("Bearer"), std::string::npos) << audit;
  EXPECT_EQ(audit.find(kSecretKey), std::string::npos) << audit;
}

}  // namespace
}  // namespace resetd::service
