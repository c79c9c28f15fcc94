#include "service/reset_service.h"

#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "clients/provider_error.h"
#include "gmock/gmock.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "service/config.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/fakes/anonymous_authenticator.h"
#include "tests/fakes/fake_job_manager.h"
#include "tests/util/status_details.h"

namespace resetd::service {
namespace {

using resetd::v1::CreateResetJobRequest;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPassword[] = "Zq7!vWx9#kLm";

resetd::v1::Config TestConfig() {
  auto config = ParseConfig(
      R"({"insecure": true, "providers": [{"name": "tencent", "kind": "tencent_cvm"}]})",
      "test");
  EXPECT_TRUE(config.ok());
  return *config;
}

CreateResetJobRequest ValidRequest() {
  CreateResetJobRequest r;
  r.set_request_id("req-1");
  auto* t = r.add_targets();
  t->set_provider("tencent");
  t->set_region("ap-guangzhou");
  t->add_instance_ids("ins-abcd1234");
  r.set_password(kPassword);
  r.set_username("ops");
  return r;
}

google::rpc::BadRequest DecodeBadRequest(const grpc::Status& status) {
  EXPECT_FALSE(status.error_details().empty());
  return resetd::testing::DetailOf<google::rpc::BadRequest>(status);
}

// The service on an in-process server bound to port 0, over a fake JobManager.
class ResetServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_stream_);
    logger_ = std::make_shared<spdlog::logger>("test", sink);
    logger_->set_level(spdlog::level::trace);
    ResetServiceOptions options;
    options.watch_poll = absl::Milliseconds(50);
    options.min_event_interval = absl::ZeroDuration();
    // Development mode: every caller is "anonymous" with admin rights
    // (authorization itself: authz_test.cc, reset_service_authz_test.cc).
    service_ = std::make_unique<ResetServiceImpl>(
        jobs_, validator_, authenticator_, resetd::v1::AuthConfig(), metrics_,
        *logger_, options);
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
    service_->BeginShutdown();
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
  }

  grpc::Status Create(const CreateResetJobRequest& request,
                      resetd::v1::ResetJob* job) {
    grpc::ClientContext context;
    return stub_->CreateResetJob(&context, request, job);
  }

  std::string Metrics() {
    return prometheus::TextSerializer().Serialize(registry_.Collect());
  }

  testing::FakeJobManager jobs_;
  InsecureAuthenticator authenticator_;
  RequestValidator validator_{TestConfig()};
  prometheus::Registry registry_;
  ServiceMetrics metrics_{registry_};
  std::ostringstream log_stream_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<ResetServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<resetd::v1::PasswordResetService::Stub> stub_;
};

TEST_F(ResetServiceTest, InvalidRequestIsRejectedAndNothingCreated) {
  CreateResetJobRequest request = ValidRequest();
  request.mutable_targets(0)->add_instance_ids("nope");
  request.mutable_targets(0)->set_os_type(resetd::v1::OS_TYPE_WINDOWS);
  request.set_password("Zq7!vWx9#kL");  // 11 chars: too short for Windows
  resetd::v1::ResetJob job;
  grpc::Status status = Create(request, &job);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::BadRequest bad_request = DecodeBadRequest(status);
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(0).field(),
            "targets[0].instance_ids[1]");
  EXPECT_EQ(bad_request.field_violations(1).field(), "password");
  EXPECT_EQ(bad_request.field_violations(1).description(),
            "target targets[0] (tencent_cvm, windows): must be 12 to 30 "
            "characters");
  EXPECT_THAT(jobs_.creates(), IsEmpty());
  EXPECT_EQ(status.error_details().find("Zq7!vWx9"), std::string::npos);
  EXPECT_EQ(status.error_message().find("Zq7!vWx9"), std::string::npos);
}

TEST_F(ResetServiceTest, ValidRequestCreatesJobAndPasswordReachesManager) {
  resetd::v1::ResetJob job;
  grpc::Status status = Create(ValidRequest(), &job);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(job.job_id(), "job-1");
  EXPECT_EQ(job.request_id(), "req-1");
  auto creates = jobs_.creates();
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(creates[0].password.Reveal(), kPassword);
  EXPECT_EQ(creates[0].request.targets(0).instance_ids(0), "ins-abcd1234");
  EXPECT_EQ(job.SerializeAsString().find(kPassword), std::string::npos);
}

