// The Engine through its JobManager API, on its own threads and the real
// clock: jobs run to the end, idempotent creates, views and paging, cancel
// and shutdown. Store failures and restarts are in engine_store_test.cc.
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/workflow/engine_fixture.h"
#include "workflow/instance_page.h"

namespace resetd::workflow::testing {
namespace {

using resetd::v1::JOB_VIEW_BASIC;
using resetd::v1::JOB_VIEW_FULL;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(EngineTest, CreatedJobSucceedsAndRestoresPowerStates) {
  StartEngine();
  auto running = AddFleet("run", 2, PowerState::kRunning);
  auto stopped = AddFleet("stop", 1, PowerState::kStopped);
  std::vector<std::string> all = running;
  all.push_back(stopped[0]);

  auto created = engine_->Create(Request("req-1", all), "tester");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->state(), resetd::v1::JOB_STATE_QUEUED);
  EXPECT_EQ(created->request_id(), "req-1");
  EXPECT_EQ(created->counts().total(), 3);

  auto job = WaitForEnd(created->job_id());
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(job->counts().succeeded(), 3);
  auto full = Full(created->job_id());
  ASSERT_EQ(full.instances_size(), 3);
  for (const auto& i : full.instances()) {
    EXPECT_EQ(i.state(), resetd::v1::INSTANCE_STATE_SUCCEEDED)
        << i.instance_id();
    EXPECT_EQ(i.original_power_state(), i.final_power_state())
        << i.instance_id();
  }
  ExpectReset(running, PowerState::kRunning);
  ExpectReset(stopped, PowerState::kStopped);
  EXPECT_THAT(StoppedTwiceWithoutStart(), IsEmpty());
}

TEST_F(EngineTest, SameRequestIdSameContentIsTheSameJob) {
  StartEngine();
  auto ids = AddFleet("ins", 2, PowerState::kRunning);
  auto first = engine_->Create(Request("req-1", ids), "tester");
  ASSERT_TRUE(first.ok()) << first.status();
  auto again = engine_->Create(Request("req-1", ids), "tester");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->job_id(), first->job_id());

