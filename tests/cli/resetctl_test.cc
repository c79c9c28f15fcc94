// resetctl end to end in one process: the real command line against a fake
// PasswordResetService on 127.0.0.1:0.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

#include "cli/app.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "resetd/v1/reset_service.grpc.pb.h"
#include "workflow/instance_page.h"

namespace resetd::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace resetd::v1;

constexpr char kPassword[] = "Sup3r-Secret-Pw!";

// Scripted answers, recorded requests. Configure before running a command.
class FakeResetService final : public PasswordResetService::Service {
 public:
  grpc::Status create_status = grpc::Status::OK;
  ResetJob created;
  std::vector<ResetJobEvent> events;
  grpc::Status watch_status = grpc::Status::OK;
  ResetJob full;
  // The job's instances, served by ListResetJobInstances `page_size` at a
  // time at most (the server's own paging and filters).
  std::vector<InstanceResult> instances;
  int max_page = 1000;
  std::vector<ListResetJobsResponse> pages;

  grpc::Status CreateResetJob(grpc::ServerContext*,
                              const CreateResetJobRequest* r,
                              ResetJob* out) override {
    std::lock_guard lock(mu_);
    creates_.push_back(*r);
    if (create_status.ok()) *out = created;
    return create_status;
  }
  grpc::Status GetResetJob(grpc::ServerContext*, const GetResetJobRequest* r,
                           ResetJob* out) override {
    std::lock_guard lock(mu_);
    gets_.push_back(*r);
    *out = full;
    return grpc::Status::OK;
  }
  grpc::Status ListResetJobInstances(grpc::ServerContext*,
                                     const ListResetJobInstancesRequest* r,
                                     ListResetJobInstancesResponse* out) override {
    std::lock_guard lock(mu_);
    instance_lists_.push_back(*r);
    ListResetJobInstancesRequest capped = *r;
    capped.set_page_size(std::min(r->page_size(), max_page));
    auto page = workflow::PageOf(capped);
    if (!page.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          std::string(page.status().message()));
    }
    workflow::InstancePageBuilder builder(*r, *page);
    for (size_t i = page->start_index; i < instances.size(); ++i) {
      if (!builder.Take(static_cast<int>(i), instances[i])) break;
    }
    *out = std::move(builder).Finish();
    return grpc::Status::OK;
  }
  grpc::Status ListResetJobs(grpc::ServerContext*,
                             const ListResetJobsRequest* r,
                             ListResetJobsResponse* out) override {
    std::lock_guard lock(mu_);
    lists_.push_back(*r);
    *out = pages.at(lists_.size() - 1);
    return grpc::Status::OK;
  }
  grpc::Status WatchResetJob(
      grpc::ServerContext*, const WatchResetJobRequest* r,
      grpc::ServerWriter<ResetJobEvent>* writer) override {
    std::lock_guard lock(mu_);
    watches_.push_back(*r);
    for (const auto& e : events) writer->Write(e);
    return watch_status;
  }
  grpc::Status CancelResetJob(grpc::ServerContext*,
                              const CancelResetJobRequest* r,
                              ResetJob* out) override {
    std::lock_guard lock(mu_);
    cancels_.push_back(*r);
    *out = full;
    out->clear_targets();
    out->clear_failures();
    return grpc::Status::OK;
  }

  std::vector<CreateResetJobRequest> creates() {
    std::lock_guard l(mu_);
    return creates_;
  }
  std::vector<GetResetJobRequest> gets() {
    std::lock_guard l(mu_);
    return gets_;
  }
  std::vector<ListResetJobsRequest> lists() {
    std::lock_guard l(mu_);
    return lists_;
  }
  std::vector<ListResetJobInstancesRequest> instance_lists() {
    std::lock_guard l(mu_);
    return instance_lists_;
  }
  std::vector<WatchResetJobRequest> watches() {
    std::lock_guard l(mu_);
    return watches_;
  }
  std::vector<CancelResetJobRequest> cancels() {
    std::lock_guard l(mu_);
    return cancels_;
  }

 private:
  std::mutex mu_;
  std::vector<CreateResetJobRequest> creates_;
  std::vector<GetResetJobRequest> gets_;
  std::vector<ListResetJobsRequest> lists_;
  std::vector<WatchResetJobRequest> watches_;
  std::vector<CancelResetJobRequest> cancels_;
  std::vector<ListResetJobInstancesRequest> instance_lists_;
};

