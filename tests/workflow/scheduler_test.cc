#include "workflow/scheduler.h"

#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/workflow/scheduler_fixture.h"
#include "workflow/job_store.h"
#include "workflow/snapshot.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using resetd::testing::FakeCall;
using resetd::testing::FakeClock;
using resetd::testing::FakeCloudClient;
using ::testing::Each;
using ::testing::Le;

using testing::kPassword;
using testing::SchedulerTest;

TEST_F(SchedulerTest, RunningInstanceIsStoppedResetAndStartedAgain) {
  auto ids = AddFleet("ins-r", 3, PowerState::kRunning);
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (const auto& id : ids) {
    auto i = cloud_->Get(id);
    EXPECT_EQ(i.state, PowerState::kRunning) << id;
    EXPECT_EQ(i.password, kPassword) << id;
  }
  std::vector<std::string> order;
  for (const auto& c : cloud_->calls()) {
    if (c.action != "Describe") order.push_back(c.action);
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"Stop", "ResetPassword", "Start"}));
  const auto r = ResultOf(*job->tasks[0]);
  EXPECT_EQ(r.original_power_state(), resetd::v1::POWER_STATE_RUNNING);
  EXPECT_EQ(r.final_power_state(), resetd::v1::POWER_STATE_RUNNING);
  ASSERT_EQ(r.steps_size(), 3);
  EXPECT_EQ(r.steps(1).action(), "ResetPassword");
  EXPECT_FALSE(r.steps(1).request_id().empty());
}

TEST_F(SchedulerTest, StoppedInstanceIsResetAndStaysStopped) {
  auto ids = AddFleet("ins-s", 2, PowerState::kStopped);
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (const auto& id : ids) {
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kStopped);
    EXPECT_EQ(cloud_->Get(id).password, kPassword);
  }
  EXPECT_TRUE(Calls("Stop").empty());
  EXPECT_TRUE(Calls("Start").empty());
}

TEST_F(SchedulerTest, PowerPoliciesChooseTheFinalState) {
  auto stopped = AddFleet("ins-a", 2, PowerState::kStopped);
  JobRun* start_job = AddJob(stopped, resetd::v1::POWER_POLICY_ALWAYS_START);
  RunJob(start_job);
  for (const auto& id : stopped) {
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning);
  }
  auto running = AddFleet("ins-b", 2, PowerState::kRunning);
  JobRun* leave_job = AddJob(running, resetd::v1::POWER_POLICY_LEAVE_STOPPED);
  RunJob(leave_job);
  for (const auto& id : running) {
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kStopped);
    EXPECT_EQ(cloud_->Get(id).password, kPassword);
  }
}

TEST_F(SchedulerTest, BatchesNeverExceedTheLimitAndFillUp) {
  auto ids = AddFleet("ins-b", 250, PowerState::kRunning);
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (const auto& c : cloud_->calls()) EXPECT_LE(c.ids.size(), 100u);
  auto stops = Calls("Stop");
  std::multiset<size_t> sizes;
  for (const auto& c : stops) sizes.insert(c.ids.size());
  EXPECT_EQ(sizes, (std::multiset<size_t>{50, 100, 100}));
}

TEST_F(SchedulerTest, NoActionExceedsItsRateInAnySecond) {
  options_.linger = absl::ZeroDuration();  // send as soon as allowed
  cloud_->mutable_capabilities().max_stop_batch = 5;
  cloud_->mutable_capabilities().max_reset_batch = 5;
  cloud_->mutable_capabilities().max_start_batch = 5;
  // Describe carries twice the ids of the others: with as few (every call
  // at 50 ids/s) the job is bound by Describe and its lanes' turns (see
  // Batcher) leave resets short of their budget.
  cloud_->mutable_capabilities().max_describe_batch = 10;
  auto ids = AddFleet("ins-q", 300, PowerState::kRunning);
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (const char* action : {"Describe", "Stop", "ResetPassword", "Start"}) {
    EXPECT_LE(MaxPerSecond(action), 10) << action;
    EXPECT_GE(MaxPerSecond(action), 9) << action << " should use its budget";
  }
}

