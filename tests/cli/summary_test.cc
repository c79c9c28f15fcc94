#include "cli/summary.h"

#include "cli/job_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

void AddInstance(resetd::v1::ResetJob& job, const std::string& id,
                 resetd::v1::InstanceState state,
                 resetd::v1::PowerState power) {
  auto* i = job.add_instances();
  i->set_instance_id(id);
  i->set_provider("tencent");
  i->set_region("ap-guangzhou");
  i->set_state(state);
  i->set_final_power_state(power);
  if (state == resetd::v1::INSTANCE_STATE_FAILED) {
    i->mutable_error()->set_code("OperationDenied.InstanceOperationInProgress");
    i->mutable_error()->set_message("busy " + id);
    i->mutable_error()->set_request_id("req-" + id);
  }
}

resetd::v1::ResetJob PartiallyFailed(int ok, int failed) {
  resetd::v1::ResetJob job;
  job.set_job_id("job-7");
  job.set_state(resetd::v1::JOB_STATE_PARTIALLY_FAILED);
  job.mutable_counts()->set_total(ok + failed);
  job.mutable_counts()->set_succeeded(ok);
  job.mutable_counts()->set_failed(failed);
  for (int i = 0; i < ok; ++i) {
    AddInstance(job, "ins-ok" + std::to_string(i),
                resetd::v1::INSTANCE_STATE_SUCCEEDED,
                i % 2 ? resetd::v1::POWER_STATE_STOPPED
                      : resetd::v1::POWER_STATE_RUNNING);
  }
  for (int i = 0; i < failed; ++i) {
    AddInstance(job, "ins-bad" + std::to_string(i),
                resetd::v1::INSTANCE_STATE_FAILED,
                resetd::v1::POWER_STATE_RUNNING);
  }
  return job;
}

TEST(SummaryTest, CountsByStateAndPowerAndFailures) {
  std::string s = RenderSummary(PartiallyFailed(4, 2));
  EXPECT_EQ(s,
            "job job-7 PARTIALLY_FAILED\n"
            "instances by state:\n"
            "  SUCCEEDED  4\n"
            "  FAILED     2\n"
            "  TOTAL      6\n"
            "instances by final power state:\n"
            "  RUNNING  4\n"
            "  STOPPED  2\n"
            "failed instances (2):\n"
            "  INSTANCE  PROVIDER  REGION        CODE                          "
            "               MESSAGE        REQUEST ID\n"
            "  ins-bad0  tencent   ap-guangzhou  "
            "OperationDenied.InstanceOperationInProgress  busy ins-bad0  "
            "req-ins-bad0\n"
            "  ins-bad1  tencent   ap-guangzhou  "
            "OperationDenied.InstanceOperationInProgress  busy ins-bad1  "
            "req-ins-bad1\n");
}

TEST(SummaryTest, FailedListIsCapped) {
  std::string s = RenderSummary(PartiallyFailed(1, 25), /*max_failed=*/20);
  EXPECT_THAT(s, HasSubstr("failed instances (25):"));
  EXPECT_THAT(s, HasSubstr("ins-bad19 "));
  EXPECT_THAT(s, Not(HasSubstr("ins-bad20")));
  EXPECT_THAT(s, HasSubstr("  ... and 5 more\n"));
}

TEST(SummaryTest, WithoutInstancesSaysSo) {
  resetd::v1::ResetJob job;
  job.set_job_id("job-1");
  job.set_state(resetd::v1::JOB_STATE_SUCCEEDED);
  job.set_dry_run(true);
  job.mutable_counts()->set_total(3);
  job.mutable_counts()->set_succeeded(3);
  EXPECT_EQ(RenderSummary(job),
            "job job-1 SUCCEEDED (dry run)\n"
            "instances by state:\n"
            "  SUCCEEDED  3\n"
            "  TOTAL      3\n"
            "(no per-instance results)\n");
}

TEST(JobTextTest, ShortNamesAndTerminalStates) {
  EXPECT_EQ(ShortName(resetd::v1::JOB_STATE_PARTIALLY_FAILED),
            "PARTIALLY_FAILED");
  EXPECT_EQ(ShortName(resetd::v1::POWER_STATE_RUNNING), "RUNNING");
  EXPECT_EQ(ShortName(static_cast<resetd::v1::JobState>(99)), "99");
  EXPECT_TRUE(IsTerminal(resetd::v1::JOB_STATE_CANCELLED));
  EXPECT_FALSE(IsTerminal(resetd::v1::JOB_STATE_RUNNING));
}

TEST(JobTextTest, VerificationAndPasswordKindText) {
  EXPECT_EQ(VerificationText(resetd::v1::RESET_VERIFICATION_VERIFIED),
            "verified");
  EXPECT_EQ(VerificationText(resetd::v1::RESET_VERIFICATION_UNVERIFIABLE),
            "applied, unverifiable");
  EXPECT_EQ(VerificationText(resetd::v1::RESET_VERIFICATION_UNSPECIFIED), "-");
  EXPECT_EQ(ShortName(resetd::v1::PASSWORD_KIND_UNSPECIFIED), "LOGIN");
  EXPECT_EQ(ShortName(resetd::v1::PASSWORD_KIND_VNC), "VNC");
  resetd::v1::ResetJob job;
  auto* i = job.add_instances();
  i->set_instance_id("0c9e2b1a-3f4d-4e5f-8a7b-6c5d4e3f2a1b");
  i->set_verification(resetd::v1::RESET_VERIFICATION_UNVERIFIABLE);
  const std::string text = RenderInstances(job);
  EXPECT_THAT(text, HasSubstr("RESET"));
  EXPECT_THAT(text, HasSubstr("applied, unverifiable"));
}

TEST(JobTextTest, JobAndListRendering) {
  resetd::v1::ResetJob job = PartiallyFailed(1, 1);
  job.set_request_id("rid-9");
  job.mutable_create_time()->set_seconds(1717200000);
  auto* t = job.add_targets();
  t->set_provider("aliyun");
  t->set_region("cn-hangzhou");
  t->add_instance_ids("i-1");
  std::string text = RenderJob(job);
  EXPECT_THAT(text, HasSubstr("request id       rid-9\n"));
  EXPECT_THAT(text, HasSubstr("created          2024-06-01T00:00:00Z\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "target           aliyun/cn-hangzhou  UNSPECIFIED  1 instances\n"));
  EXPECT_THAT(RenderInstances(job), HasSubstr("ins-bad0  tencent"));
  EXPECT_THAT(text, HasSubstr("password kind    LOGIN\n"));
  resetd::v1::ListResetJobsResponse page;
  EXPECT_EQ(RenderJobList(page), "no jobs\n");
  *page.add_jobs() = job;
  EXPECT_THAT(RenderJobList(page),
              HasSubstr("job-7  PARTIALLY_FAILED  2      1   1"));
}

}  // namespace
}  // namespace resetd::cli