ResetJob Job(JobState state, int total, int ok, int failed) {
  ResetJob job;
  job.set_job_id("job-1");
  job.set_state(state);
  job.mutable_counts()->set_total(total);
  job.mutable_counts()->set_succeeded(ok);
  job.mutable_counts()->set_failed(failed);
  job.mutable_counts()->set_pending(total - ok - failed);
  return job;
}

ResetJobEvent Event(const ResetJob& job) {
  ResetJobEvent e;
  *e.mutable_job() = job;
  return e;
}

struct Result {
  int code;
  std::string out;
  std::string err;
};

class ResetctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    service_.created = Job(JOB_STATE_QUEUED, 2, 0, 0);
  }
  void TearDown() override { server_->Shutdown(); }

  Result Run(std::vector<std::string> args, const std::string& stdin_text = "",
             bool stderr_is_tty = false) {
    args.insert(args.begin(),
                {"resetctl", "--server", "127.0.0.1:" + std::to_string(port_)});
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    Console console;
    console.in = &in;
    console.out = &out;
    console.err = &err;
    console.stderr_is_tty = stderr_is_tty;
    console.terminal_width = 80;
    int code = RunResetctl(args, "unused:1", console);
    return {code, out.str(), err.str()};
  }

  void ScriptSuccess() {
    service_.events = {Event(Job(JOB_STATE_RUNNING, 2, 1, 0)),
                       Event(Job(JOB_STATE_SUCCEEDED, 2, 2, 0))};
    service_.full = Job(JOB_STATE_SUCCEEDED, 2, 2, 0);
    service_.instances.clear();
    for (const char* id : {"ins-1", "ins-2"}) {
      auto* i = &service_.instances.emplace_back();
      i->set_instance_id(id);
      i->set_state(INSTANCE_STATE_SUCCEEDED);
      i->set_final_power_state(POWER_STATE_RUNNING);
    }
  }

  void ScriptPartialFailure() {
    ScriptSuccess();
    service_.events.back() = Event(Job(JOB_STATE_PARTIALLY_FAILED, 2, 1, 1));
    service_.full = Job(JOB_STATE_PARTIALLY_FAILED, 2, 1, 1);
    auto* count = service_.full.add_failures();
    count->set_provider("tencent");
    count->set_code("UnsupportedOperation.InstanceStateTerminating");
    count->set_count(1);
    count->add_sample_instance_ids("ins-2");
    auto* i = &service_.instances.back();
    i->set_instance_id("ins-2");
    i->set_provider("tencent");
    i->set_state(INSTANCE_STATE_FAILED);
    i->mutable_error()->set_code(
        "UnsupportedOperation.InstanceStateTerminating");
    i->mutable_error()->set_message("instance is terminating");
    i->mutable_error()->set_request_id("prov-req-9");
  }

  static void ExpectNoPassword(const Result& r) {
    EXPECT_THAT(r.out, Not(HasSubstr(kPassword)));
    EXPECT_THAT(r.err, Not(HasSubstr(kPassword)));
  }

  FakeResetService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

const std::vector<std::string> kCreateFlags = {
    "create",       "--provider",  "tencent",         "--region",
    "ap-guangzhou", "--instances", "ins-1,ins-2",     "--username",
    "root",         "--stop-mode", "soft-then-force", "--password-stdin"};

