// Claims on a fake clock: one instance, one active job. Jobs are planned as
// the engine plans them (PlanClaims), stored, and run by the scheduler.
#include "workflow/claims.h"

#include <map>
#include <string>
#include <vector>

#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "tests/workflow/scheduler_fixture.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using google::protobuf::util::TimeUtil;
using testing::SchedulerTest;

constexpr char kSecondPassword[] = "Qz9#laterPassw0rd";

class ClaimsTest : public SchedulerTest {
 protected:
  ClaimsTest() { providers_["tencent"].claim_scope = "tencent:key:1"; }

  // Plans, stores and starts a job on `ids` as the engine does.
  JobRun* Add(const std::vector<std::string>& ids,
              resetd::v1::OnConflict mode = resetd::v1::ON_CONFLICT_REJECT,
              const std::string& password = testing::kPassword,
              bool dry_run = false) {
    auto job = NewJobRun(ids, password);
    job->spec.set_on_conflict(mode);
    job->spec.set_dry_run(dry_run);
    auto conflicts = PlanClaims(*store_, *job);
    EXPECT_TRUE(conflicts.ok()) << conflicts.status();
    EXPECT_FALSE(!conflicts->empty() && RejectsConflicts(job->spec));
    return StoreAndAdd(std::move(job));
  }

  // Runs until `job` has sent its first Stop: it holds instances stopped.
  void RunUntilStopping() {
    RunUntil([&] { return !Calls("Stop").empty(); });
  }

  std::optional<ClaimHolder> Holder(const std::string& id) {
    ClaimKey key{"tencent:key:1", "ap-guangzhou", id};
    auto holders = store_->FindClaims({key});
    EXPECT_TRUE(holders.ok());
    return holders.ok() ? holders->front() : std::nullopt;
  }

  static absl::Time StepStart(const resetd::v1::Step& s) {
    return absl::FromUnixNanos(
        TimeUtil::TimestampToNanoseconds(s.start_time()));
  }
  static absl::Time StepEnd(const resetd::v1::Step& s) {
    return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(s.end_time()));
  }
};

