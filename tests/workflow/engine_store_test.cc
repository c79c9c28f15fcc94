// The Engine and its job store: a store failing at each kind of write, a
// second engine resuming what the first left unfinished, and RPC reads
// while the scheduler's store write is slow.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "gtest/gtest.h"
#include "tests/fakes/blocking_job_store.h"
#include "tests/workflow/engine_fixture.h"
#include "workflow/keyring.h"
#include "workflow/sqlite_job_store.h"

namespace resetd::workflow::testing {
namespace {

using resetd::testing::BlockingJobStore;
using Op = FailingJobStore::Op;

// A call or a step record as (action, sorted ids), to compare the two.
using CallKey = std::pair<std::string, std::vector<std::string>>;
CallKey Key(const std::string& action, std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return {action, std::move(ids)};
}

// A fresh SQLite file name for this test in the test temp directory.
std::string FreshDbPath(const std::string& name) {
  const std::string path = ::testing::TempDir() + "engine_" + name + "_" +
                           std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::remove((path + suffix).c_str());
  }
  return path;
}

TEST_F(EngineTest, FailedInsertLeavesNothingClaimedOrSent) {
  StartEngine();
  auto ids = AddFleet("ins", 2, PowerState::kRunning);
  store_.set_fail(Op::kInsertJob, true);
  auto failed = engine_->Create(Request("req-1", ids), "tester");
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(engine_->List({}, std::nullopt)->jobs_size(), 0);
  auto found = store_.FindByRequestId("req-1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());

  // Nothing was claimed: the same request (REJECT on conflict) gets the
  // instances at once, and is a new job, not the failed one.
  store_.set_fail(Op::kInsertJob, false);
  auto retried = engine_->Create(Request("req-1", ids), "tester");
  ASSERT_TRUE(retried.ok()) << retried.status();
  auto job = WaitForEnd(retried->job_id());
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  for (const auto& i : ids) {
    EXPECT_EQ(Sent("Stop", i), 1) << i << ": only the stored job's calls";
    EXPECT_EQ(Sent("Start", i), 1) << i;
  }
  EXPECT_EQ(engine_->List({}, std::nullopt)->jobs_size(), 1);
}

TEST_F(EngineTest, NoCallIsSentForAnUnrecordedIntent) {
  StartEngine();
  auto ids = AddFleet("ins", 3, PowerState::kRunning);
  store_.set_fail_writes(true);
  const std::string id = CreateJob("req-1", ids);
  // The scheduler tried (and retried) to record a Stop, and was refused.
  ASSERT_TRUE(store_.WaitForRefusedIntents(3, kWait));
  EXPECT_EQ(SideEffects().size(), 0u) << "a call went out unrecorded";

  store_.set_fail_writes(false);
  auto job = WaitForEnd(id);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  ExpectReset(ids, PowerState::kRunning);

  // Every call that went out is the one its recorded intent names (read
  // once the engine has stopped: its last writes are in).
  StopEngine();
  std::multiset<CallKey> calls, recorded;
  for (const auto& c : SideEffects()) calls.insert(Key(c.action, c.ids));
  auto steps = store_.Steps(id);
  ASSERT_TRUE(steps.ok()) << steps.status();
  for (const auto& s : *steps) {
    recorded.insert(Key(s.action, s.instance_ids));
    EXPECT_TRUE(s.done) << s.action << " " << s.batch_id;
    EXPECT_EQ(s.outcome, "OK") << s.action << " " << s.batch_id;
  }
  EXPECT_EQ(calls, recorded);
}

TEST_F(EngineTest, LostJobStateUpdateIsRecoveredByTheNextEngine) {
  auto ids = AddFleet("ins", 2, PowerState::kRunning);
  store_.set_fail(Op::kUpdateJob, true);
  StartEngine();
  const std::string id = CreateJob("req-1", ids);
  auto job = WaitForEnd(id);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  auto stored = store_.GetJob(id, false);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_FALSE(IsTerminal(stored->state)) << "the switch did not hold";
  const size_t sent = SideEffects().size();

  StopEngine();
  store_.set_fail(Op::kUpdateJob, false);
  StartEngine();
  auto resumed = WaitForEnd(id);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  // The view can run ahead of the store; once stopped, the store has it.
  StopEngine();
  stored = store_.GetJob(id, false);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->state, resetd::v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(SideEffects().size(), sent) << "recovery repeated a call";
  ExpectReset(ids, PowerState::kRunning);
}

TEST_F(EngineTest, SecondEngineOnTheSameStoreResumesAnUnfinishedJob) {
  const std::string path = FreshDbPath("resume");
  auto ring = std::make_shared<const Keyring>(Keyring::Ephemeral());
  auto opened = NewSqliteJobStore(path, ring);
  ASSERT_TRUE(opened.ok()) << opened.status();
  own_store_ = *std::move(opened);
  StartEngine(own_store_.get());
  auto running = AddFleet("run", 2, PowerState::kRunning);
  auto stopped = AddFleet("stop", 1, PowerState::kStopped);
  std::vector<std::string> all = running;
  all.push_back(stopped[0]);
  SetStuck(running, true);  // the first engine ends with them stopping
  auto stopping = NotifyOnCloud(AnyIn(PowerState::kStopping));
  const std::string id = CreateJob("req-1", all);
  ASSERT_TRUE(stopping->WaitForNotificationWithTimeout(kWait));

  StopEngine();
  auto left = own_store_->GetJob(id, true);
  ASSERT_TRUE(left.ok()) << left.status();
  ASSERT_FALSE(IsTerminal(left->state));
  own_store_.reset();
  SetStuck(running, false);
  auto reopened = NewSqliteJobStore(path, ring);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  own_store_ = *std::move(reopened);
  StartEngine(own_store_.get());

  auto job = WaitForEnd(id);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_SUCCEEDED);
  ExpectReset(running, PowerState::kRunning);
  ExpectReset(stopped, PowerState::kStopped);
  EXPECT_TRUE(StoppedTwiceWithoutStart().empty());
  StopEngine();
  auto stored = own_store_->GetJob(id, false);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->state, resetd::v1::JOB_STATE_SUCCEEDED);
}