TEST_F(ResetctlTest, CreateDeliversPasswordAndWatchesToSuccess) {
  ScriptSuccess();
  Result r = Run(kCreateFlags, std::string(kPassword) + "\n");
  EXPECT_EQ(r.code, 0) << r.err;
  auto creates = service_.creates();
  ASSERT_EQ(creates.size(), 1u);
  const CreateResetJobRequest& req = creates[0];
  EXPECT_EQ(req.password(), kPassword);
  EXPECT_THAT(req.request_id(), StartsWith("resetctl-"));
  ASSERT_EQ(req.targets_size(), 1);
  EXPECT_EQ(req.targets(0).provider(), "tencent");
  EXPECT_EQ(req.targets(0).instance_ids_size(), 2);
  EXPECT_EQ(req.username(), "root");
  EXPECT_EQ(req.stop_mode(), STOP_MODE_SOFT_THEN_FORCE);
  ASSERT_EQ(service_.watches().size(), 1u);
  EXPECT_EQ(service_.watches()[0].job_id(), "job-1");
  EXPECT_THAT(r.err, HasSubstr("request id: " + req.request_id()));
  EXPECT_THAT(r.err,
              HasSubstr("SUCCEEDED 2/2 (100%)"));  // the last progress line
  EXPECT_THAT(r.out, HasSubstr("job job-1 created: QUEUED, 2 instances\n"));
  EXPECT_THAT(r.out, HasSubstr("job job-1 SUCCEEDED\n"));
  EXPECT_THAT(r.out, HasSubstr("  SUCCEEDED  2\n"));
  EXPECT_THAT(service_.instance_lists(), ::testing::IsEmpty())
      << "nothing failed: no listing";
  ExpectNoPassword(r);
}

TEST_F(ResetctlTest, CreateSendsPasswordKind) {
  ScriptSuccess();
  std::vector<std::string> args = kCreateFlags;
  args.insert(args.end(), {"--password-kind", "vnc", "--no-watch"});
  Result r = Run(args, std::string(kPassword) + "\n");
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(service_.creates().size(), 1u);
  EXPECT_EQ(service_.creates()[0].password_kind(),
            resetd::v1::PASSWORD_KIND_VNC);
  ExpectNoPassword(r);
  args = kCreateFlags;
  args.insert(args.end(), {"--password-kind", "console"});
  Result bad = Run(args, std::string(kPassword) + "\n");
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("login|vnc"));
  EXPECT_EQ(service_.creates().size(), 1u);  // nothing sent
}

TEST_F(ResetctlTest, GetFullShowsVerification) {
  ScriptSuccess();
  service_.full.set_password_kind(resetd::v1::PASSWORD_KIND_VNC);
  service_.instances[0].set_verification(
      resetd::v1::RESET_VERIFICATION_VERIFIED);
  service_.instances[1].set_verification(
      resetd::v1::RESET_VERIFICATION_UNVERIFIABLE);
  Result r = Run({"get", "job-1", "--full"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("password kind    VNC\n"));
  EXPECT_THAT(r.out, HasSubstr("RESET"));
  EXPECT_THAT(r.out, HasSubstr("verified"));
  EXPECT_THAT(r.out, HasSubstr("applied, unverifiable"));
}

TEST_F(ResetctlTest, CreateJsonOutputAndPartialFailureExitCode) {
  ScriptPartialFailure();
  std::string pw_file = ::testing::TempDir() + "/resetctl-pw";
  std::ofstream(pw_file) << kPassword << "\n";
  std::vector<std::string> args = {
      "--output",        "json",        "create",
      "--provider",      "tencent",     "--region",
      "ap-guangzhou",    "--instances", "ins-1,ins-2",
      "--password-file", pw_file,       "--request-id",
      "rid-42"};
  Result r = Run(args);
  EXPECT_EQ(r.code, 2) << r.err;
  ASSERT_EQ(service_.creates().size(), 1u);
  EXPECT_EQ(service_.creates()[0].password(), kPassword);
  EXPECT_EQ(service_.creates()[0].request_id(), "rid-42");
  std::istringstream lines(r.out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  ResetJob job;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &job).ok())
      << line;
  EXPECT_EQ(job.job_id(), "job-1");
  EXPECT_THAT(line, HasSubstr("\"state\":\"JOB_STATE_QUEUED\""));
  std::vector<ResetJobEvent> events;
  while (std::getline(lines, line)) {
    ResetJobEvent e;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &e).ok())
        << line;
    events.push_back(e);
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].job().state(), JOB_STATE_PARTIALLY_FAILED);
  EXPECT_EQ(events[1].job().counts().failed(), 1);
  ExpectNoPassword(r);
}