TEST_F(ResetServiceTest, PasswordNeverInLogsOrResponses) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  CreateResetJobRequest bad = ValidRequest();
  bad.set_request_id("req-2");
  bad.set_password(std::string(kPassword) + " ");  // invalid char
  EXPECT_FALSE(Create(bad, &job).ok());
  jobs_.FailNext(absl::InternalError("store failed"));
  CreateResetJobRequest third = ValidRequest();
  third.set_request_id("req-3");
  EXPECT_FALSE(Create(third, &job).ok());
  grpc::ClientContext context;
  resetd::v1::GetResetJobRequest get;
  get.set_job_id("job-1");
  ASSERT_TRUE(stub_->GetResetJob(&context, get, &job).ok());
  EXPECT_EQ(job.SerializeAsString().find(kPassword), std::string::npos);
  const std::string logs = log_stream_.str();
  EXPECT_THAT(logs, HasSubstr("event=rpc method=CreateResetJob code=OK "
                              "job_id=job-1 request_id=req-1"));
  EXPECT_THAT(logs, HasSubstr("code=INVALID_ARGUMENT"));
  EXPECT_THAT(logs, HasSubstr("code=INTERNAL"));
  EXPECT_EQ(logs.find(kPassword), std::string::npos) << logs;
  EXPECT_EQ(logs.find("Zq7!"), std::string::npos) << logs;
}

TEST_F(ResetServiceTest, OneLogLinePerRpcAndMetricsCounted) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  grpc::ClientContext context;
  resetd::v1::GetResetJobRequest get;
  get.set_job_id("missing");
  EXPECT_EQ(stub_->GetResetJob(&context, get, &job).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const std::string logs = log_stream_.str();
  EXPECT_EQ(std::count(logs.begin(), logs.end(), '\n'), 2) << logs;
  EXPECT_THAT(logs,
              HasSubstr("method=GetResetJob code=NOT_FOUND job_id=missing"));
  const std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("resetd_grpc_requests_total{code=\"OK\","
                                 "method=\"CreateResetJob\"} 1"));
  EXPECT_THAT(metrics,
              HasSubstr("resetd_grpc_requests_total{code=\"NOT_FOUND\","
                        "method=\"GetResetJob\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("resetd_grpc_request_duration_seconds_count{"
                                 "method=\"CreateResetJob\"} 1"));
}

TEST_F(ResetServiceTest, ProviderErrorSurfacesAsErrorInfo) {
  clients::ProviderError error{"AuthFailure.SignatureFailure", "bad signature",
                               "req-xyz", 200};
  jobs_.FailNext(
      clients::MakeProviderStatus(absl::StatusCode::kPermissionDenied, error));
  resetd::v1::ResetJob job;
  grpc::Status status = Create(ValidRequest(), &job);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "AuthFailure.SignatureFailure");
  EXPECT_EQ(info.metadata().at("request_id"), "req-xyz");
}