TEST_F(SchedulerTest, ForbiddenStatesFailWithoutBeingTouched) {
  auto ok = AddFleet("ins-ok", 2, PowerState::kRunning);
  cloud_->Add("ins-term", PowerState::kTerminating);
  cloud_->Add("ins-shut", PowerState::kShutdown);
  JobRun* job = AddJob({ok[0], ok[1], "ins-term", "ins-shut", "ins-gone"});
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_PARTIALLY_FAILED);
  std::map<std::string, std::string> codes;
  for (const auto& t : job->tasks) codes[t->id] = ResultOf(*t).error().code();
  EXPECT_EQ(codes["ins-term"], "InstanceState.TERMINATING");
  EXPECT_EQ(codes["ins-shut"], "InstanceState.SHUTDOWN");
  EXPECT_EQ(codes["ins-gone"], "InvalidInstanceId.NotFound");
  for (const auto& c : cloud_->calls()) {
    if (c.action == "Describe") continue;
    for (const auto& id : c.ids)
      EXPECT_THAT(id, ::testing::StartsWith("ins-ok"));
  }
}

TEST_F(SchedulerTest, TransitionalStateIsAwaitedThenDecided) {
  cloud_->Add("ins-t", PowerState::kRunning);
  cloud_->Edit("ins-t", [&](resetd::testing::FakeInstance& i) {
    i.state = PowerState::kStopping;
    i.next_state = PowerState::kStopped;
    i.next_at = clock_.Now() + absl::Seconds(3);
  });
  JobRun* job = AddJob({"ins-t"});
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(ResultOf(*job->tasks[0]).original_power_state(),
            resetd::v1::POWER_STATE_STOPPED);
  EXPECT_EQ(cloud_->Get("ins-t").state, PowerState::kStopped);
  EXPECT_TRUE(Calls("Stop").empty());
}

TEST_F(SchedulerTest, StuckInstanceTimesOutOnTheFakeClock) {
  options_.transition_timeout = absl::Seconds(30);
  cloud_->Add("ins-stuck", PowerState::kRunning);
  cloud_->Edit("ins-stuck",
               [](resetd::testing::FakeInstance& i) { i.stuck = true; });
  JobRun* job = AddJob({"ins-stuck"});
  const absl::Time start = clock_.Now();
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_FAILED);
  EXPECT_EQ(ResultOf(*job->tasks[0]).error().code(), "Timeout");
  EXPECT_GE(clock_.Now() - start, absl::Seconds(30));
}

TEST_F(SchedulerTest, ThrottlingIsRetriedSlowedAndCounted) {
  auto ids = AddFleet("ins-th", 3, PowerState::kStopped);
  cloud_->FailNext("ResetPassword", 2,
                   clients::MakeProviderStatus(
                       absl::StatusCode::kResourceExhausted,
                       {"RequestLimitExceeded", "slow down", "rq-1", 200}));
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(cloud_->Get(ids[0]).password, kPassword);
  EXPECT_THAT(Metrics(), ::testing::HasSubstr(
                             "resetd_throttled_total{action=\"ResetPassword\","
                             "provider=\"tencent\"} 2"));
}

TEST_F(SchedulerTest, RetryableErrorsAreRetriedThenFailButPowerIsRestored) {
  auto ids = AddFleet("ins-u", 1, PowerState::kRunning);
  cloud_->FailNext("ResetPassword", 10,
                   clients::MakeProviderStatus(
                       absl::StatusCode::kUnavailable,
                       {"InternalServerError", "oops", "rq-2", 200}));
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_FAILED);
  EXPECT_EQ(ResultOf(*job->tasks[0]).error().code(), "InternalServerError");
  EXPECT_EQ(ResultOf(*job->tasks[0]).error().request_id(), "rq-2");
  EXPECT_EQ(Calls("ResetPassword").size(), 4u);  // 1 + max_retries
  EXPECT_EQ(cloud_->Get(ids[0]).state, PowerState::kRunning);
  EXPECT_EQ(ResultOf(*job->tasks[0]).final_power_state(),
            resetd::v1::POWER_STATE_RUNNING);
}

