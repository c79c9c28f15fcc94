// A new job from its request (new_job.h), and the state a job ends in
// (task.h): pure functions, no clock, store or cloud.
#include "workflow/new_job.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "workflow/task.h"

namespace resetd::workflow {
namespace {

using resetd::v1::CreateResetJobRequest;

CreateResetJobRequest TwoTargets() {
  CreateResetJobRequest r;
  r.set_request_id("req-1");
  auto* a = r.add_targets();
  a->set_provider("tencent");
  a->set_region("ap-guangzhou");
  a->add_instance_ids("ins-1");
  a->add_instance_ids("ins-2");
  auto* b = r.add_targets();
  b->set_provider("tencent");
  b->set_region("ap-shanghai");
  b->add_instance_ids("ins-3");
  return r;
}

ProviderRegistry Tencent() {
  ProviderRegistry out;
  out["tencent"].name = "tencent";
  return out;
}

TEST(NormalizeRequestTest, SpellsOutDefaultsSoUnsetAndDefaultAreTheSame) {
  CreateResetJobRequest unset = TwoTargets();
  CreateResetJobRequest spelled = TwoTargets();
  spelled.set_stop_mode(resetd::v1::STOP_MODE_SOFT);
  spelled.set_password_kind(resetd::v1::PASSWORD_KIND_LOGIN);
  spelled.set_power_policy(resetd::v1::POWER_POLICY_RESTORE_ORIGINAL);
  spelled.set_on_conflict(resetd::v1::ON_CONFLICT_REJECT);
  for (auto& t : *spelled.mutable_targets()) {
    t.set_os_type(resetd::v1::OS_TYPE_LINUX);
  }
  NormalizeRequest(unset);
  NormalizeRequest(spelled);
  EXPECT_EQ(unset.SerializeAsString(), spelled.SerializeAsString());
  EXPECT_EQ(unset.on_conflict(), resetd::v1::ON_CONFLICT_UNSPECIFIED);
  EXPECT_EQ(unset.targets(1).os_type(), resetd::v1::OS_TYPE_LINUX);
}

TEST(NewJobRunTest, OnePendingTaskPerInstanceInRequestOrder) {
  const ProviderRegistry providers = Tencent();
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  auto job = NewJobRun(TwoTargets(), Secret("pw"), providers, now);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ((*job)->job_id.rfind("rj-", 0), 0u);
  EXPECT_EQ((*job)->job_id.size(), 3u + 16u);
  EXPECT_EQ((*job)->create_time, now);
  ASSERT_EQ((*job)->tasks.size(), 3u);
  const Task& third = *(*job)->tasks[2];
  EXPECT_EQ(third.index, 2);
  EXPECT_EQ(third.id, "ins-3");
  EXPECT_EQ(third.region, "ap-shanghai");
  EXPECT_EQ(third.provider, &providers.at("tencent"));
  EXPECT_EQ(third.job, job->get());
  EXPECT_EQ(third.state, resetd::v1::INSTANCE_STATE_PENDING);
  EXPECT_EQ(third.claim, resetd::v1::CLAIM_STATE_NONE);

  auto other = NewJobRun(TwoTargets(), Secret("pw"), providers, now);
  ASSERT_TRUE(other.ok());
  EXPECT_NE((*other)->job_id, (*job)->job_id);
}

TEST(NewJobRunTest, UnknownProviderIsInvalidArgument) {
  CreateResetJobRequest r = TwoTargets();
  r.mutable_targets(1)->set_provider("aws");
  auto job = NewJobRun(r, Secret("pw"), Tencent(), absl::UnixEpoch());
  EXPECT_EQ(job.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(job.status().message().find("aws"), std::string::npos);
}

TEST(NewJobRunTest, StoredJobKeepsEveryInstanceAndTheFingerprint) {
  auto job = NewJobRun(TwoTargets(), Secret("pw"), Tencent(),
                       absl::FromUnixSeconds(5));
  ASSERT_TRUE(job.ok());
  StoredJob stored = ToStoredJob(**job, "fp");
  EXPECT_EQ(stored.job_id, (*job)->job_id);
  EXPECT_EQ(stored.request_id, "req-1");
  EXPECT_EQ(stored.fingerprint, "fp");
  EXPECT_EQ(stored.create_time, absl::FromUnixSeconds(5));
  ASSERT_EQ(stored.instances.size(), 3u);
  EXPECT_EQ(stored.instances[1].instance_id(), "ins-2");
  EXPECT_EQ(stored.instances[1].index(), 1);
  EXPECT_TRUE(stored.spec.password().empty());
}

// Ends a job whose tasks ended in `states`.
resetd::v1::JobState EndOf(std::vector<resetd::v1::InstanceState> states,
                           bool cancelled = false) {
  JobRun job;
  job.cancelled = cancelled;
  for (auto s : states) {
    job.tasks.push_back(std::make_unique<Task>());
    job.tasks.back()->state = s;
  }
  return EndState(job, Tally(job));
}

TEST(DropInstanceIdsTest, KeepsTheTargetsWithTheirCounts) {
  CreateResetJobRequest spec = TwoTargets();
  DropInstanceIds(spec);
  ASSERT_EQ(spec.targets_size(), 2);
  EXPECT_EQ(spec.targets(0).instance_ids_size(), 0);
  EXPECT_EQ(spec.targets(0).instance_count(), 2);
  EXPECT_EQ(spec.targets(0).region(), "ap-guangzhou");
  EXPECT_EQ(spec.targets(1).instance_ids_size(), 0);
  EXPECT_EQ(spec.targets(1).instance_count(), 1);
  DropInstanceIds(spec);  // again: the counts stay
  EXPECT_EQ(spec.targets(0).instance_count(), 2);
}

TEST(EndStateTest, FromTheTallyOfItsInstances) {
  using resetd::v1::INSTANCE_STATE_CANCELLED;
  using resetd::v1::INSTANCE_STATE_FAILED;
  using resetd::v1::INSTANCE_STATE_SUCCEEDED;
  EXPECT_EQ(EndOf({INSTANCE_STATE_SUCCEEDED, INSTANCE_STATE_SUCCEEDED}),
            resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(EndOf({INSTANCE_STATE_FAILED, INSTANCE_STATE_FAILED}),
            resetd::v1::JOB_STATE_FAILED);
  EXPECT_EQ(EndOf({INSTANCE_STATE_SUCCEEDED, INSTANCE_STATE_FAILED}),
            resetd::v1::JOB_STATE_PARTIALLY_FAILED);
  // Skipped instances (held by other jobs) are cancelled: nothing was done.
  EXPECT_EQ(EndOf({INSTANCE_STATE_CANCELLED}), resetd::v1::JOB_STATE_CANCELLED);
  // A cancelled job is CANCELLED whatever its instances did.
  EXPECT_EQ(EndOf({INSTANCE_STATE_SUCCEEDED}, /*cancelled=*/true),
            resetd::v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(EndOf({}), resetd::v1::JOB_STATE_SUCCEEDED);
}

}  // namespace
}  // namespace resetd::workflow