TEST_F(ResetServiceTest, ListAndCancel) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  {
    grpc::ClientContext context;
    resetd::v1::ListResetJobsResponse list;
    ASSERT_TRUE(stub_->ListResetJobs(&context, {}, &list).ok());
    EXPECT_EQ(list.jobs_size(), 1);
  }
  {
    grpc::ClientContext context;
    resetd::v1::ListResetJobsRequest bad;
    bad.set_page_size(-1);
    resetd::v1::ListResetJobsResponse list;
    EXPECT_EQ(stub_->ListResetJobs(&context, bad, &list).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  grpc::ClientContext context;
  resetd::v1::CancelResetJobRequest cancel;
  cancel.set_job_id(job.job_id());
  ASSERT_TRUE(stub_->CancelResetJob(&context, cancel, &job).ok());
  EXPECT_EQ(job.state(), resetd::v1::JOB_STATE_CANCELLED);
}

TEST_F(ResetServiceTest, WatchStreamsUntilTerminal) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  grpc::ClientContext context;
  resetd::v1::WatchResetJobRequest watch;
  watch.set_job_id(job.job_id());
  auto reader = stub_->WatchResetJob(&context, watch);
  resetd::v1::ResetJobEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.job().state(), resetd::v1::JOB_STATE_QUEUED);
  jobs_.Advance(job.job_id(), resetd::v1::JOB_STATE_RUNNING);
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.job().state(), resetd::v1::JOB_STATE_RUNNING);
  jobs_.Advance(job.job_id(), resetd::v1::JOB_STATE_SUCCEEDED);
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.job().state(), resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(ResetServiceTest, WatchStartsWithCountsAndChunksLargeChanges) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  grpc::ClientContext context;
  resetd::v1::WatchResetJobRequest watch;
  watch.set_job_id(job.job_id());
  auto reader = stub_->WatchResetJob(&context, watch);
  resetd::v1::ResetJobEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.job().state(), resetd::v1::JOB_STATE_QUEUED);
  EXPECT_EQ(event.changed_size(), 0) << "the first event: counts only";

  const int kMaxChanged = WatchFeedOptions{}.max_changed_per_event;
  const int kChanged = 2 * kMaxChanged + 34;
  std::vector<resetd::v1::InstanceResult> changed(kChanged);
  for (int i = 0; i < kChanged; ++i) {
    changed[i].set_instance_id("ins-" + std::to_string(i));
  }
  jobs_.Advance(job.job_id(), resetd::v1::JOB_STATE_RUNNING, changed);
  std::vector<std::string> seen;
  for (int chunk = 0; chunk < 3; ++chunk) {
    ASSERT_TRUE(reader->Read(&event)) << "chunk " << chunk;
    EXPECT_EQ(event.job().state(), resetd::v1::JOB_STATE_RUNNING);
    EXPECT_LE(event.changed_size(), kMaxChanged);
    for (const auto& i : event.changed()) seen.push_back(i.instance_id());
  }
  ASSERT_EQ(seen.size(), static_cast<size_t>(kChanged));
  EXPECT_EQ(seen.front(), "ins-0");
  EXPECT_EQ(seen.back(), "ins-" + std::to_string(kChanged - 1));
  jobs_.Advance(job.job_id(), resetd::v1::JOB_STATE_SUCCEEDED);
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.job().state(), resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(ResetServiceTest, ListResetJobInstancesPagesAndValidates) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  std::vector<resetd::v1::InstanceResult> instances(5);
  for (int i = 0; i < 5; ++i) {
    instances[i].set_instance_id("ins-" + std::to_string(i));
    instances[i].set_state(i % 2 ? resetd::v1::INSTANCE_STATE_FAILED
                                 : resetd::v1::INSTANCE_STATE_SUCCEEDED);
  }
  jobs_.SetInstances(job.job_id(), instances);
  auto list = [&](const resetd::v1::ListResetJobInstancesRequest& request,
                  resetd::v1::ListResetJobInstancesResponse* page) {
    grpc::ClientContext context;
    return stub_->ListResetJobInstances(&context, request, page);
  };

  resetd::v1::ListResetJobInstancesRequest request;
  request.set_job_id(job.job_id());
  request.set_page_size(2);
  std::vector<std::string> seen;
  resetd::v1::ListResetJobInstancesResponse page;
  do {
    page.Clear();
    ASSERT_TRUE(list(request, &page).ok());
    for (const auto& i : page.instances()) seen.push_back(i.instance_id());
    request.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"ins-0", "ins-1", "ins-2", "ins-3",
                                            "ins-4"}));

  // A filter: only the failed ones.
  resetd::v1::ListResetJobInstancesRequest failed;
  failed.set_job_id(job.job_id());
  failed.add_states(resetd::v1::INSTANCE_STATE_FAILED);
  ASSERT_TRUE(list(failed, &page).ok());
  ASSERT_EQ(page.instances_size(), 2);
  EXPECT_EQ(page.instances(1).instance_id(), "ins-3");

  // Bad input: field details, nothing listed.
  resetd::v1::ListResetJobInstancesRequest bad;
  bad.set_page_size(1001);
  bad.set_page_token("not-a-token");
  grpc::Status status = list(bad, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::set<std::string> fields;
  const google::rpc::BadRequest details = DecodeBadRequest(status);
  for (const auto& v : details.field_violations()) {
    fields.insert(v.field());
  }
  EXPECT_EQ(fields, (std::set<std::string>{"job_id", "page_size",
                                           "page_token"}));
  // A token of another filter.
  request.set_page_token("");
  request.clear_states();
  page.Clear();
  ASSERT_TRUE(list(request, &page).ok());
  failed.set_page_token(page.next_page_token());
  status = list(failed, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token"));

  resetd::v1::ListResetJobInstancesRequest unknown;
  unknown.set_job_id("job-404");
  EXPECT_EQ(list(unknown, &page).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(Metrics(), HasSubstr("method=\"ListResetJobInstances\""));
}

TEST_F(ResetServiceTest, WatchCoalescesChangesWithinTheEventInterval) {
  // A service of its own whose streams send at most one event per 2 s.
  ResetServiceOptions options;
  options.watch_poll = absl::Milliseconds(50);
  options.min_event_interval = absl::Seconds(2);
  ResetServiceImpl slow(jobs_, validator_, authenticator_,
                        resetd::v1::AuthConfig(), metrics_, *logger_, options);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&slow);
  auto server = builder.BuildAndStart();
  auto stub = resetd::v1::PasswordResetService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));

  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  grpc::ClientContext context;
  resetd::v1::WatchResetJobRequest watch;
  watch.set_job_id(job.job_id());
  auto reader = stub->WatchResetJob(&context, watch);
  resetd::v1::ResetJobEvent event;
  ASSERT_TRUE(reader->Read(&event));  // the counts
  jobs_.Advance(job.job_id(), resetd::v1::JOB_STATE_RUNNING);
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.job().state(), resetd::v1::JOB_STATE_RUNNING);
  // Three changes inside the interval that follows that event: one event,
  // with the latest state.
  jobs_.Advance(job.job_id(), resetd::v1::JOB_STATE_RUNNING);
  jobs_.Advance(job.job_id(), resetd::v1::JOB_STATE_RUNNING);
  jobs_.Advance(job.job_id(), resetd::v1::JOB_STATE_SUCCEEDED);
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.job().state(), resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_TRUE(reader->Finish().ok());
  slow.BeginShutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