TEST_F(SchedulerTest, ABadInstanceIsIsolatedFromItsBatch) {
  auto ids = AddFleet("ins-x", 8, PowerState::kStopped);
  // The provider rejects any batch that contains ins-x0005.
  cloud_->Edit(ids[5], [](resetd::testing::FakeInstance& i) {
    i.state = PowerState::kRunning;  // reset would be refused: running
  });
  // Observation says stopped (stale), so the engine tries a reset with it.
  JobRun* job = AddJob(ids);
  cloud_->FailNext(
      "ResetPassword", 1,
      clients::MakeProviderStatus(
          absl::StatusCode::kFailedPrecondition,
          {"UnsupportedOperation.InstanceStateRunning", "x0005", "rq-3", 200}));
  RunJob(job);
  // ins-x0005 was running: it was stopped, reset and started in the end;
  // everybody got the password.
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (const auto& id : ids) EXPECT_EQ(cloud_->Get(id).password, kPassword);
  EXPECT_EQ(cloud_->Get(ids[5]).state, PowerState::kRunning);
}

TEST_F(SchedulerTest, PersistentlyFailingInstanceFailsAloneAfterSplitting) {
  auto ids = AddFleet("ins-y", 8, PowerState::kStopped);
  cloud_->Edit(ids[3],
               [](resetd::testing::FakeInstance& i) { i.refuse_reset = true; });
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_PARTIALLY_FAILED);
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto r = ResultOf(*job->tasks[i]);
    if (i == 3) {
      EXPECT_EQ(r.state(), resetd::v1::INSTANCE_STATE_FAILED);
      EXPECT_EQ(r.error().code(), "InvalidParameter.Refused");
      EXPECT_TRUE(cloud_->Get(ids[i]).password.empty());
    } else {
      EXPECT_EQ(r.state(), resetd::v1::INSTANCE_STATE_SUCCEEDED) << ids[i];
      EXPECT_EQ(cloud_->Get(ids[i]).password, kPassword);
    }
  }
  // Halving 8 -> 4 -> 2 -> 1 isolates it: 1 + 2 + 2 + 2 calls.
  EXPECT_LE(Calls("ResetPassword").size(), 7u);
}

TEST_F(SchedulerTest, FailedResetStillRestoresPower) {
  auto ids = AddFleet("ins-f", 2, PowerState::kRunning);
  cloud_->Edit(ids[1],
               [](resetd::testing::FakeInstance& i) { i.reset_fails = true; });
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_PARTIALLY_FAILED);
  const auto failed = ResultOf(*job->tasks[1]);
  EXPECT_EQ(failed.state(), resetd::v1::INSTANCE_STATE_FAILED);
  EXPECT_EQ(failed.error().code(), "ResetFailed");
  EXPECT_EQ(failed.error().message(), "the guest agent did not answer");
  EXPECT_EQ(cloud_->Get(ids[1]).state, PowerState::kRunning);
  EXPECT_EQ(failed.final_power_state(), resetd::v1::POWER_STATE_RUNNING);
}

TEST_F(SchedulerTest, MaxUnavailableCapsInstancesHeldDown) {
  auto ids = AddFleet("ins-m", 30, PowerState::kRunning);
  int worst = 0;
  cloud_->OnChange(
      [&](const std::map<std::string, resetd::testing::FakeInstance>& all) {
        int down = 0;
        for (const auto& [id, i] : all) {
          if (i.state != PowerState::kRunning) ++down;
        }
        worst = std::max(worst, down);
      });
  JobRun* job = AddJob(ids, resetd::v1::POWER_POLICY_RESTORE_ORIGINAL, 4);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_LE(worst, 4);
  EXPECT_GE(worst, 1);
  for (const auto& id : ids)
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning);
}

