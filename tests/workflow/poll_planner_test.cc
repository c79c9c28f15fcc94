// The poll planner on its own: intervals that follow the Describe bucket's
// demand, and the learned shortest wait.
#include "workflow/poll_planner.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_cloud_client.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using resetd::testing::FakeClock;
using resetd::testing::FakeCloudClient;

const absl::Time kT0 = absl::FromUnixSeconds(1795376535);

class PollPlannerTest : public ::testing::Test {
 protected:
  PollPlannerTest() {
    cloud_ = std::make_shared<FakeCloudClient>(clock_);
    entry_.name = "fake";
    entry_.account = "acct";
    entry_.client = cloud_;
    // Describe: 10/s x 0.5 headroom x 100 ids = 500 ids/s; polls plan to
    // take half of it, 250/s.
    entry_.rate_per_second = {{"*", 10.0}};
    options_.rate_headroom = 0.5;
    options_.poll_interval = absl::Seconds(1);
    options_.min_poll_interval = absl::Milliseconds(100);
    job_.job_id = "rj-1";
  }

  Task& NewTask(PowerState target = PowerState::kStopped) {
    auto t = std::make_unique<Task>();
    t->job = &job_;
    t->index = static_cast<int>(job_.tasks.size());
    t->provider = &entry_;
    t->region = "r1";
    t->id = "i-" + std::to_string(t->index);
    t->wait.kind = WaitKind::kState;
    t->wait.target = target;
    job_.tasks.push_back(std::move(t));
    return *job_.tasks.back();
  }

  FakeClock clock_{kT0};
  std::shared_ptr<FakeCloudClient> cloud_;
  ProviderEntry entry_;
  EngineOptions options_;
  PollPlanner planner_{options_};
  JobRun job_;
};

TEST_F(PollPlannerTest, IntervalFollowsHowManyPollTheDescribeBucket) {
  Task& first = NewTask();
  EXPECT_EQ(planner_.Interval(first), absl::Milliseconds(100));
  planner_.SetPolling(first, true);
  planner_.SetPolling(first, true);  // counted once
  EXPECT_EQ(planner_.Polling(first), 1);
  // 100 instances at 250 polls/s: every 400 ms.
  for (int i = 1; i < 100; ++i) planner_.SetPolling(NewTask(), true);
  EXPECT_EQ(planner_.Polling(first), 100);
  EXPECT_EQ(planner_.Interval(first), absl::Milliseconds(400));
  // 1,000: never slower than poll_interval.
  for (int i = 100; i < 1000; ++i) planner_.SetPolling(NewTask(), true);
  EXPECT_EQ(planner_.Interval(first), absl::Seconds(1));
  for (auto& t : job_.tasks) planner_.SetPolling(*t, false);
  EXPECT_EQ(planner_.Polling(first), 0);
  EXPECT_EQ(planner_.Interval(first), absl::Milliseconds(100));

  // Another region is another bucket.
  Task& elsewhere = NewTask();
  elsewhere.region = "r2";
  planner_.SetPolling(first, true);
  EXPECT_EQ(planner_.Polling(elsewhere), 0);

  // A reboot keeps poll_interval (its quiet polls must span time).
  Task& reboot = NewTask(PowerState::kRunning);
  reboot.wait.needs_change = true;
  EXPECT_EQ(planner_.Interval(reboot), absl::Seconds(1));
}

TEST_F(PollPlannerTest, NextPollIsOneIntervalOn) {
  Task& t = NewTask();
  const absl::Time now = kT0 + absl::Milliseconds(1234);
  EXPECT_EQ(planner_.Next(t, now), now + absl::Milliseconds(100));
  // Nothing learned yet: the first poll is one interval on too.
  EXPECT_EQ(planner_.First(t, now), now + absl::Milliseconds(100));
  for (int i = 0; i < 200; ++i) planner_.SetPolling(NewTask(), true);
  EXPECT_EQ(planner_.Next(t, now), now + absl::Milliseconds(800));
}

TEST_F(PollPlannerTest, FirstPollComesWhenTheShortestWaitSoFarWouldEnd) {
  Task& t = NewTask();
  EXPECT_EQ(planner_.Shortest(t), absl::ZeroDuration());
  // Pending at +2.0 s, over at +2.1 s: it took more than 2 s.
  t.wait.since = kT0;
  t.wait.last_pending = kT0 + absl::Seconds(2);
  planner_.Over(t, kT0 + absl::Milliseconds(2100));
  EXPECT_EQ(planner_.Shortest(t), absl::Seconds(2));
  EXPECT_EQ(planner_.First(t, kT0 + absl::Seconds(10)),
            kT0 + absl::Seconds(12));
  // Other kinds of wait learn apart.
  Task& start = NewTask(PowerState::kRunning);
  EXPECT_EQ(planner_.Shortest(start), absl::ZeroDuration());

  // A pending look is a lower bound: a shorter one says nothing, a longer
  // one raises the estimate slowly.
  t.wait.last_pending = kT0 + absl::Seconds(1);
  planner_.Over(t, kT0 + absl::Seconds(3));
  EXPECT_EQ(planner_.Shortest(t), absl::Seconds(2));
  t.wait.last_pending = kT0 + absl::Seconds(10);
  planner_.Over(t, kT0 + absl::Seconds(11));
  EXPECT_EQ(planner_.Shortest(t), absl::Seconds(3));  // 2 + (10 - 2) / 8

  // Over at the first look: an upper bound (it may have ended long before,
  // e.g. while the look waited for a Describe token). A late one raises
  // nothing; an early one lowers the estimate to a guess below it.
  t.wait.last_pending = absl::InfinitePast();
  planner_.Over(t, kT0 + absl::Seconds(30));
  EXPECT_EQ(planner_.Shortest(t), absl::Seconds(3));
  planner_.Over(t, kT0 + absl::Seconds(1));
  EXPECT_EQ(planner_.Shortest(t), absl::Milliseconds(750));

  // Settling (a state seen transitional at the first look) is not a
  // transition resetd started: nothing learned.
  Task& settle = NewTask();
  settle.wait.kind = WaitKind::kStable;
  settle.wait.since = kT0;
  planner_.Over(settle, kT0 + absl::Seconds(1));
  EXPECT_EQ(planner_.Shortest(settle), absl::ZeroDuration());
}

}  // namespace
}  // namespace resetd::workflow