TEST_F(ResetctlTest, TextSummaryListsFailedInstances) {
  ScriptPartialFailure();
  Result r = Run(kCreateFlags, std::string(kPassword) + "\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("job job-1 PARTIALLY_FAILED\n"));
  EXPECT_THAT(r.out, HasSubstr("failed instances (1):"));
  EXPECT_THAT(r.out,
              HasSubstr("UnsupportedOperation.InstanceStateTerminating"));
  EXPECT_THAT(r.out, HasSubstr("prov-req-9"));
  ASSERT_FALSE(service_.gets().empty());
  EXPECT_EQ(service_.gets().back().view(), JOB_VIEW_FULL);
  ExpectNoPassword(r);
}

TEST_F(ResetctlTest, NoWatchReturnsAfterCreate) {
  std::vector<std::string> args = kCreateFlags;
  args.push_back("--no-watch");
  Result r = Run(args, std::string(kPassword) + "\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(service_.creates().size(), 1u);
  EXPECT_TRUE(service_.watches().empty());
}

TEST_F(ResetctlTest, InvalidArgumentShowsFieldViolations) {
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("targets[0].instance_ids[1]");
  v->set_description("'ins-2' is not a valid Tencent instance id");
  google::rpc::Status rich;
  rich.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  rich.set_message("the request is invalid");
  rich.add_details()->PackFrom(bad);
  service_.create_status =
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the request is invalid",
                   rich.SerializeAsString());
  Result r = Run(kCreateFlags, std::string(kPassword) + "\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("error: INVALID_ARGUMENT: the request is invalid\n"
                        "  targets[0].instance_ids[1]: 'ins-2' is not a valid "
                        "Tencent instance id\n"));
  EXPECT_TRUE(service_.watches().empty());
  ExpectNoPassword(r);
}

TEST_F(ResetctlTest, ConflictNamesTheOtherJobAndTheWaysOn) {
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type("INSTANCE_HELD_BY_ACTIVE_JOB");
  v->set_subject("tencent/ap-guangzhou/ins-00000001");
  v->set_description("held by job rj-0123456789abcdef");
  google::rpc::Status rich;
  rich.set_code(grpc::StatusCode::FAILED_PRECONDITION);
  rich.add_details()->PackFrom(failure);
  service_.create_status = grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION,
      "1 of the job's instances belong to other active jobs",
      rich.SerializeAsString());
  std::vector<std::string> args = kCreateFlags;
  args.insert(args.end(), {"--on-conflict", "reject"});
  Result r = Run(args, std::string(kPassword) + "\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("precondition INSTANCE_HELD_BY_ACTIVE_JOB "
                               "tencent/ap-guangzhou/ins-00000001: held by "
                               "job rj-0123456789abcdef\n"));
  EXPECT_THAT(r.err, HasSubstr("--on-conflict wait runs them after"));
  ASSERT_EQ(service_.creates().size(), 1u);
  EXPECT_EQ(service_.creates()[0].on_conflict(),
            resetd::v1::ON_CONFLICT_REJECT);
  EXPECT_TRUE(service_.watches().empty());
  ExpectNoPassword(r);
}

TEST_F(ResetctlTest, NoPasswordSourceIsAUsageError) {
  std::vector<std::string> args(kCreateFlags.begin(), kCreateFlags.end() - 1);
  Result r = Run(args);  // stdin is not a terminal here
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("--password-stdin or --password-file"));
  EXPECT_TRUE(service_.creates().empty());
}

TEST_F(ResetctlTest, PasswordIsNeverAFlag) {
  Result r = Run({"create", "--provider", "p", "--region", "r", "--instances",
                  "a", "--password", kPassword});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(service_.creates().empty());
}