TEST_F(SchedulerTest, CancelReturnsStoppedInstancesAndResetsNoMore) {
  auto ids = AddFleet("ins-c", 20, PowerState::kRunning);
  JobRun* job = AddJob(ids);
  // Run until the stop was accepted, then cancel.
  RunUntil([&] { return !Calls("Stop").empty(); });
  scheduler_->Cancel(*job);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_CANCELLED);
  EXPECT_TRUE(Calls("ResetPassword").empty());
  for (const auto& id : ids) {
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning) << id;
    EXPECT_TRUE(cloud_->Get(id).password.empty());
  }
  EXPECT_EQ(States(*job)[resetd::v1::INSTANCE_STATE_CANCELLED], 20);
}

TEST_F(SchedulerTest, DryRunOnlyObserves) {
  auto running = AddFleet("ins-d", 2, PowerState::kRunning);
  cloud_->Add("ins-dterm", PowerState::kTerminating);
  JobRun* job = AddJob({running[0], running[1], "ins-dterm"},
                       resetd::v1::POWER_POLICY_RESTORE_ORIGINAL, 0, true);
  RunJob(job);
  for (const auto& c : cloud_->calls()) EXPECT_EQ(c.action, "Describe");
  EXPECT_EQ(ResultOf(*job->tasks[0]).phase(),
            "dry-run: Stop, ResetPassword, Start");
  EXPECT_EQ(ResultOf(*job->tasks[2]).state(),
            resetd::v1::INSTANCE_STATE_FAILED);
}

TEST_F(SchedulerTest, DescribesAreSharedAcrossJobs) {
  auto a = AddFleet("ins-j", 50, PowerState::kStopped);
  auto b = AddFleet("ins-k", 50, PowerState::kStopped);
  JobRun* ja = AddJob(a);
  JobRun* jb = AddJob(b);
  RunUntil([&] { return IsTerminal(ja->state) && IsTerminal(jb->state); });
  auto first = Calls("Describe").front();
  EXPECT_EQ(first.ids.size(), 100u);  // both jobs' instances in one call
}

TEST_F(SchedulerTest, PasswordNeverInSnapshotsOrMetrics) {
  auto ids = AddFleet("ins-p", 3, PowerState::kRunning);
  cloud_->Edit(ids[0],
               [](resetd::testing::FakeInstance& i) { i.reset_fails = true; });
  JobRun* job = AddJob(ids);
  RunJob(job);
  std::string full =
      BuildSnapshot(*job, resetd::v1::JOB_VIEW_FULL).DebugString();
  EXPECT_EQ(full.find(kPassword), std::string::npos);
  EXPECT_EQ(Metrics().find(kPassword), std::string::npos);
  EXPECT_EQ(job->reset, nullptr) << "an ended job drops its password";
}

}  // namespace
}  // namespace resetd::workflow

namespace resetd::workflow {
namespace {

TEST_F(SchedulerTest, LogsOneLinePerEventAndNeverThePassword) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger log("test", sink);
  log.set_level(spdlog::level::debug);
  scheduler_ = std::make_unique<Scheduler>(
      providers_, clock_, *store_, metrics_, dispatcher_, options_, &log);
  auto ids = AddFleet("ins-l", 3, PowerState::kRunning);
  cloud_->Edit(ids[0],
               [](resetd::testing::FakeInstance& i) { i.reset_fails = true; });
  JobRun* job = AddJob(ids);
  RunJob(job);
  const std::string text = out.str();
  EXPECT_NE(text.find("event=job_accepted job_id=" + job->job_id),
            std::string::npos);
  EXPECT_NE(text.find("event=call_sent"), std::string::npos);
  EXPECT_NE(text.find("event=instance_failed job_id=" + job->job_id +
                      " instance_id=ins-l0000 code=ResetFailed"),
            std::string::npos);
  EXPECT_NE(text.find("event=job_ended job_id=" + job->job_id +
                      " state=JOB_STATE_PARTIALLY_FAILED succeeded=2 failed=1"),
            std::string::npos);
  EXPECT_EQ(text.find(kPassword), std::string::npos);
}

}  // namespace
}  // namespace resetd::workflow

