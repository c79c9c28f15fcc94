#include "service/audit_log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/fakes/fake_clock.h"

namespace resetd::service {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<json> ParseLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(json::parse(line));  // throws (fails the test) if not JSON
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

workflow::SideEffectRecord SampleSideEffect() {
  workflow::SideEffectRecord r;
  r.job_id = "job-1";
  r.batch_id = "c7-1700000000000000";
  r.provider = "tencent";
  r.account = "prod";
  r.region = "ap-guangzhou";
  r.action = "Stop";
  r.instance_ids = {"ins-a", "ins-b"};
  r.provider_request_id = "rq-9";
  r.outcome = "OK";
  return r;
}

RpcRecord SampleRpc() {
  RpcRecord r;
  r.method = "CreateResetJob";
  r.caller.identity = "spiffe://ops/deployer";
  r.caller.source = Caller::Source::kCertificate;
  r.caller.peer = "ipv4:127.0.0.1:5555";
  r.job_id = "job-1";
  r.request_id = "req-1";
  r.decided = true;
  r.allowed = false;
  r.reason = "role reader may not create";
  r.code = "PERMISSION_DENIED";
  return r;
}

class AuditLogTest : public ::testing::Test {
 protected:
  AuditLogTest() {
    char dir[] = "/tmp/audit_log_test.XXXXXX";
    dir_ = mkdtemp(dir);
    path_ = dir_ + "/audit.jsonl";
    logger_ = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
  }
  ~AuditLogTest() override {
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }

  std::unique_ptr<AuditLog> Open(const std::string& file, bool to_stderr) {
    resetd::v1::AuditConfig config;
    config.set_file(file);
    config.set_stderr(to_stderr);
    auto audit = AuditLog::Open(config, registry_, *logger_, clock_);
    EXPECT_TRUE(audit.ok()) << audit.status();
    return audit.ok() ? *std::move(audit) : nullptr;
  }
  std::string Metrics() {
    return prometheus::TextSerializer().Serialize(registry_.Collect());
  }

  std::string dir_, path_;
  resetd::testing::FakeClock clock_{absl::FromUnixMicros(1764921600123456)};
  prometheus::Registry registry_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> logger_;
};

TEST_F(AuditLogTest, SideEffectLineHasTheDocumentedSchema) {
  Open(path_, false)->SideEffect(SampleSideEffect());
  auto lines = ParseLines(ReadFile(path_));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], json::parse(R"({
    "schema_version": 1, "kind": "side_effect",
    "time": "2025-12-05T08:00:00.123456Z",
    "job_id": "job-1", "batch_id": "c7-1700000000000000",
    "provider": "tencent", "account": "prod", "region": "ap-guangzhou",
    "action": "Stop", "instance_ids": ["ins-a", "ins-b"],
    "provider_request_id": "rq-9", "outcome": "OK"})"));
}

TEST_F(AuditLogTest, RpcLineHasTheDocumentedSchema) {
  Open(path_, false)->Rpc(SampleRpc());
  auto lines = ParseLines(ReadFile(path_));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], json::parse(R"({
    "schema_version": 1, "kind": "rpc",
    "time": "2025-12-05T08:00:00.123456Z",
    "method": "CreateResetJob", "identity": "spiffe://ops/deployer",
    "identity_source": "certificate", "peer": "ipv4:127.0.0.1:5555",
    "job_id": "job-1", "request_id": "req-1", "decision": "denied",
    "reason": "role reader may not create", "code": "PERMISSION_DENIED"})"));
}

TEST_F(AuditLogTest, UndecidedAndAllowedDecisionsAreNamed) {
  auto audit = Open(path_, false);
  RpcRecord r = SampleRpc();
  r.decided = false;
  audit->Rpc(r);
  r.decided = true;
  r.allowed = true;
  audit->Rpc(r);
  auto lines = ParseLines(ReadFile(path_));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["decision"], "undecided");
  EXPECT_EQ(lines[1]["decision"], "allowed");
}

TEST_F(AuditLogTest, InvalidUtf8IsReplacedNotThrown) {
  auto audit = Open(path_, false);
  RpcRecord r = SampleRpc();
  r.request_id = "bad\xff\xfe";
  EXPECT_NO_THROW(audit->Rpc(r));
  auto lines = ParseLines(ReadFile(path_));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["job_id"], "job-1");
}

TEST_F(AuditLogTest, AppendsAcrossReopenAndCreatesTheFile0600) {
  Open(path_, false)->SideEffect(SampleSideEffect());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  Open(path_, false)->Rpc(SampleRpc());
  auto lines = ParseLines(ReadFile(path_));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["kind"], "side_effect");
  EXPECT_EQ(lines[1]["kind"], "rpc");
}

TEST_F(AuditLogTest, AFileThatCannotBeOpenedIsAStartupError) {
  resetd::v1::AuditConfig config;
  config.set_file(dir_ + "/no/such/dir/audit.jsonl");
  auto audit = AuditLog::Open(config, registry_, *logger_, clock_);
  ASSERT_FALSE(audit.ok());
  EXPECT_EQ(audit.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(audit.status().message(), HasSubstr("no/such/dir/audit.jsonl"));
  EXPECT_FALSE(AuditLog::Open({}, registry_, *logger_, clock_).ok());
}

TEST_F(AuditLogTest, WriteFailureIsCountedAndLoggedAndDoesNotThrow) {
  auto audit = Open("/dev/full", false);
  ASSERT_NE(audit, nullptr);
  EXPECT_THAT(Metrics(), HasSubstr("resetd_audit_write_failures_total 0"));
  EXPECT_NO_THROW(audit->SideEffect(SampleSideEffect()));
  EXPECT_NO_THROW(audit->Rpc(SampleRpc()));
  EXPECT_THAT(Metrics(), HasSubstr("resetd_audit_write_failures_total 2"));
  const std::string logs = log_.str();
  EXPECT_THAT(logs, HasSubstr("event=audit_write_failed kind=side_effect "
                              "job_id=job-1"));
  EXPECT_THAT(logs,
              HasSubstr("event=audit_write_failed kind=rpc job_id=job-1"));
  // Ids only: not the record's other content.
  EXPECT_THAT(logs, Not(HasSubstr("ins-a")));
  EXPECT_THAT(logs, Not(HasSubstr("spiffe://")));
}

TEST_F(AuditLogTest, StderrModeWritesTheSameLines) {
  auto audit = Open("", true);
  ASSERT_NE(audit, nullptr);
  ::testing::internal::CaptureStderr();
  audit->SideEffect(SampleSideEffect());
  audit->Rpc(SampleRpc());
  auto lines = ParseLines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["kind"], "side_effect");
  EXPECT_EQ(lines[0]["instance_ids"], json::array({"ins-a", "ins-b"}));
  EXPECT_EQ(lines[1]["kind"], "rpc");
  EXPECT_THAT(Metrics(), HasSubstr("resetd_audit_write_failures_total 0"));
}

TEST_F(AuditLogTest, FileAndStderrTogether) {
  auto audit = Open(path_, true);
  ::testing::internal::CaptureStderr();
  audit->Rpc(SampleRpc());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, ReadFile(path_));
  EXPECT_THAT(ParseLines(err), Not(IsEmpty()));
}

}  // namespace
}  // namespace resetd::service
