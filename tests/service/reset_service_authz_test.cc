// The handlers' authorization: each RPC is decided before any side effect;
// a denial is PERMISSION_DENIED with a google.rpc.ErrorInfo, a call without
// identity UNAUTHENTICATED. Callers are named by the test's metadata.
#include <memory>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "service/config.h"
#include "service/reset_service.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/fakes/fake_job_manager.h"
#include "tests/util/status_details.h"

namespace resetd::service {
namespace {

using resetd::v1::CreateResetJobRequest;
using ::testing::HasSubstr;

constexpr char kIdentityHeader[] = "x-test-identity";

// The caller is the value of the x-test-identity header (none: no
// identity); "!" fails authentication.
class HeaderAuthenticator : public Authenticator {
 public:
  absl::StatusOr<Caller> Authenticate(
      const grpc::ServerContext& context) const override {
    auto it = context.client_metadata().find(kIdentityHeader);
    if (it == context.client_metadata().end()) return Caller{};
    std::string id(it->second.data(), it->second.size());
    if (id == "!") return absl::UnauthenticatedError("bad token");
    return Caller{id, Caller::Source::kToken, context.peer()};
  }
};

resetd::v1::Config TestConfig() {
  auto config = ParseConfig(R"({"insecure": true,
    "providers": [{"name": "tencent", "kind": "tencent_cvm"},
                  {"name": "aliyun", "kind": "aliyun_ecs"}],
    "auth": {"bindings": [
      {"identities": ["viewer"], "role": "viewer"},
      {"identities": ["alice", "bob"], "role": "operator",
       "providers": ["tencent"]},
      {"identities": ["root"], "role": "admin"}]}})",
                            "test");
  EXPECT_TRUE(config.ok()) << config.status();
  return *config;
}

CreateResetJobRequest Request(const std::string& request_id,
                              const std::string& provider) {
  CreateResetJobRequest r;
  r.set_request_id(request_id);
  auto* t = r.add_targets();
  t->set_provider(provider);
  t->set_region(provider == "tencent" ? "ap-guangzhou" : "cn-hangzhou");
  t->add_instance_ids(provider == "tencent" ? "ins-abcd1234"
                                            : "i-bp1abcdefghijklmno");
  r.set_password("Zq7!vWx9#kLm");
  return r;
}

google::rpc::ErrorInfo DecodeErrorInfo(const grpc::Status& status) {
  EXPECT_FALSE(status.error_details().empty());
  return resetd::testing::DetailOf<google::rpc::ErrorInfo>(status);
}

class ResetServiceAuthzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_stream_);
    logger_ = std::make_shared<spdlog::logger>("test", sink);
    ResetServiceOptions options;
    options.watch_poll = absl::Milliseconds(20);
    options.max_watches_per_identity = 1;
    service_ = std::make_unique<ResetServiceImpl>(
        jobs_, validator_, authenticator_, config_.auth(), metrics_, *logger_,
        options);
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
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
  }

  void As(grpc::ClientContext& context, const std::string& identity) {
    if (!identity.empty()) context.AddMetadata(kIdentityHeader, identity);
  }
  grpc::Status Create(const std::string& identity,
                      const CreateResetJobRequest& request,
                      resetd::v1::ResetJob* job = nullptr) {
    grpc::ClientContext context;
    As(context, identity);
    resetd::v1::ResetJob ignored;
    return stub_->CreateResetJob(&context, request, job ? job : &ignored);
  }
  grpc::Status Cancel(const std::string& identity, const std::string& job) {
    grpc::ClientContext context;
    As(context, identity);
    resetd::v1::CancelResetJobRequest request;
    request.set_job_id(job);
    resetd::v1::ResetJob out;
    return stub_->CancelResetJob(&context, request, &out);
  }
  grpc::Status Get(const std::string& identity, const std::string& job) {
    grpc::ClientContext context;
    As(context, identity);
    resetd::v1::GetResetJobRequest request;
    request.set_job_id(job);
    resetd::v1::ResetJob out;
    return stub_->GetResetJob(&context, request, &out);
  }
  std::string CreatedBy(const std::string& identity,
                        const std::string& provider) {
    resetd::v1::ResetJob job;
    grpc::Status s =
        Create(identity, Request("req-" + identity, provider), &job);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return job.job_id();
  }

  resetd::v1::Config config_ = TestConfig();
  testing::FakeJobManager jobs_;
  HeaderAuthenticator authenticator_;
  RequestValidator validator_{config_};
  prometheus::Registry registry_;
  ServiceMetrics metrics_{registry_};
  std::ostringstream log_stream_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<ResetServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<resetd::v1::PasswordResetService::Stub> stub_;
};

// A Watch stream of `job` as `identity`, with its first event read (so
// that the server holds its slot); ok=false with the status if it failed.
struct OpenWatch {
  std::unique_ptr<grpc::ClientContext> context =
      std::make_unique<grpc::ClientContext>();
  std::unique_ptr<grpc::ClientReader<resetd::v1::ResetJobEvent>> reader;
  bool ok = false;
  grpc::Status status;
};