namespace resetd::workflow {
namespace {

TEST_F(SchedulerTest, ResetResultWithoutRequestIdIsTakenAfterOperating) {
  auto ids = AddFleet("ins-n", 2, PowerState::kStopped);
  cloud_->Edit(ids[1],
               [](resetd::testing::FakeInstance& i) { i.reset_fails = true; });
  cloud_->set_hide_request_ids(true);
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(ResultOf(*job->tasks[0]).state(),
            resetd::v1::INSTANCE_STATE_SUCCEEDED);
  EXPECT_EQ(ResultOf(*job->tasks[1]).state(),
            resetd::v1::INSTANCE_STATE_FAILED);
  EXPECT_EQ(ResultOf(*job->tasks[1]).error().code(), "ResetFailed");
  EXPECT_EQ(cloud_->Get(ids[0]).password, kPassword);
}

}  // namespace
}  // namespace resetd::workflow

namespace resetd::workflow {
namespace {

// Crashes after every possible number of ticks of a small job; each time a
// new scheduler resumes from the store. Whatever the moment, every instance
// ends with the password and in its original power state, and no instance
// is stopped twice without a start in between.
TEST_F(SchedulerTest, RecoveryFromACrashAtAnyTickFinishesSafely) {
  for (int crash_after = 1; crash_after < 60; crash_after += 3) {
    cloud_ = std::make_shared<FakeCloudClient>(clock_);
    providers_["tencent"].client = cloud_;
    store_ = NewInMemoryJobStore();
    scheduler_.reset();
    auto running = AddFleet("ins-cr", 4, PowerState::kRunning);
    auto stopped = AddFleet("ins-cs", 3, PowerState::kStopped);
    std::vector<std::string> ids = running;
    ids.insert(ids.end(), stopped.begin(), stopped.end());
    JobRun* job = AddJob(ids);
    for (int i = 0; i < crash_after && !IsTerminal(job->state); ++i) {
      absl::Time next = scheduler_->Tick();
      if (next == absl::InfiniteFuture()) break;
      clock_.AdvanceTo(next);
    }
    auto recovered = CrashAndRecover();
    if (!recovered.empty()) {
      ASSERT_EQ(recovered.size(), 1u);
      RunJob(recovered[0]);
      EXPECT_EQ(recovered[0]->state, resetd::v1::JOB_STATE_SUCCEEDED)
          << "crash after " << crash_after;
    }
    for (const auto& id : running) {
      EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning)
          << id << " crash after " << crash_after;
    }
    for (const auto& id : stopped) {
      EXPECT_EQ(cloud_->Get(id).state, PowerState::kStopped)
          << id << " crash after " << crash_after;
    }
    for (const auto& id : ids) EXPECT_EQ(cloud_->Get(id).password, kPassword);
    std::map<std::string, std::string> last;
    for (const auto& c : cloud_->calls()) {
      if (c.action != "Stop" && c.action != "Start") continue;
      for (const auto& id : c.ids) {
        EXPECT_FALSE(c.action == "Stop" && last[id] == "Stop")
            << id << " stopped twice, crash after " << crash_after;
        last[id] = c.action;
      }
    }
  }
}

TEST_F(SchedulerTest, IntentIsStoredBeforeTheCallAndResultAfter) {
  auto ids = AddFleet("ins-w", 2, PowerState::kRunning);
  JobRun* job = AddJob(ids);
  RunUntil([&] { return !Calls("Stop").empty(); });
  auto steps = store_->Steps(job->job_id);
  ASSERT_TRUE(steps.ok());
  ASSERT_FALSE(steps->empty());
  EXPECT_EQ(steps->front().action, "Stop");
  EXPECT_EQ(steps->front().instance_ids.size(), 2u);
  auto stored = store_->GetJob(job->job_id, true);
  ASSERT_TRUE(stored.ok());
  for (const auto& r : stored->instances) {
    EXPECT_EQ(r.original_power_state(), resetd::v1::POWER_STATE_RUNNING)
        << "original state is durable before the stop";
  }
  RunJob(job);
  steps = store_->Steps(job->job_id);
  for (const auto& s : *steps) {
    EXPECT_TRUE(s.done) << s.action;
    EXPECT_EQ(s.outcome, "OK");
    EXPECT_FALSE(s.request_id.empty());
  }
  auto ended = store_->GetJob(job->job_id, false);
  EXPECT_EQ(ended->state, resetd::v1::JOB_STATE_SUCCEEDED);
  auto unfinished = store_->LoadUnfinished();
  EXPECT_TRUE(unfinished->empty());
}

}  // namespace
}  // namespace resetd::workflow

