// Polling on the fake clock, through the scheduler: how soon after a
// transition ends resetd sees it, and what that costs in Describe calls, for
// a small job (Describe budget to spare) and a large one (scarce).
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/workflow/scheduler_fixture.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using resetd::testing::FakeCall;
using resetd::testing::FakeCloudClient;
using testing::SchedulerTest;

// Not a multiple of any poll interval: fixed polling sees each end late.
constexpr absl::Duration kTransition = absl::Milliseconds(4550);

class PollTimingTest : public SchedulerTest {
 protected:
  struct Figures {
    int describe_calls = 0;
    int describe_ids = 0;
    absl::Duration makespan;
    // The longest time from a transition's end (a stop, a reset's result,
    // a start) to the first Describe that could see it.
    absl::Duration worst_latency;
  };

  // A fresh cloud (each transition and reset takes kTransition) and
  // scheduler with options_; nothing learned.
  void Fresh() {
    cloud_ = std::make_shared<FakeCloudClient>(clock_, kTransition);
    providers_["tencent"].client = cloud_;
    store_ = NewInMemoryJobStore();
    SetUpScheduler();
  }

  // Runs one job over `ids` (all running) and measures it.
  Figures Run(const std::vector<std::string>& ids) {
    const size_t first_call = cloud_->calls().size();
    const absl::Time start = clock_.Now();
    JobRun* job = AddJob(ids);
    RunJob(job);
    EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
    Figures f;
    f.makespan = clock_.Now() - start;
    const auto all = cloud_->calls();
    const std::vector<FakeCall> calls(all.begin() + first_call, all.end());
    for (const auto& c : calls) {
      if (c.action != "Describe") continue;
      ++f.describe_calls;
      f.describe_ids += static_cast<int>(c.ids.size());
    }
    for (const auto& c : calls) {
      if (c.action == "Describe" || c.result != "OK") continue;
      const absl::Time end = c.time + kTransition;
      for (const auto& id : c.ids) {
        auto seen = std::find_if(calls.begin(), calls.end(), [&](auto& d) {
          return d.action == "Describe" && d.time >= end &&
                 std::count(d.ids.begin(), d.ids.end(), id) > 0;
        });
        EXPECT_NE(seen, calls.end()) << c.action << " " << id;
        if (seen != calls.end()) {
          f.worst_latency = std::max(f.worst_latency, seen->time - end);
        }
      }
    }
    return f;
  }
};

TEST_F(PollTimingTest, SmallJobSeesEachTransitionSoonAfterItEnds) {
  // Fixed polling, as before: every poll_interval.
  options_.min_poll_interval = options_.poll_interval;
  Fresh();
  const Figures fixed = Run(AddFleet("ins-f", 5, PowerState::kRunning));

  options_.min_poll_interval = absl::Milliseconds(100);
  Fresh();
  auto ids = AddFleet("ins-a", 5, PowerState::kRunning);
  const Figures cold = Run(ids);
  const Figures warm = Run(ids);  // the shortest waits are learned
  for (const Figures& f : {fixed, cold, warm}) {
    std::printf("5 instances: makespan %.2f s, %d Describe calls, worst "
                "latency after a transition %.0f ms\n",
                absl::ToDoubleSeconds(f.makespan), f.describe_calls,
                absl::ToDoubleMilliseconds(f.worst_latency));
  }
  // Within one poll interval, the linger and one Describe token (10/s x
  // 0.95) of each end, and sooner than polling every poll_interval.
  const absl::Duration bound = options_.min_poll_interval + options_.linger +
                               absl::Seconds(1 / (10 * 0.95));
  EXPECT_LE(cold.worst_latency, bound);
  EXPECT_LE(warm.worst_latency, bound);
  EXPECT_LE(warm.makespan, fixed.makespan);
  // Once the waits are learned, polls start when the transitions can have
  // ended: a few calls per wait instead of one every 100 ms.
  EXPECT_LE(warm.describe_calls * 4, cold.describe_calls);
  EXPECT_LE(MaxPerSecond("Describe"), 10);
}

TEST_F(PollTimingTest, LargeJobPollsNoMoreThanFixedPolling) {
  // 2,000 instances polling a Describe bucket that carries 950 ids/s: polls
  // may plan on 475/s, so they go every poll_interval, in full batches.
  constexpr int kFleet = 2000;
  options_.min_poll_interval = options_.poll_interval;
  Fresh();
  const Figures fixed = Run(AddFleet("ins-f", kFleet, PowerState::kRunning));
  options_.min_poll_interval = absl::Milliseconds(100);
  Fresh();
  const Figures adaptive =
      Run(AddFleet("ins-a", kFleet, PowerState::kRunning));
  for (const Figures& f : {fixed, adaptive}) {
    std::printf("%d instances: makespan %.2f s, %d Describe calls "
                "(%.1f ids each), worst latency %.0f ms\n",
                kFleet, absl::ToDoubleSeconds(f.makespan), f.describe_calls,
                static_cast<double>(f.describe_ids) / f.describe_calls,
                absl::ToDoubleMilliseconds(f.worst_latency));
  }
  EXPECT_LE(adaptive.describe_calls, fixed.describe_calls);
  EXPECT_LE(adaptive.makespan, fixed.makespan);
  EXPECT_LE(MaxPerSecond("Describe"), 10);
}

}  // namespace
}  // namespace resetd::workflow