TEST_F(ResetServiceTest, WatchUnknownJobIsNotFound) {
  grpc::ClientContext context;
  resetd::v1::WatchResetJobRequest watch;
  watch.set_job_id("nope");
  auto reader = stub_->WatchResetJob(&context, watch);
  resetd::v1::ResetJobEvent event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ResetServiceTest, WatchEndsWhenClientCancels) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  grpc::ClientContext context;
  resetd::v1::WatchResetJobRequest watch;
  watch.set_job_id(job.job_id());
  auto reader = stub_->WatchResetJob(&context, watch);
  resetd::v1::ResetJobEvent event;
  ASSERT_TRUE(reader->Read(&event));
  context.TryCancel();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The handler notices within a poll and logs its line.
  for (int i = 0; i < 100; ++i) {
    if (log_stream_.str().find("method=WatchResetJob") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(log_stream_.str(),
              HasSubstr("method=WatchResetJob code=CANCELLED"));
}

TEST_F(ResetServiceTest, ShutdownEndsWatchAndRefusesNewJobs) {
  resetd::v1::ResetJob job;
  ASSERT_TRUE(Create(ValidRequest(), &job).ok());
  grpc::ClientContext context;
  resetd::v1::WatchResetJobRequest watch;
  watch.set_job_id(job.job_id());
  auto reader = stub_->WatchResetJob(&context, watch);
  resetd::v1::ResetJobEvent event;
  ASSERT_TRUE(reader->Read(&event));
  service_->BeginShutdown();
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  CreateResetJobRequest another = ValidRequest();
  another.set_request_id("req-9");
  EXPECT_EQ(Create(another, &job).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(jobs_.creates().size(), 1u);
}

// Called directly (no gRPC), the handler leaves no plaintext in the request.
TEST_F(ResetServiceTest, RequestPasswordIsWipedOnceHandedOver) {
  CreateResetJobRequest request = ValidRequest();
  resetd::v1::ResetJob job;
  grpc::ServerContext context;  // the Authenticator reads it
  ASSERT_TRUE(service_->CreateResetJob(&context, &request, &job).ok());
  EXPECT_TRUE(request.password().empty());
  CreateResetJobRequest invalid = ValidRequest();
  invalid.set_request_id("");
  EXPECT_FALSE(service_->CreateResetJob(&context, &invalid, &job).ok());
  EXPECT_TRUE(invalid.password().empty());
  EXPECT_EQ(jobs_.creates().size(), 1u);
}

}  // namespace
}  // namespace resetd::service