namespace resetd::workflow {
namespace {

TEST_F(SchedulerTest, NextBootProviderResetsThenRebootsRunningOnes) {
  auto& caps = cloud_->mutable_capabilities();
  caps.reset_effect = clients::ResetEffect::kAppliesAtNextBoot;
  caps.reset_result_observable = false;
  caps.max_reset_batch =
      1;  // Alibaba: one instance per ModifyInstanceAttribute
  auto running = AddFleet("ins-nr", 3, PowerState::kRunning);
  auto stopped = AddFleet("ins-ns", 2, PowerState::kStopped);
  std::vector<std::string> ids = running;
  ids.insert(ids.end(), stopped.begin(), stopped.end());
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_TRUE(Calls("Stop").empty());
  EXPECT_TRUE(Calls("Start").empty());
  EXPECT_EQ(Calls("ResetPassword").size(), 5u);  // one instance per call
  std::set<std::string> rebooted;
  for (const auto& c : Calls("Reboot"))
    rebooted.insert(c.ids.begin(), c.ids.end());
  EXPECT_EQ(rebooted, std::set<std::string>(running.begin(), running.end()));
  for (const auto& id : running)
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning);
  for (const auto& id : stopped)
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kStopped);
  for (const auto& t : job->tasks) {
    EXPECT_EQ(ResultOf(*t).verification(),
              resetd::v1::RESET_VERIFICATION_VERIFIED);
  }
}

TEST_F(SchedulerTest, SelfRestartingResetIsFollowedByAStartWhereNeeded) {
  auto& caps = cloud_->mutable_capabilities();
  caps.reset_effect = clients::ResetEffect::kRestartsItself;
  auto running = AddFleet("ins-lr", 2, PowerState::kRunning);
  auto stopped = AddFleet("ins-ls", 1, PowerState::kStopped);
  std::vector<std::string> ids = running;
  ids.insert(ids.end(), stopped.begin(), stopped.end());
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_TRUE(Calls("Stop").empty()) << "the reset stops instances itself";
  std::set<std::string> started;
  for (const auto& c : Calls("Start"))
    started.insert(c.ids.begin(), c.ids.end());
  EXPECT_EQ(started, std::set<std::string>(running.begin(), running.end()));
  for (const auto& id : running)
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning);
  EXPECT_EQ(cloud_->Get(stopped[0]).state, PowerState::kStopped);
  for (const auto& id : ids) EXPECT_EQ(cloud_->Get(id).password, kPassword);
}

TEST_F(SchedulerTest, UnverifiableProviderMarksResultsAppliedUnverifiable) {
  auto& caps = cloud_->mutable_capabilities();
  caps.reset_effect = clients::ResetEffect::kAppliesAtNextBoot;
  caps.reset_result_observable = false;
  caps.reset_verifiable = false;  // Huawei: no check, no failure report
  auto ids = AddFleet("ins-h", 2, PowerState::kRunning);
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (const auto& t : job->tasks) {
    EXPECT_EQ(ResultOf(*t).verification(),
              resetd::v1::RESET_VERIFICATION_UNVERIFIABLE);
  }
}