TEST_F(ResetServiceAuthzTest, WatchStreamsAreCappedPerIdentity) {
  const std::string job = CreatedBy("alice", "tencent");
  auto open = [&](const std::string& identity) {
    OpenWatch w;
    As(*w.context, identity);
    resetd::v1::WatchResetJobRequest request;
    request.set_job_id(job);
    w.reader = stub_->WatchResetJob(w.context.get(), request);
    resetd::v1::ResetJobEvent event;
    w.ok = w.reader->Read(&event);
    if (!w.ok) w.status = w.reader->Finish();
    return w;
  };
  OpenWatch first = open("alice");
  ASSERT_TRUE(first.ok) << first.status.error_message();
  OpenWatch second = open("alice");
  EXPECT_FALSE(second.ok);
  EXPECT_EQ(second.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(second.status.error_message(),
              HasSubstr("limits.max_watches_per_identity"));
  OpenWatch other = open("viewer");
  EXPECT_TRUE(other.ok) << "another identity has its own cap";
  // Closing the first stream frees its slot (once the server notices).
  first.context->TryCancel();
  first.reader->Finish();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool reopened = false;
  while (!reopened && absl::Now() < deadline) {
    OpenWatch again = open("alice");
    reopened = again.ok;
    if (reopened) again.context->TryCancel();
  }
  EXPECT_TRUE(reopened);
  other.context->TryCancel();
}

TEST_F(ResetServiceAuthzTest, CreateRecordsTheCallerAsCreator) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create("alice", Request("req-1", "tencent"), &job).ok());
  EXPECT_EQ(job.creator(), "alice");
  ASSERT_EQ(jobs_.creates().size(), 1u);
}

TEST_F(ResetServiceAuthzTest, DeniedCreateHasNoSideEffect) {
  grpc::Status viewer = Create("viewer", Request("req-1", "tencent"));
  EXPECT_EQ(viewer.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  google::rpc::ErrorInfo info = DecodeErrorInfo(viewer);
  EXPECT_EQ(info.reason(), "PERMISSION_DENIED");
  EXPECT_EQ(info.domain(), "resetd");
  EXPECT_EQ(info.metadata().at("permission"), "resetd.jobs.create");

  grpc::Status scope = Create("alice", Request("req-2", "aliyun"));
  EXPECT_EQ(scope.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  info = DecodeErrorInfo(scope);
  EXPECT_EQ(info.reason(), "OUT_OF_SCOPE");
  EXPECT_EQ(info.metadata().at("provider"), "aliyun");
  EXPECT_TRUE(jobs_.creates().empty());
  EXPECT_THAT(log_stream_.str(), ::testing::Not(HasSubstr("Zq7!vWx9#kLm")));
}

TEST_F(ResetServiceAuthzTest, NoIdentityIsUnauthenticated) {
  EXPECT_EQ(Create("", Request("req-1", "tencent")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Create("!", Request("req-1", "tencent")).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("", "job-1").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(jobs_.creates().empty());
}

TEST_F(ResetServiceAuthzTest, CancelOfAnotherCallersJobNeedsAdmin) {
  const std::string job = CreatedBy("alice", "tencent");
  grpc::Status bob = Cancel("bob", job);
  EXPECT_EQ(bob.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(DecodeErrorInfo(bob).metadata().at("permission"),
            "resetd.jobs.cancelOthers");
  EXPECT_EQ(Cancel("viewer", job).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(jobs_.cancels(), 0) << "a denied cancel touched the job";
  // Others' jobs may be read; only their owner and admins cancel them.
  EXPECT_TRUE(Get("bob", job).ok());
  EXPECT_TRUE(Get("viewer", job).ok());
  EXPECT_TRUE(Cancel("alice", job).ok());
  EXPECT_TRUE(Cancel("root", job).ok());
  EXPECT_EQ(jobs_.cancels(), 2);
}

TEST_F(ResetServiceAuthzTest, UnknownJobIsNotFoundOnlyForPermittedCallers) {
  EXPECT_EQ(Get("viewer", "rj-missing").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("mallory", "rj-missing").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Cancel("viewer", "rj-missing").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ResetServiceAuthzTest, ListIsLimitedToTheCallersScope) {
  CreatedBy("root", "aliyun");
  CreatedBy("alice", "tencent");
  grpc::ClientContext context;
  As(context, "bob");
  resetd::v1::ListResetJobsResponse page;
  ASSERT_TRUE(stub_->ListResetJobs(&context, {}, &page).ok());
  ASSERT_EQ(page.jobs_size(), 1);
  EXPECT_EQ(page.jobs(0).creator(), "alice");
  ASSERT_TRUE(jobs_.last_list_scope().has_value());

  grpc::ClientContext as_root;
  As(as_root, "root");
  resetd::v1::ListResetJobsRequest mine;
  mine.set_creator("root");
  ASSERT_TRUE(stub_->ListResetJobs(&as_root, mine, &page).ok());
  ASSERT_EQ(page.jobs_size(), 1);
  EXPECT_EQ(page.jobs(0).creator(), "root");
  EXPECT_FALSE(jobs_.last_list_scope().has_value());
}

}  // namespace
}  // namespace resetd::service
