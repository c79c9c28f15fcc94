#include "cli/summary.h"

#include <algorithm>

#include "cli/job_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Instances = google::protobuf::RepeatedPtrField<resetd::v1::InstanceResult>;

void AddInstance(Instances& out, const std::string& id,
                 resetd::v1::InstanceState state,
                 resetd::v1::PowerState power) {
  auto* i = out.Add();
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

// A job's FULL view with `ok` succeeded and `failed` failed instances (all
// under one code), and its failed instances as a FAILED listing gives them.
struct Finished {
  resetd::v1::ResetJob job;
  Instances failed;
  Instances all;
};

Finished PartiallyFailed(int ok, int failed) {
  Finished f;
  f.job.set_job_id("job-7");
  f.job.set_state(resetd::v1::JOB_STATE_PARTIALLY_FAILED);
  f.job.mutable_counts()->set_total(ok + failed);
  f.job.mutable_counts()->set_succeeded(ok);
  f.job.mutable_counts()->set_failed(failed);
  for (int i = 0; i < ok; ++i) {
    AddInstance(f.all, "ins-ok" + std::to_string(i),
                resetd::v1::INSTANCE_STATE_SUCCEEDED,
                i % 2 ? resetd::v1::POWER_STATE_STOPPED
                      : resetd::v1::POWER_STATE_RUNNING);
  }
  for (int i = 0; i < failed; ++i) {
    AddInstance(f.failed, "ins-bad" + std::to_string(i),
                resetd::v1::INSTANCE_STATE_FAILED,
                resetd::v1::POWER_STATE_RUNNING);
    *f.all.Add() = f.failed[i];
  }
  if (failed > 0) {
    auto* count = f.job.add_failures();
    count->set_provider("tencent");
    count->set_code("OperationDenied.InstanceOperationInProgress");
    count->set_count(failed);
    for (int i = 0; i < std::min(failed, 3); ++i) {
      count->add_sample_instance_ids("ins-bad" + std::to_string(i));
    }
  }
  return f;
}

TEST(SummaryTest, CountsByStateFailuresByCodeAndFailedInstances) {
  Finished f = PartiallyFailed(4, 2);
  std::string s = RenderSummary(f.job, f.failed);
  EXPECT_EQ(s,
            "job job-7 PARTIALLY_FAILED\n"
            "instances by state:\n"
            "  SUCCEEDED  4\n"
            "  FAILED     2\n"
            "  TOTAL      6\n"
            "failures by code:\n"
            "  PROVIDER  CODE                                         COUNT  "
            "E.G.\n"
            "  tencent   OperationDenied.InstanceOperationInProgress  2      "
            "ins-bad0,ins-bad1\n"
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

TEST(SummaryTest, FailedListIsCappedAndSaysHowToSeeTheRest) {
  Finished f = PartiallyFailed(1, 25);
  std::string s = RenderSummary(f.job, f.failed, /*max_failed=*/20);
  EXPECT_THAT(s, HasSubstr("failed instances (25):"));
  EXPECT_THAT(s, HasSubstr("ins-bad19 "));
  EXPECT_THAT(s, Not(HasSubstr("ins-bad20 ")));
  EXPECT_THAT(s, HasSubstr("  ... and 5 more: resetctl get job-7 --failed\n"));
}

TEST(SummaryTest, FailuresNotListedAreCountedFromTheJob) {
  // Only the counts came through (e.g. the listing failed).
  Finished f = PartiallyFailed(1, 4);
  std::string s = RenderSummary(f.job, Instances());
  EXPECT_THAT(s, HasSubstr("failed instances (4):\n"
                           "  ... and 4 more: resetctl get job-7 --failed\n"));
}

TEST(SummaryTest, FailureCodesBeyondTheListedOnesAreCounted) {
  Finished f = PartiallyFailed(0, 5);
  f.job.mutable_failures(0)->set_count(3);
  EXPECT_THAT(RenderFailureCounts(f.job),
              HasSubstr("  ... and 2 more under other codes\n"));
}

TEST(SummaryTest, WithoutFailuresOnlyCounts) {
  resetd::v1::ResetJob job;
  job.set_job_id("job-1");
  job.set_state(resetd::v1::JOB_STATE_SUCCEEDED);
  job.set_dry_run(true);
  job.mutable_counts()->set_total(3);
  job.mutable_counts()->set_succeeded(3);
  EXPECT_EQ(RenderSummary(job, Instances()),
            "job job-1 SUCCEEDED (dry run)\n"
            "instances by state:\n"
            "  SUCCEEDED  3\n"
            "  TOTAL      3\n");
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
  Instances instances;
  auto* i = instances.Add();
  i->set_instance_id("0c9e2b1a-3f4d-4e5f-8a7b-6c5d4e3f2a1b");
  i->set_verification(resetd::v1::RESET_VERIFICATION_UNVERIFIABLE);
  const std::string text = RenderInstances(instances);
  EXPECT_THAT(text, HasSubstr("RESET"));
  EXPECT_THAT(text, HasSubstr("applied, unverifiable"));
  EXPECT_THAT(RenderInstances(instances, /*header=*/false),
              Not(HasSubstr("RESET")));
}

TEST(JobTextTest, JobAndListRendering) {
  Finished f = PartiallyFailed(1, 1);
  resetd::v1::ResetJob& job = f.job;
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
  auto* counted = job.add_targets();
  counted->set_provider("tencent");
  counted->set_region("ap-guangzhou");
  counted->set_instance_count(20000);
  EXPECT_THAT(RenderJob(job),
              HasSubstr("tencent/ap-guangzhou  UNSPECIFIED  20000 instances\n"));
  EXPECT_THAT(RenderInstances(f.all), HasSubstr("ins-bad0  tencent"));
  EXPECT_THAT(text, HasSubstr("password kind    LOGIN\n"));
  resetd::v1::ListResetJobsResponse page;
  EXPECT_EQ(RenderJobList(page), "no jobs\n");
  *page.add_jobs() = job;
  EXPECT_THAT(RenderJobList(page),
              HasSubstr("job-7  PARTIALLY_FAILED  2      1   1"));
}

}  // namespace
}  // namespace resetd::cli