TEST_F(SchedulerTest, VncJobResetsTheVncPasswordWithoutTouchingPower) {
  auto& caps = cloud_->mutable_capabilities();
  caps.vnc_password = true;
  caps.max_vnc_batch = 1;
  auto ids = AddFleet("ins-v", 3, PowerState::kRunning);
  if (!scheduler_) SetUpScheduler();
  JobRun* job = AddJob(ids);
  job->spec.set_password_kind(resetd::v1::PASSWORD_KIND_VNC);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(Calls("ResetVncPassword").size(), 3u);
  EXPECT_TRUE(Calls("ResetPassword").empty());
  EXPECT_TRUE(Calls("Stop").empty());
  EXPECT_TRUE(Calls("Reboot").empty());
  for (const auto& id : ids) {
    EXPECT_EQ(cloud_->Get(id).vnc_password, kPassword);
    EXPECT_TRUE(cloud_->Get(id).password.empty());
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning);
  }
}

}  // namespace
}  // namespace resetd::workflow

namespace resetd::workflow {
namespace {

TEST_F(SchedulerTest, CredentialErrorsFailTheJobAtOnceInsteadOfLooping) {
  auto ids = AddFleet("ins-a", 150, PowerState::kRunning);
  cloud_->FailNext(
      "Describe", 1000,
      clients::MakeProviderStatus(
          absl::StatusCode::kUnauthenticated,
          {"AuthFailure.SignatureFailure", "bad signature", "rq-9", 200}));
  JobRun* job = AddJob(ids);
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_FAILED);
  EXPECT_EQ(ResultOf(*job->tasks[0]).error().code(),
            "AuthFailure.SignatureFailure");
  EXPECT_LE(Calls("Describe").size(), 2u) << "one call per batch of 100";
}

TEST_F(SchedulerTest, AnInstanceThatSpoilsDescribeIsIsolated) {
  auto ids = AddFleet("ins-d", 8, PowerState::kStopped);
  // The first three Describe calls fail as a whole (say, a malformed id);
  // halving isolates nothing here, but the job must neither loop nor merge
  // the halves back into one call.
  cloud_->FailNext("Describe", 3,
                   clients::MakeProviderStatus(
                       absl::StatusCode::kInvalidArgument,
                       {"InvalidInstanceId.Malformed", "bad id", "rq-8", 200}));
  JobRun* job = AddJob(ids);
  RunJob(job);
  auto describes = Calls("Describe");
  ASSERT_GE(describes.size(), 3u);
  EXPECT_EQ(describes[0].ids.size(), 8u);
  EXPECT_EQ(describes[1].ids.size(), 4u);
  EXPECT_EQ(describes[2].ids.size(), 4u);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
}

}  // namespace
}  // namespace resetd::workflow

namespace resetd::workflow {
namespace {

TEST_F(SchedulerTest, RebootTooShortToObserveStillCompletes) {
  auto& caps = cloud_->mutable_capabilities();
  caps.reset_effect = clients::ResetEffect::kAppliesAtNextBoot;
  caps.reset_result_observable = false;
  cloud_ = std::make_shared<FakeCloudClient>(clock_, absl::Milliseconds(10));
  cloud_->mutable_capabilities() = caps;
  providers_["tencent"].client = cloud_;
  cloud_->set_hide_request_ids(true);  // no operation to match either
  auto ids = AddFleet("ins-q", 2, PowerState::kRunning);
  JobRun* job = AddJob(ids);
  const absl::Time start = clock_.Now();
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(Calls("Reboot").size(), 1u);
  EXPECT_LT(clock_.Now() - start, absl::Minutes(1)) << "no wait for a timeout";
}

}  // namespace
}  // namespace resetd::workflow