// The engine writes the scheduler's records with mu_ released (Plan under the
// lock, Perform outside it, Settle under it): a store write stuck in fsync
// holds up no RPC.
TEST_F(EngineTest, ReadsDoNotWaitOnSchedulerWrites) {
  auto blocking = std::make_unique<BlockingJobStore>(NewInMemoryJobStore());
  BlockingJobStore* store = blocking.get();
  own_store_ = std::move(blocking);
  StartEngine(store);
  auto a = AddFleet("a", 2, PowerState::kRunning);
  auto b = AddFleet("b", 1, PowerState::kRunning);
  // Whatever fails below, the engine's last writes must get through.
  absl::Cleanup release = [store] { store->Release(); };
  store->Arm();
  const std::string id = CreateJob("req-a", a);
  ASSERT_TRUE(store->WaitUntilHeld(kWait)) << "the scheduler never wrote";

  absl::Status got, listed, created;
  absl::Notification got_n, listed_n, created_n;
  std::thread rpcs([&] {
    got = engine_->Get(id, resetd::v1::JOB_VIEW_FULL).status();
    got_n.Notify();
    listed = engine_->List({}, std::nullopt).status();
    listed_n.Notify();
    created = engine_->Create(Request("req-b", b), "tester").status();
    created_n.Notify();
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  const bool got_in_time = got_n.WaitForNotificationWithDeadline(deadline);
  const bool listed_in_time =
      listed_n.WaitForNotificationWithDeadline(deadline);
  const bool created_in_time =
      created_n.WaitForNotificationWithDeadline(deadline);
  store->Release();
  rpcs.join();
  EXPECT_TRUE(got_in_time) << "Get waited on the held store write";
  EXPECT_TRUE(listed_in_time) << "List waited on the held store write";
  EXPECT_TRUE(created_in_time) << "Create waited on the held store write";
  EXPECT_TRUE(got.ok()) << got;
  EXPECT_TRUE(listed.ok()) << listed;
  EXPECT_TRUE(created.ok()) << created;
  auto job = WaitForEnd(id);
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), resetd::v1::JOB_STATE_SUCCEEDED);
}

}  // namespace
}  // namespace resetd::workflow::testing
