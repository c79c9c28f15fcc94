// Crash safety for real: resetd runs on a SQLite store against fakecloud and
// is killed with SIGKILL at many different moments of a job (among them
// while a StopInstances call has reached the cloud but its answer has not
// come back), then started again on the same store. Every job must finish,
// every instance must have the new password and its original power state,
// and no instance may be stopped twice without a start in between.
//
// RESETD_CRASH_TRIALS sets the number of trials (default 20); a long run,
// e.g. RESETD_CRASH_TRIALS=200, is a soak test (see README).
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace resetd {
namespace {

using nlohmann::json;
using resetd::testing::FakeCloud;
using resetd::testing::Resetd;

constexpr int kInstances = 200;
// A fixed test key (base64 of 32 bytes); never a production key.
constexpr char kStoreKey[] = "q7b3Qm5sZXNzLWtleS1mb3ItdGVzdHMtb25seS0xMjM=";

int Trials() {
  const char* env = std::getenv("RESETD_CRASH_TRIALS");
  int n = env ? std::atoi(env) : 20;
  return n > 0 ? n : 20;
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = resetd::testing::MakeTempDir("resetd-crash");
    env_ = {{"TENCENTCLOUD_SECRET_ID", "AKIDcrashTEST"},
            {"TENCENTCLOUD_SECRET_KEY", "crash-secret-key"},
            {"RESETD_STORE_KEY", kStoreKey}};
    cloud_ = std::make_unique<FakeCloud>(
        std::vector<std::string>{
            "--instances", std::to_string(kInstances), "--running-fraction",
            "0.6", "--windows-fraction", "0.2", "--forbidden", "0", "--seed",
            "99", "--transition-ms", "200:600", "--reset-ms", "150:400",
            "--latency-ms", "20:80"},
        env_, dir_);
    ASSERT_TRUE(cloud_->ok()) << cloud_->Output();
    store_path_ = dir_ + "/jobs.db";
    json config = {
        {"grpcListen", "127.0.0.1:0"},
        {"insecure", true},
        {"metricsListen", "127.0.0.1:0"},
        {"providers",
         {{{"name", "tencent"},
           {"kind", "tencent_cvm"},
           {"endpoint", cloud_->address()},
           {"scheme", "http"}}}},
        {"engine", {{"lingerMs", 100}, {"pollIntervalMs", 300}}},
        {"store", {{"path", store_path_}}},
        {"shutdownGraceS", 10}};
    resetd_ = std::make_unique<Resetd>(config, env_, dir_);
    ASSERT_TRUE(resetd_->Start()) << resetd_->Output();
  }

  std::string Create(const std::string& request_id,
                     const std::string& password) {
    v1::ResetJob job;
    grpc::Status s = TryCreate(request_id, password, &job);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return job.job_id();
  }

  // A job on every instance of the fleet.
  grpc::Status TryCreate(const std::string& request_id,
                         const std::string& password, v1::ResetJob* job) {
    v1::CreateResetJobRequest r;
    r.set_request_id(request_id);
    auto* t = r.add_targets();
    t->set_provider("tencent");
    t->set_region("ap-guangzhou");
    for (const auto& [id, i] : cloud_->Instances()) t->add_instance_ids(id);
    r.set_password(password);
    grpc::ClientContext ctx;
    return resetd_->stub().CreateResetJob(&ctx, r, job);
  }

  // Waits (bounded) until the cloud has seen a call of `action`.
  bool AwaitCall(const std::string& action, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      for (const auto& c : cloud_->Calls()) {
        if (c["action"] == action) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  // Polls the job (through whichever resetd runs now) until it ends.
  resetd::testing::FullJob AwaitEnd(const std::string& job_id) {
    const absl::Time deadline = absl::Now() + absl::Minutes(3);
    resetd::testing::FullJob job;
    while (absl::Now() < deadline) {
      job = resetd::testing::WatchToEnd(resetd_->stub(), job_id);
      if (workflow_terminal(job.state())) return job;
    }
    return job;
  }
  static bool workflow_terminal(v1::JobState s) {
    return s == v1::JOB_STATE_SUCCEEDED || s == v1::JOB_STATE_FAILED ||
           s == v1::JOB_STATE_PARTIALLY_FAILED || s == v1::JOB_STATE_CANCELLED;
  }

  // Checks a finished trial; returns how many instances were left stopped
  // that had been running.
  int CheckTrial(const std::string& label, const resetd::testing::FullJob& job,
                 const std::map<std::string, json>& before,
                 const std::string& password) {
    EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED) << label;
    EXPECT_EQ(job.counts().succeeded(), kInstances) << label;
    auto after = cloud_->Instances();
    const std::string digest = Sha256Hex(password);
    int left_stopped = 0;
    for (const auto& [id, b] : before) {
      EXPECT_EQ(after[id]["password_digest"], digest) << label << " " << id;
      EXPECT_EQ(after[id]["state"], b["state"]) << label << " " << id;
      if (b["state"] == "RUNNING" && after[id]["state"] != "RUNNING") {
        ++left_stopped;
      }
    }
    json calls = cloud_->Calls();
    EXPECT_TRUE(resetd::testing::StoppedTwiceInARow(calls).empty()) << label;
    for (const auto& c : calls) {
      EXPECT_NE(c["result"], "RequestLimitExceeded") << label;
    }
    return left_stopped;
  }

  std::string dir_;
  std::string store_path_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<FakeCloud> cloud_;
  std::unique_ptr<Resetd> resetd_;
};

TEST_F(CrashTest, SigkillAtAnyMomentLosesNothingAndLeavesNothingStopped) {
  const int trials = Trials();
  std::mt19937 rng(20261124);
  int left_stopped = 0;
  int kills = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const std::string label = "trial " + std::to_string(trial);
    const std::string password = "Crash-Passw0rd!" + std::to_string(trial);
    auto before = cloud_->Instances();
    ASSERT_TRUE(cloud_->Post("/_fake/reset-calls"));
    const std::string job_id = Create("crash-" + std::to_string(trial), password);
    ASSERT_FALSE(job_id.empty()) << label;
    if (trial % 4 == 0) {
      // Between a stop's intent and its result: the cloud has the call,
      // the answer is held back, and resetd dies.
      ASSERT_TRUE(cloud_->Post("/_fake/faults", {{"latency_ms", {600, 800}}}));
      ASSERT_TRUE(AwaitCall("StopInstances", absl::Seconds(30))) << label;
    } else {
      // A different moment each trial, spread over the job.
      std::uniform_int_distribution<int> ms(50, 4000);
      std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
    }
    EXPECT_NE(resetd_->Stop(SIGKILL), -1) << label;
    ++kills;
    ASSERT_TRUE(cloud_->Post("/_fake/faults", {{"latency_ms", {20, 80}}}));
    ASSERT_TRUE(resetd_->Start()) << label << resetd_->Output();
    resetd::testing::FullJob job = AwaitEnd(job_id);
    left_stopped += CheckTrial(label, job, before, password);
    if (HasFailure()) break;
  }
  // The store never holds a password in plaintext: not the file, not its WAL.
  for (const char* suffix : {"", "-wal"}) {
    const std::string bytes = resetd::testing::ReadFile(store_path_ + suffix);
    for (int trial = 0; trial < trials; ++trial) {
      EXPECT_EQ(bytes.find("Crash-Passw0rd!" + std::to_string(trial)),
                std::string::npos)
          << store_path_ << suffix;
    }
  }
  std::printf("crash trials: %d, SIGKILLs: %d, instances left stopped: %d\n",
              trials, kills, left_stopped);
  EXPECT_EQ(left_stopped, 0);
}

// An instance belongs to one active job, across a crash: the claims are in
// the store, and recovery releases them by finishing the job.
TEST_F(CrashTest, ClaimSurvivesSigkillAndIsReleasedWhenRecoveryEndsTheJob) {
  auto before = cloud_->Instances();
  // Slow answers keep the job running well past the restart.
  ASSERT_TRUE(cloud_->Post("/_fake/faults", {{"latency_ms", {300, 500}}}));
  const std::string job_id = Create("claim-1", "Claim-Passw0rd!1");
  ASSERT_TRUE(AwaitCall("StopInstances", absl::Seconds(30)));
  EXPECT_NE(resetd_->Stop(SIGKILL), -1);
  ASSERT_TRUE(resetd_->Start()) << resetd_->Output();
  v1::ResetJob second;
  grpc::Status refused = TryCreate("claim-2", "Claim-Passw0rd!2", &second);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << refused.error_message();
  EXPECT_NE(refused.error_message().find(job_id), std::string::npos)
      << refused.error_message();
  ASSERT_TRUE(cloud_->Post("/_fake/faults", {{"latency_ms", {20, 80}}}));
  resetd::testing::FullJob job = AwaitEnd(job_id);
  EXPECT_EQ(CheckTrial("claim", job, before, "Claim-Passw0rd!1"), 0);
  // Recovery finished the first job: its instances are free again.
  grpc::Status accepted = TryCreate("claim-2", "Claim-Passw0rd!2", &second);
  ASSERT_TRUE(accepted.ok()) << accepted.error_message();
  EXPECT_EQ(CheckTrial("claim-2", AwaitEnd(second.job_id()), before,
                       "Claim-Passw0rd!2"),
            0);
}

TEST_F(CrashTest, SigtermMidJobShutsDownGracefullyAndTheJobCompletes) {
  auto before = cloud_->Instances();
  const std::string password = "Sigterm-Passw0rd!1";
  const std::string job_id = Create("sigterm-1", password);
  ASSERT_TRUE(AwaitCall("StopInstances", absl::Seconds(30)));
  const int status = resetd_->Stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << resetd_->Output();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(resetd_->Output().find("event=shutdown signal=SIGTERM"),
            std::string::npos);
  ASSERT_TRUE(resetd_->Start()) << resetd_->Output();
  EXPECT_NE(resetd_->Output().find("event=job_recovered job_id=" + job_id),
            std::string::npos);
  resetd::testing::FullJob job = AwaitEnd(job_id);
  EXPECT_EQ(CheckTrial("sigterm", job, before, password), 0);
  // A job accepted before the restart keeps its idempotency key.
  v1::CreateResetJobRequest again;
  again.set_request_id("sigterm-1");
  auto* t = again.add_targets();
  t->set_provider("tencent");
  t->set_region("ap-guangzhou");
  for (const auto& [id, i] : before) t->add_instance_ids(id);
  again.set_password(password);
  grpc::ClientContext ctx;
  v1::ResetJob same;
  ASSERT_TRUE(resetd_->stub().CreateResetJob(&ctx, again, &same).ok());
  EXPECT_EQ(same.job_id(), job_id);
}

}  // namespace
}  // namespace resetd