  ASSERT_TRUE(WaitForEnd(first->job_id()).ok());
  auto after_end = engine_->Create(Request("req-1", ids), "tester");
  ASSERT_TRUE(after_end.ok()) << after_end.status();
  EXPECT_EQ(after_end->job_id(), first->job_id());
  EXPECT_EQ(after_end->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  // One job: every instance stopped, reset and started once.
  for (const auto& i : ids) {
    EXPECT_EQ(Sent("Stop", i), 1) << i;
    EXPECT_EQ(Sent("ResetPassword", i), 1) << i;
    EXPECT_EQ(Sent("Start", i), 1) << i;
  }
}

TEST_F(EngineTest, SameRequestIdDifferentContentIsAlreadyExists) {
  StartEngine();
  auto ids = AddFleet("ins", 2, PowerState::kRunning);
  auto first = engine_->Create(Request("req-1", ids), "tester");
  ASSERT_TRUE(first.ok()) << first.status();

  auto other_ids = engine_->Create(Request("req-1", {ids[0]}), "tester");
  EXPECT_EQ(other_ids.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(other_ids.status().message()),
              ::testing::HasSubstr(first->job_id()));
  auto other_password =
      engine_->Create(Request("req-1", ids, "An0ther!Passw0rd"), "tester");
  EXPECT_EQ(other_password.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(other_password.status().message()),
              ::testing::Not(::testing::HasSubstr("An0ther")));

  auto job = WaitForEnd(first->job_id());
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  ExpectReset(ids, PowerState::kRunning);
}

TEST_F(EngineTest, GetGivesBasicAndFullViews) {
  StartEngine();
  auto ids = AddFleet("ins", 2, PowerState::kRunning);
  const std::string id = CreateJob("req-1", ids);
  ASSERT_TRUE(WaitForEnd(id).ok());

  auto basic = engine_->Get(id, JOB_VIEW_BASIC);
  ASSERT_TRUE(basic.ok()) << basic.status();
  EXPECT_EQ(basic->job_id(), id);
  EXPECT_EQ(basic->counts().succeeded(), 2);
  EXPECT_EQ(basic->targets_size(), 0);

  // FULL: the targets, counted (their ids are paged through
  // ListInstances), and the failures (none).
  auto full = engine_->Get(id, resetd::v1::JOB_VIEW_UNSPECIFIED);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(full->targets_size(), 1);
  EXPECT_EQ(full->targets(0).provider(), "tencent");
  EXPECT_EQ(full->targets(0).instance_ids_size(), 0);
  EXPECT_EQ(full->targets(0).instance_count(), 2);
  EXPECT_EQ(full->failures_size(), 0);
  auto paged = Full(id, 1);
  ASSERT_EQ(paged.instances_size(), 2);
  EXPECT_EQ(paged.instances()[0].instance_id(), ids[0]);
  EXPECT_EQ(paged.instances()[1].instance_id(), ids[1]);

  EXPECT_EQ(engine_->Get("rj-0000000000000000", JOB_VIEW_FULL).status().code(),
            absl::StatusCode::kNotFound);
}

// The same pages, in the job's order, whether the job runs in memory or has
// ended and is read back from the store by a later engine; filters and the
// FULL view's failures agree with the instances' results.
TEST_F(EngineTest, ListInstancesPagesFromMemoryAndFromTheStore) {
  StartEngine();
  auto ids = AddFleet("ins", 7, PowerState::kRunning);
  for (int i : {2, 5}) {
    cloud_->Edit(ids[i], [](auto& instance) { instance.reset_fails = true; });
  }
  const std::string id = CreateJob("req-1", ids);
  auto job = WaitForEnd(id);
  ASSERT_TRUE(job.ok()) << job.status();
  ASSERT_EQ(job->counts().failed(), 2);

  auto check = [&](const std::string& when) {
    auto all = Full(id, /*page_size=*/3);
    ASSERT_EQ(all.instances_size(), 7) << when;
    for (int i = 0; i < 7; ++i) {
      EXPECT_EQ(all.instances()[i].instance_id(), ids[i]) << when;
    }
    ASSERT_EQ(all.job().failures_size(), 1) << when;
    const auto& failures = all.job().failures(0);
    EXPECT_EQ(failures.count(), 2) << when;
    EXPECT_EQ(failures.provider(), "tencent") << when;
    EXPECT_THAT(failures.sample_instance_ids(),
                ElementsAre(ids[2], ids[5]))
        << when;

    resetd::v1::ListResetJobInstancesRequest failed;
    failed.set_job_id(id);
    failed.set_page_size(1);
    failed.add_states(resetd::v1::INSTANCE_STATE_FAILED);
    auto first = engine_->ListInstances(failed);
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_EQ(first->instances_size(), 1);
    EXPECT_EQ(first->instances(0).instance_id(), ids[2]) << when;
    failed.set_page_token(first->next_page_token());
    auto second = engine_->ListInstances(failed);
    ASSERT_TRUE(second.ok()) << second.status();
    ASSERT_EQ(second->instances_size(), 1);
    EXPECT_EQ(second->instances(0).instance_id(), ids[5]) << when;
    EXPECT_TRUE(second->next_page_token().empty()) << when;

    resetd::v1::ListResetJobInstancesRequest by_code;
    by_code.set_job_id(id);
    by_code.add_error_codes(failures.code());
    auto coded = engine_->ListInstances(by_code);
    ASSERT_TRUE(coded.ok()) << coded.status();
    EXPECT_EQ(coded->instances_size(), 2) << when;
  };
  check("running engine");
  StopEngine();
  StartEngine();  // the ended job is not resumed: the store serves it
  check("from the store");

  resetd::v1::ListResetJobInstancesRequest unknown;
  unknown.set_job_id("rj-0000000000000000");
  EXPECT_EQ(engine_->ListInstances(unknown).status().code(),
            absl::StatusCode::kNotFound);
  resetd::v1::ListResetJobInstancesRequest stolen;
  stolen.set_job_id(id);
  stolen.set_page_token(
      NextPageToken(resetd::v1::ListResetJobInstancesRequest(), 1));
  EXPECT_EQ(engine_->ListInstances(stolen).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, ListPagesNewestFirstAndFilters) {
  StartEngine();
  auto ids = AddFleet("ins", 3, PowerState::kRunning);
  std::set<std::string> created;
  for (int i = 0; i < 3; ++i) {
    created.insert(CreateJob("req-" + std::to_string(i), {ids[i]}));
  }
  for (const auto& id : created) ASSERT_TRUE(WaitForEnd(id).ok()) << id;

  resetd::v1::ListResetJobsRequest req;
  req.set_page_size(2);
  auto page1 = engine_->List(req, std::nullopt);
  ASSERT_TRUE(page1.ok()) << page1.status();
  ASSERT_EQ(page1->jobs_size(), 2);
  ASSERT_FALSE(page1->next_page_token().empty());
  req.set_page_token(page1->next_page_token());
  auto page2 = engine_->List(req, std::nullopt);
  ASSERT_TRUE(page2.ok()) << page2.status();
  ASSERT_EQ(page2->jobs_size(), 1);
  EXPECT_TRUE(page2->next_page_token().empty());

  std::vector<resetd::v1::ResetJob> listed(page1->jobs().begin(),
                                           page1->jobs().end());
  listed.push_back(page2->jobs(0));
  std::set<std::string> seen;
  for (size_t i = 0; i < listed.size(); ++i) {
    seen.insert(listed[i].job_id());
    EXPECT_EQ(listed[i].targets_size(), 0) << "List gives the BASIC view";
    if (i > 0) {
      EXPECT_GE(listed[i - 1].create_time().seconds() * 1000000000LL +
                    listed[i - 1].create_time().nanos(),
                listed[i].create_time().seconds() * 1000000000LL +
                    listed[i].create_time().nanos());
    }
  }
  EXPECT_EQ(seen, created);
}

TEST_F(EngineTest, ListFiltersByStateAndRejectsForeignTokens) {
  StartEngine();
  auto ids = AddFleet("ins", 1, PowerState::kRunning);
  ASSERT_TRUE(WaitForEnd(CreateJob("req-1", ids)).ok());

  resetd::v1::ListResetJobsRequest req;
  req.add_states(resetd::v1::JOB_STATE_SUCCEEDED);
  // List filters on the stored state, which follows the live one (Get's)
  // as soon as the driver has written it.
  const absl::Time deadline = absl::Now() + kWait;
  while (engine_->List(req, std::nullopt)->jobs_size() == 0 &&
         absl::Now() < deadline) {
  }
  EXPECT_EQ(engine_->List(req, std::nullopt)->jobs_size(), 1);
  req.set_states(0, resetd::v1::JOB_STATE_QUEUED);
  EXPECT_EQ(engine_->List(req, std::nullopt)->jobs_size(), 0);

  req.clear_states();
  req.set_page_token("not-a-token");
  EXPECT_EQ(engine_->List(req, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, CancelRestoresStoppedInstancesAndSendsNoReset) {
  StartEngine();
  auto ids = AddFleet("ins", 2, PowerState::kRunning);
  SetStuck(ids, true);  // held in STOPPING once stopped
  auto stopping = NotifyOnCloud(AnyIn(PowerState::kStopping));
  const std::string id = CreateJob("req-1", ids);
  ASSERT_TRUE(stopping->WaitForNotificationWithTimeout(kWait));

  auto cancelled = engine_->Cancel(id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  SetStuck(ids, false);
  auto job = WaitForEnd(id);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(job->counts().cancelled(), 2);
  for (const auto& instance : ids) {
    auto i = cloud_->Get(instance);
    EXPECT_EQ(i.state, PowerState::kRunning) << instance;
    EXPECT_TRUE(i.password.empty()) << instance << " reset after the cancel";
  }
  for (const auto& c : SideEffects()) EXPECT_NE(c.action, "ResetPassword");

  auto again = engine_->Cancel(id);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->state(), resetd::v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(engine_->Cancel("rj-0000000000000000").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EngineTest, CreateAfterShutdownIsUnavailable) {
  StartEngine();
  auto ids = AddFleet("ins", 1, PowerState::kRunning);
  const std::string id = CreateJob("req-1", ids);
  ASSERT_TRUE(WaitForEnd(id).ok());
  engine_->Shutdown(absl::Seconds(1));

  auto created = engine_->Create(Request("req-2", ids), "tester");
  EXPECT_EQ(created.status().code(), absl::StatusCode::kUnavailable);
  auto job = engine_->Get(id, JOB_VIEW_BASIC);
  ASSERT_TRUE(job.ok()) << "reads go on after shutdown: " << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  resetd::v1::ListResetJobsRequest all;
  EXPECT_EQ(engine_->List(all, std::nullopt)->jobs_size(), 1) << "nothing was stored";
}

}  // namespace
}  // namespace resetd::workflow::testing