TEST_F(ClaimsTest, WaitingInstancesStartOnlyAfterTheEarlierJobReleasesThem) {
  auto running = AddFleet("ins-r", 4, PowerState::kRunning);
  auto stopped = AddFleet("ins-s", 2, PowerState::kStopped);
  std::vector<std::string> all = running;
  all.insert(all.end(), stopped.begin(), stopped.end());
  JobRun* a = Add(all);
  RunUntilStopping();
  JobRun* b = Add(all, resetd::v1::ON_CONFLICT_WAIT, kSecondPassword);
  for (const auto& t : b->tasks) {
    EXPECT_EQ(ResultOf(*t).phase(), "wait:job " + a->job_id) << t->id;
    EXPECT_EQ(ResultOf(*t).state(), resetd::v1::INSTANCE_STATE_PENDING);
    EXPECT_EQ(Holder(t->id), (ClaimHolder{a->job_id, t->index}));
  }
  // When each instance is done in A, and when B takes it.
  std::map<size_t, absl::Time> a_done, b_took;
  RunUntil([&] {
    for (size_t i = 0; i < all.size(); ++i) {
      if (a->tasks[i]->phase == Task::Phase::kDone) {
        a_done.emplace(i, clock_.Now());
      }
      if (b->tasks[i]->phase != Task::Phase::kClaim) {
        b_took.emplace(i, clock_.Now());
      }
    }
    return IsTerminal(a->state) && IsTerminal(b->state);
  });
  EXPECT_EQ(a->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(b->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (size_t i = 0; i < all.size(); ++i) {
    // B takes the instance when A is done with it: at once, not with the
    // periodic sweep (5 s).
    EXPECT_GE(b_took.at(i), a_done.at(i)) << all[i];
    EXPECT_LT(b_took.at(i), a_done.at(i) + absl::Seconds(1)) << all[i];
    const auto ta = ResultOf(*a->tasks[i]);
    const auto tb = ResultOf(*b->tasks[i]);
    ASSERT_FALSE(ta.steps().empty());
    ASSERT_FALSE(tb.steps().empty());
    // Every side effect of B's comes after A's last one on that instance.
    EXPECT_GE(StepStart(tb.steps(0)), StepEnd(*ta.steps().rbegin())) << all[i];
    EXPECT_EQ(tb.original_power_state(), ta.original_power_state());
    auto cloud = cloud_->Get(all[i]);
    EXPECT_EQ(cloud.password, kSecondPassword) << all[i];
    EXPECT_EQ(cloud.state,
              i < running.size() ? PowerState::kRunning : PowerState::kStopped);
    EXPECT_EQ(Holder(all[i]), std::nullopt);  // both ended: released
  }
  EXPECT_TRUE(StoppedTwiceWithoutStart().empty());
}

TEST_F(ClaimsTest, LaterJobRestoresThePowerStateTheEarlierJobRecorded) {
  auto ids = AddFleet("ins-r", 1, PowerState::kRunning);
  // A cannot start the instance again: it ends FAILED, left stopped.
  JobRun* a = Add(ids);
  RunUntilStopping();
  JobRun* b = Add(ids, resetd::v1::ON_CONFLICT_WAIT, kSecondPassword);
  cloud_->FailNext("Start", 2,
                   absl::FailedPreconditionError("start refused in the test"));
  RunUntil([&] { return IsTerminal(a->state); });
  ASSERT_EQ(ResultOf(*a->tasks[0]).state(), resetd::v1::INSTANCE_STATE_FAILED);
  ASSERT_EQ(ResultOf(*a->tasks[0]).final_power_state(),
            resetd::v1::POWER_STATE_STOPPED);
  RunJob(b);
  // B saw it STOPPED, but the fleet had it RUNNING before either job.
  EXPECT_EQ(b->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(ResultOf(*b->tasks[0]).original_power_state(),
            resetd::v1::POWER_STATE_RUNNING);
  EXPECT_EQ(cloud_->Get(ids[0]).state, PowerState::kRunning);
  EXPECT_EQ(cloud_->Get(ids[0]).password, kSecondPassword);
}

TEST_F(ClaimsTest, SkipCancelsHeldInstancesAndNamesTheHolder) {
  auto ids = AddFleet("ins-r", 6, PowerState::kRunning);
  JobRun* a = Add(std::vector<std::string>(ids.begin(), ids.begin() + 4));
  JobRun* b = Add(std::vector<std::string>(ids.begin() + 2, ids.end()),
                  resetd::v1::ON_CONFLICT_SKIP, kSecondPassword);
  for (int i : {0, 1}) {
    const auto r = ResultOf(*b->tasks[i]);
    EXPECT_EQ(r.state(), resetd::v1::INSTANCE_STATE_CANCELLED);
    EXPECT_EQ(r.error().code(), "HeldByActiveJob");
    EXPECT_NE(r.error().message().find(a->job_id), std::string::npos);
    EXPECT_EQ(r.phase(), "skipped: held by job " + a->job_id);
  }
  RunUntil([&] { return IsTerminal(a->state) && IsTerminal(b->state); });
  EXPECT_EQ(b->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(cloud_->Get(ids[i]).password,
              i < 4 ? testing::kPassword : kSecondPassword)
        << ids[i];
    EXPECT_EQ(cloud_->Get(ids[i]).state, PowerState::kRunning);
  }
}

TEST_F(ClaimsTest, JobWhoseInstancesAreAllSkippedEndsCancelled) {
  auto ids = AddFleet("ins-r", 3, PowerState::kRunning);
  JobRun* a = Add(ids);
  JobRun* b = Add(ids, resetd::v1::ON_CONFLICT_SKIP, kSecondPassword);
  EXPECT_EQ(b->state, resetd::v1::JOB_STATE_CANCELLED);
  RunJob(a);
  EXPECT_EQ(a->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_NE(Metrics().find("resetd_instances_total{result=\"cancelled\"} 3"),
            std::string::npos);
}

TEST_F(ClaimsTest, RejectNamesEveryConflictBoundedWithACount) {
  auto ids = AddFleet("ins-r", 30, PowerState::kRunning);
  JobRun* a = Add(ids);
  auto b = NewJobRun(ids, kSecondPassword);
  auto conflicts = PlanClaims(*store_, *b);
  ASSERT_TRUE(conflicts.ok());
  ASSERT_EQ(conflicts->size(), 30u);
  ASSERT_TRUE(RejectsConflicts(b->spec));
  absl::Status error = ClaimConflictError(*conflicts);
  EXPECT_EQ(error.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(error.message().find(a->job_id + ": 30"), std::string::npos)
      << error.message();
  auto payload = error.GetPayload(kPreconditionFailurePayloadUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::PreconditionFailure details;
  ASSERT_TRUE(details.ParseFromString(std::string(*payload)));
  ASSERT_EQ(details.violations_size(), kMaxConflictsListed + 1);
  EXPECT_EQ(details.violations(0).subject(), "tencent/ap-guangzhou/" + ids[0]);
  EXPECT_EQ(details.violations(0).description(), "held by job " + a->job_id);
  EXPECT_EQ(details.violations(kMaxConflictsListed).description(),
            "and 10 more instances not listed");
}

TEST_F(ClaimsTest, DryRunReportsTheWaitAndClaimsNothing) {
  auto ids = AddFleet("ins-r", 2, PowerState::kRunning);
  JobRun* a = Add({ids[0]});
  JobRun* plan =
      Add(ids, resetd::v1::ON_CONFLICT_WAIT, kSecondPassword, /*dry_run=*/true);
  RunJob(plan);
  EXPECT_EQ(plan->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(ResultOf(*plan->tasks[0])
                .phase()
                .rfind("dry-run: after job " + a->job_id + " releases it: ", 0),
            0u)
      << ResultOf(*plan->tasks[0]).phase();
  EXPECT_EQ(ResultOf(*plan->tasks[1]).phase().find("after job"),
            std::string::npos);
  EXPECT_EQ(Holder(ids[0]), (ClaimHolder{a->job_id, 0}));
  EXPECT_EQ(Holder(ids[1]), std::nullopt);
  RunJob(a);
  EXPECT_EQ(cloud_->Get(ids[1]).password, "");  // the plan touched nothing
}

TEST_F(ClaimsTest, WaitingClaimSurvivesACrash) {
  auto ids = AddFleet("ins-r", 3, PowerState::kRunning);
  Add(ids);
  RunUntilStopping();
  Add(ids, resetd::v1::ON_CONFLICT_WAIT, kSecondPassword);
  std::vector<JobRun*> jobs = CrashAndRecover();
  ASSERT_EQ(jobs.size(), 2u);
  for (const auto& t : jobs[1]->tasks) {
    EXPECT_EQ(t->phase, Task::Phase::kClaim) << t->id;
    EXPECT_EQ(ResultOf(*t).phase(), "wait:job " + jobs[0]->job_id);
  }
  RunUntil(
      [&] { return IsTerminal(jobs[0]->state) && IsTerminal(jobs[1]->state); });
  EXPECT_EQ(jobs[1]->state, resetd::v1::JOB_STATE_SUCCEEDED);
  for (const auto& id : ids) {
    EXPECT_EQ(cloud_->Get(id).state, PowerState::kRunning);
    EXPECT_EQ(cloud_->Get(id).password, kSecondPassword);
  }
  EXPECT_TRUE(StoppedTwiceWithoutStart().empty());
}

TEST_F(ClaimsTest, CancellingAWaitingJobTouchesNothing) {
  auto ids = AddFleet("ins-r", 2, PowerState::kRunning);
  JobRun* a = Add(ids);
  RunUntilStopping();
  JobRun* b = Add(ids, resetd::v1::ON_CONFLICT_WAIT, kSecondPassword);
  scheduler_->Cancel(*b);
  EXPECT_EQ(b->state, resetd::v1::JOB_STATE_CANCELLED);
  for (const auto& t : b->tasks) {
    EXPECT_EQ(ResultOf(*t).state(), resetd::v1::INSTANCE_STATE_CANCELLED);
    EXPECT_TRUE(ResultOf(*t).steps().empty());
  }
  RunJob(a);
  for (const auto& id : ids) {
    EXPECT_EQ(cloud_->Get(id).password, testing::kPassword);
  }
}

TEST_F(ClaimsTest, TwoNamesForOneAccountAreOneInstance) {
  auto ids = AddFleet("ins-r", 1, PowerState::kRunning);
  providers_["tencent-again"] = providers_["tencent"];
  providers_["tencent-again"].name = "tencent-again";
  auto job = NewJobRun({ids[0], ids[0]}, testing::kPassword);
  job->tasks[1]->provider = &providers_.at("tencent-again");
  auto conflicts = PlanClaims(*store_, *job);
  EXPECT_EQ(conflicts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(conflicts.status().message().find("tencent and tencent-again"),
            std::string::npos)
      << conflicts.status();
}

}  // namespace
}  // namespace resetd::workflow