TEST_F(ResetctlTest, JobFileWithPasswordIsRejectedBeforeAnyCall) {
  std::string file = ::testing::TempDir() + "/resetctl-job.yaml";
  std::ofstream(file)
      << "targets: [{provider: p, region: r, instance_ids: [a]}]\n"
      << "password: " << kPassword << "\n";
  Result r = Run({"create", "--file", file, "--password-stdin"}, "x\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("must not contain a password"));
  EXPECT_TRUE(service_.creates().empty());
  ExpectNoPassword(r);
}

TEST_F(ResetctlTest, JobFileIsSent) {
  std::string file = ::testing::TempDir() + "/resetctl-job.json";
  std::ofstream(file)
      << R"({"request_id": "file-rid", "targets": [{"provider": "aliyun",
      "region": "cn-hangzhou", "instance_ids": ["i-1"]}], "dry_run": true})";
  Result r = Run({"create", "--file", file, "--password-stdin", "--no-watch"},
                 std::string(kPassword) + "\n");
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(service_.creates().size(), 1u);
  EXPECT_EQ(service_.creates()[0].request_id(), "file-rid");
  EXPECT_TRUE(service_.creates()[0].dry_run());
  EXPECT_EQ(service_.creates()[0].password(), kPassword);
}

TEST_F(ResetctlTest, GetFullTextAndJson) {
  ScriptPartialFailure();
  service_.full.set_request_id("rid-7");
  Result text = Run({"get", "job-1", "--full"});
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("job              job-1\n"));
  EXPECT_THAT(text.out, HasSubstr("state            PARTIALLY_FAILED\n"));
  EXPECT_THAT(text.out,
              HasSubstr("UnsupportedOperation.InstanceStateTerminating"));
  EXPECT_EQ(service_.gets().back().view(), JOB_VIEW_FULL);
  Result json = Run({"get", "job-1", "--output", "json"});  // global flag after
  EXPECT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(service_.gets().back().view(), JOB_VIEW_BASIC);
  ResetJob job;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &job).ok())
      << json.out;
  EXPECT_EQ(job.request_id(), "rid-7");
}

TEST_F(ResetctlTest, GetFullPagesThroughEveryInstance) {
  ScriptSuccess();
  service_.instances.clear();
  for (int n = 0; n < 5; ++n) {
    auto& i = service_.instances.emplace_back();
    i.set_instance_id("ins-p" + std::to_string(n));
    i.set_state(INSTANCE_STATE_SUCCEEDED);
  }
  service_.max_page = 2;
  Result text = Run({"get", "job-1", "--full"});
  EXPECT_EQ(text.code, 0) << text.err;
  for (int n = 0; n < 5; ++n) {
    EXPECT_THAT(text.out, HasSubstr("ins-p" + std::to_string(n) + "  "));
  }
  // One table: its header once, though three pages came.
  EXPECT_EQ(text.out.find("INSTANCE"), text.out.rfind("INSTANCE"));
  auto lists = service_.instance_lists();
  ASSERT_EQ(lists.size(), 3u);
  EXPECT_TRUE(lists[0].page_token().empty());
  EXPECT_FALSE(lists[1].page_token().empty());
  EXPECT_TRUE(lists[0].states().empty());

  Result json = Run({"get", "job-1", "--full", "--output", "json"});
  EXPECT_EQ(json.code, 0) << json.err;
  std::istringstream lines(json.out);
  std::string line;
  std::vector<std::string> all;
  while (std::getline(lines, line)) all.push_back(line);
  ASSERT_EQ(all.size(), 4u) << json.out;  // the job, then a line per page
  ListResetJobInstancesResponse last;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(all.back(), &last).ok());
  ASSERT_EQ(last.instances_size(), 1);
  EXPECT_EQ(last.instances(0).instance_id(), "ins-p4");
}

