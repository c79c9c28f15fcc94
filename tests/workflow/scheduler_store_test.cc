// The scheduler against a store that fails, and the metrics it exports
// about itself. Fake clock, as scheduler_test.cc.
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/fakes/failing_job_store.h"
#include "tests/workflow/scheduler_fixture.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using resetd::testing::FailingJobStore;
using testing::SchedulerTest;

class SchedulerStoreTest : public SchedulerTest {
 protected:
  SchedulerStoreTest() {
    auto failing = std::make_unique<FailingJobStore>(NewInMemoryJobStore());
    failing_ = failing.get();
    store_ = std::move(failing);
  }
  bool Has(const std::string& line) {
    return Metrics().find(line + "\n") != std::string::npos;
  }
  FailingJobStore* failing_;
};

TEST_F(SchedulerStoreTest, NothingIsSentWhileItsIntentCannotBeWritten) {
  auto ids = AddFleet("ins-r", 3, PowerState::kRunning);
  JobRun* job = AddJob(ids);
  failing_->set_fail_writes(true);
  const absl::Time start = clock_.Now();
  RunUntil([&] { return clock_.Now() >= start + absl::Seconds(30); });
  // Instances were observed, but no side effect went out unrecorded.
  EXPECT_FALSE(Calls("Describe").empty());
  EXPECT_TRUE(Calls("Stop").empty());
  EXPECT_GT(failing_->failed_writes(), 0);
  EXPECT_FALSE(IsTerminal(job->state));
  failing_->set_fail_writes(false);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (const auto& id : ids) {
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning);
    EXPECT_EQ(cloud_->Get(id).password, testing::kPassword);
  }
  // Every Stop that went out has its intent, with the instances' rows.
  auto steps = store_->Steps(job->job_id);
  ASSERT_TRUE(steps.ok());
  int stop_intents = 0;
  for (const auto& s : *steps) stop_intents += s.action == "Stop";
  EXPECT_EQ(stop_intents, static_cast<int>(Calls("Stop").size()));
}

TEST_F(SchedulerStoreTest, LimitsAndThrottlesAreExportedBeforeTheFirstCall) {
  providers_["tencent"].rate_per_second = {{"*", 10.0}, {"Describe", 40.0}};
  SetUpScheduler();
  EXPECT_TRUE(
      Has("resetd_rate_limit_requests_per_second{action=\"Describe\","
          "provider=\"tencent\"} 40"));
  EXPECT_TRUE(
      Has("resetd_rate_limit_requests_per_second{action=\"Stop\","
          "provider=\"tencent\"} 10"));
  EXPECT_TRUE(
      Has("resetd_throttled_total{action=\"ResetPassword\","
          "provider=\"tencent\"} 0"));
  EXPECT_TRUE(
      Has("resetd_cloud_requests_total{action=\"Stop\",code=\"OK\","
          "provider=\"tencent\"} 0"));
  EXPECT_TRUE(
      Has("resetd_cloud_request_duration_seconds_count{action=\"Start\","
          "provider=\"tencent\"} 0"));
}

TEST_F(SchedulerStoreTest, LastProgressIsTheTimeOfTheLastInstanceChange) {
  auto ids = AddFleet("ins-r", 2, PowerState::kRunning);
  EXPECT_TRUE(Has("resetd_last_progress_timestamp_seconds 0"));
  JobRun* job = AddJob(ids);
  RunJob(job);
  absl::Time last = absl::InfinitePast();
  for (const auto& t : job->tasks) {
    const auto result = ResultOf(*t);
    for (const auto& step : result.steps()) {
      last = std::max(last, absl::FromUnixSeconds(step.end_time().seconds()));
    }
  }
  const double want =
      absl::ToDoubleSeconds(job->update_time - absl::UnixEpoch());
  EXPECT_GE(job->update_time, last);
  EXPECT_NE(Metrics().find("resetd_last_progress_timestamp_seconds " +
                           std::to_string(static_cast<int64_t>(want))),
            std::string::npos)
      << Metrics();
}

}  // namespace
}  // namespace resetd::workflow