TEST_F(ResetctlTest, GetFailedListsOnlyTheFailures) {
  ScriptPartialFailure();
  Result r = Run({"get", "job-1", "--failed"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(service_.gets().back().view(), JOB_VIEW_FULL);
  ASSERT_EQ(service_.instance_lists().size(), 1u);
  ASSERT_EQ(service_.instance_lists()[0].states_size(), 1);
  EXPECT_EQ(service_.instance_lists()[0].states(0), INSTANCE_STATE_FAILED);
  EXPECT_THAT(r.out, HasSubstr("failures by code:\n"));
  EXPECT_THAT(r.out, HasSubstr("\nins-2 "));
  EXPECT_THAT(r.out, Not(HasSubstr("\nins-1 ")));

  ScriptSuccess();
  Result none = Run({"get", "job-1", "--failed"});
  EXPECT_EQ(none.code, 0) << none.err;
  EXPECT_THAT(none.out, HasSubstr("no failed instances\n"));
}

TEST_F(ResetctlTest, ListAllFollowsPageTokens) {
  ListResetJobsResponse first, second;
  *first.add_jobs() = Job(JOB_STATE_RUNNING, 5, 1, 0);
  first.set_next_page_token("page-2");
  *second.add_jobs() = Job(JOB_STATE_FAILED, 3, 0, 3);
  second.mutable_jobs(0)->set_job_id("job-0");
  service_.pages = {first, second};
  Result r =
      Run({"list", "--state", "running,failed", "--page-size", "1", "--all"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto lists = service_.lists();
  ASSERT_EQ(lists.size(), 2u);
  EXPECT_EQ(lists[0].page_size(), 1);
  EXPECT_EQ(lists[0].states_size(), 2);
  EXPECT_EQ(lists[1].page_token(), "page-2");
  EXPECT_THAT(r.out, HasSubstr("job-1  RUNNING"));
  EXPECT_THAT(r.out, HasSubstr("job-0  FAILED"));
}

TEST_F(ResetctlTest, ListOnePageMentionsTheNextToken) {
  ListResetJobsResponse page;
  *page.add_jobs() = Job(JOB_STATE_RUNNING, 5, 1, 0);
  page.set_next_page_token("tok-2");
  service_.pages = {page};
  Result r = Run({"list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("--page-token tok-2"));
}

TEST_F(ResetctlTest, WatchExitCodes) {
  service_.events = {Event(Job(JOB_STATE_CANCELLED, 2, 0, 0))};
  service_.full = Job(JOB_STATE_CANCELLED, 2, 0, 0);
  EXPECT_EQ(Run({"watch", "job-1"}).code, 2);
  service_.events = {
      Event(Job(JOB_STATE_RUNNING, 2, 0, 0))};  // stream ends early
  Result early = Run({"watch", "job-1"});
  EXPECT_EQ(early.code, 1);
  EXPECT_THAT(early.err, HasSubstr("ended before job job-1 did"));
  service_.watch_status =
      grpc::Status(grpc::StatusCode::NOT_FOUND, "no job job-1");
  Result missing = Run({"watch", "job-1"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("error: NOT_FOUND: no job job-1\n"));
}

TEST_F(ResetctlTest, WatchDrawsABarOnATerminal) {
  ScriptSuccess();
  Result r = Run({"watch", "job-1"}, "", /*stderr_is_tty=*/true);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("\r[" + std::string(20, '#')));
  EXPECT_THAT(r.err, HasSubstr("] 100% 2/2  ok 2  failed 0  in progress 0"));
  EXPECT_THAT(r.out, HasSubstr("job job-1 SUCCEEDED\n"));
}

TEST_F(ResetctlTest, CancelShowsTheJob) {
  service_.full = Job(JOB_STATE_CANCELLED, 2, 0, 0);
  Result r = Run({"cancel", "job-1"});
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(service_.cancels().size(), 1u);
  EXPECT_EQ(service_.cancels()[0].job_id(), "job-1");
  EXPECT_THAT(r.out, HasSubstr("state            CANCELLED\n"));
}

TEST_F(ResetctlTest, UsageErrorsExitOne) {
  EXPECT_EQ(Run({}).code, 1);
  EXPECT_EQ(Run({"frobnicate"}).code, 1);
  EXPECT_EQ(Run({"get"}).code, 1);
  EXPECT_EQ(Run({"--output", "xml", "list"}).code, 1);
  EXPECT_EQ(Run({"list", "--state", "bogus"}).code, 1);
  EXPECT_EQ(Run({"--help"}).code, 0);
}

TEST(DefaultServerTest, EnvOrLocalDefault) {
  EXPECT_EQ(DefaultServer(nullptr), "127.0.0.1:50051");
  EXPECT_EQ(DefaultServer(""), "127.0.0.1:50051");
  EXPECT_EQ(DefaultServer("resetd:443"), "resetd:443");
}

}  // namespace
}  // namespace resetd::cli
