// The scheduler's parts on their own: the batcher, the timer queue, the
// step journal and the classification of failed calls.
#include <memory>

#include "absl/status/status.h"
#include "clients/provider_error.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_cloud_client.h"
#include "workflow/batcher.h"
#include "workflow/call_failure.h"
#include "workflow/step_journal.h"
#include "workflow/timer_queue.h"

namespace resetd::workflow {
namespace {

using resetd::testing::FakeClock;
using resetd::testing::FakeCloudClient;

const absl::Time kT0 = absl::FromUnixSeconds(1795376535);

class PartsTest : public ::testing::Test {
 protected:
  PartsTest() {
    cloud_ = std::make_shared<FakeCloudClient>(clock_);
    cloud_->mutable_capabilities().max_describe_batch = 3;
    entry_.name = "fake";
    entry_.account = "acct";
    entry_.client = cloud_;
    entry_.rate_per_second = {{"*", 10.0}};
    job_.job_id = "rj-1";
  }

  Task& NewTask(std::string id) {
    auto t = std::make_unique<Task>();
    t->job = &job_;
    t->index = static_cast<int>(job_.tasks.size());
    t->provider = &entry_;
    t->region = "r1";
    t->id = std::move(id);
    job_.tasks.push_back(std::move(t));
    return *job_.tasks.back();
  }

  // Queues `t` for a Describe as the scheduler does.
  void Queue(Batcher& b, Task& t, absl::Time now) {
    ++t.generation;
    t.phase = Task::Phase::kQueued;
    t.action = Action::kDescribe;
    b.Add(BatchKeyOf(t, Action::kDescribe), entry_, t, now);
  }

  FakeClock clock_{kT0};
  std::shared_ptr<FakeCloudClient> cloud_;
  ProviderEntry entry_;
  JobRun job_;
  RateLimiter limiter_{[](const std::string&) { return 1000.0; }, 1.0};
};

TEST_F(PartsTest, RateKeysAreStructsNamedForTheLimiter) {
  Task& t = NewTask("i-1");
  BatchKey d = BatchKeyOf(t, Action::kDescribe);
  EXPECT_EQ(d.rate.name(), "fake|acct|r1|Describe");
  // Resets are per job (the password), stops per stop mode.
  EXPECT_EQ(BatchKeyOf(t, Action::kResetPassword).job_id, "rj-1");
  EXPECT_TRUE(d.job_id.empty());
  job_.spec.set_stop_mode(resetd::v1::STOP_MODE_FORCE);
  EXPECT_EQ(BatchKeyOf(t, Action::kStop).stop_mode,
            resetd::v1::STOP_MODE_FORCE);
  t.describe_group = 7;
  EXPECT_NE(BatchKeyOf(t, Action::kDescribe), d);
}

TEST_F(PartsTest, BatcherLingersThenSendsFullBatchesAtTheConfiguredRate) {
  Batcher b(absl::Milliseconds(200));
  for (int i = 0; i < 4; ++i) Queue(b, NewTask("i-" + std::to_string(i)), kT0);
  absl::Time wake = absl::InfiniteFuture();
  // A full batch (3, the provider's Describe limit) goes at once; the rest
  // lingers, and the bucket (10/s, configured) has no second token yet.
  auto due = b.TakeDue(kT0, limiter_, &wake);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].tasks.size(), 3u);
  EXPECT_EQ(due[0].tasks[0]->phase, Task::Phase::kInFlight);
  EXPECT_EQ(wake, kT0 + absl::Milliseconds(200));
  wake = absl::InfiniteFuture();
  due = b.TakeDue(kT0 + absl::Milliseconds(200), limiter_, &wake);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].tasks.size(), 1u);
  EXPECT_EQ(limiter_.Interval("fake|acct|r1|Describe"),
            absl::Milliseconds(100));
}

TEST_F(PartsTest, BatcherSkipsEntriesOfTasksThatMovedOn) {
  Batcher b(absl::ZeroDuration());
  Task& a = NewTask("i-a");
  Task& c = NewTask("i-c");
  Queue(b, a, kT0);
  Queue(b, c, kT0);
  ++a.generation;  // e.g. cancelled while queued
  absl::Time wake = absl::InfiniteFuture();
  auto due = b.TakeDue(kT0, limiter_, &wake);
  ASSERT_EQ(due.size(), 1u);
  ASSERT_EQ(due[0].tasks.size(), 1u);
  EXPECT_EQ(due[0].tasks[0], &c);
  EXPECT_TRUE(b.TakeDue(kT0 + absl::Seconds(1), limiter_, &wake).empty());
}

TEST_F(PartsTest, InstancesResetdHoldsDownGoFirstAndTakeTurnsInDescribe) {
  cloud_->mutable_capabilities().max_reset_batch = 2;
  Batcher b(absl::ZeroDuration());
  Task& stopped = NewTask("i-was-stopped");
  Task& other = NewTask("i-was-stopped-too");
  Task& held = NewTask("i-stopped-by-resetd");
  held.held_stopped = true;
  held.held_down = true;
  for (Task* t : {&stopped, &other, &held}) {
    ++t->generation;
    t->phase = Task::Phase::kQueued;
    t->action = Action::kResetPassword;
    b.Add(BatchKeyOf(*t, Action::kResetPassword), entry_, *t, kT0);
  }
  absl::Time wake = absl::InfiniteFuture();
  auto due = b.TakeDue(kT0, limiter_, &wake);
  ASSERT_EQ(due.size(), 1u);  // one token now; the next in 1 ms
  // The instance resetd stopped is reset first, queued last as it was.
  ASSERT_EQ(due[0].tasks.size(), 2u);
  EXPECT_EQ(due[0].tasks[0], &held);
  EXPECT_EQ(due[0].tasks[1], &stopped);
  EXPECT_EQ(due[0].oldest, kT0);
  due = b.TakeDue(kT0 + absl::Seconds(1), limiter_, &wake);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].tasks, std::vector<Task*>{&other});

  // Describe takes its lanes oldest first...
  EXPECT_TRUE(HeldLane(held));
  EXPECT_FALSE(HeldLane(stopped));
  cloud_->mutable_capabilities().max_describe_batch = 1;
  Batcher d(absl::ZeroDuration());
  const absl::Time t1 = kT0 + absl::Seconds(2);
  Queue(d, stopped, t1);
  Queue(d, held, t1 + absl::Milliseconds(10));
  due = d.TakeDue(t1 + absl::Milliseconds(500), limiter_, &wake);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].tasks, std::vector<Task*>{&stopped});
  due = d.TakeDue(t1 + absl::Seconds(1), limiter_, &wake);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].tasks, std::vector<Task*>{&held});

  // ...but once the other lane has a backlog (a large job's first looks),
  // the lanes take turns: a held instance's look does not wait behind all
  // of them, nor starve them.
  Task& held_too = NewTask("i-stopped-by-resetd-too");
  held_too.held_down = true;
  const absl::Time t2 = kT0 + absl::Seconds(10);
  for (Task* t : {&stopped, &other}) Queue(d, *t, t2);
  for (Task* t : {&held, &held_too}) Queue(d, *t, t2 + absl::Seconds(1));
  std::vector<Task*> order;
  for (int i = 2; i < 6; ++i) {
    due = d.TakeDue(t2 + absl::Seconds(i), limiter_, &wake);
    ASSERT_EQ(due.size(), 1u);
    ASSERT_EQ(due[0].tasks.size(), 1u);
    order.push_back(due[0].tasks[0]);
  }
  EXPECT_EQ(order, (std::vector<Task*>{&held, &stopped, &held_too, &other}));
}

TEST_F(PartsTest, TimersFireInOrderAndDropStaleOnes) {
  TimerQueue timers;
  Task& a = NewTask("i-a");
  Task& b = NewTask("i-b");
  timers.Schedule(b, kT0 + absl::Seconds(2));
  timers.Schedule(a, kT0 + absl::Seconds(1));
  EXPECT_EQ(timers.Next(), kT0 + absl::Seconds(1));
  EXPECT_TRUE(timers.PopDue(kT0).empty());
  ++b.generation;  // moved on: its timer is stale
  EXPECT_EQ(timers.PopDue(kT0 + absl::Seconds(5)), std::vector<Task*>{&a});
  EXPECT_EQ(timers.Next(), absl::InfiniteFuture());
}

TEST_F(PartsTest, JournalIntentHoldsTheRowsAndResultsGoWithTheNextTake) {
  StepJournal journal;
  Task& a = NewTask("i-a");
  Task& b = NewTask("i-b");
  journal.MarkDirty(a);
  journal.MarkDirty(b);
  CallIntent intent = journal.Intent("c1", Action::kStop, {&a}, kT0);
  ASSERT_EQ(intent.records.size(), 1u);
  EXPECT_EQ(intent.records[0].instance_ids, std::vector<std::string>{"i-a"});
  EXPECT_FALSE(intent.records[0].done);
  ASSERT_EQ(intent.rows.size(), 1u);
  journal.AddResults(intent.records, "OK", "req-1", kT0);
  Changes changes = journal.Take();
  ASSERT_EQ(changes.steps.size(), 1u);
  EXPECT_TRUE(changes.steps[0].done);
  EXPECT_EQ(changes.steps[0].request_id, "req-1");
  // a's row went with the intent; only b's is left.
  ASSERT_EQ(changes.rows.size(), 1u);
  EXPECT_EQ(changes.rows[0].instance_id(), "i-b");
  EXPECT_TRUE(journal.Take().empty());
}

TEST_F(PartsTest, JournalRestoresAFailedWrite) {
  StepJournal journal;
  Task& a = NewTask("i-a");
  journal.MarkDirty(a);
  journal.MarkDirty(job_);
  journal.AddResults({StepRecord{"rj-1", "c1", "Stop", {"i-a"}}}, "OK", "r",
                     kT0);
  Changes failed = journal.Take();
  journal.AddResults({StepRecord{"rj-1", "c2", "Start", {"i-a"}}}, "OK", "r",
                     kT0);
  journal.Restore(std::move(failed), [&](const std::string& job, int index) {
    return job == "rj-1" ? job_.tasks[index].get() : nullptr;
  });
  Changes again = journal.Take();
  ASSERT_EQ(again.steps.size(), 2u);
  EXPECT_EQ(again.steps[0].batch_id, "c1");  // order kept
  EXPECT_EQ(again.rows.size(), 1u);
  EXPECT_EQ(again.jobs.size(), 1u);
}

TEST(CallFailureTest, RetriesTransientErrorsSplitsBatchesFailsTheRest) {
  EXPECT_EQ(ClassifyFailure(absl::UnavailableError("x"), 5).kind,
            CallFailure::kRetry);
  CallFailure throttled = ClassifyFailure(absl::ResourceExhaustedError("x"), 5);
  EXPECT_EQ(throttled.kind, CallFailure::kRetry);
  EXPECT_TRUE(throttled.throttled);
  EXPECT_EQ(ClassifyFailure(absl::InvalidArgumentError("x"), 5).kind,
            CallFailure::kSplit);
  EXPECT_EQ(ClassifyFailure(absl::InvalidArgumentError("x"), 1).kind,
            CallFailure::kFail);
  // About the caller, not an instance: splitting would not help.
  EXPECT_EQ(ClassifyFailure(absl::PermissionDeniedError("x"), 5).kind,
            CallFailure::kFail);
  CallFailure plain = ClassifyFailure(absl::InvalidArgumentError("bad"), 1);
  EXPECT_EQ(plain.code, "INVALID_ARGUMENT");
  EXPECT_EQ(plain.message, "bad");
}

TEST(CallFailureTest, BackoffDoublesUpToThirtySeconds) {
  EXPECT_EQ(RetryBackoff(absl::Seconds(1), 0), absl::Seconds(1));
  EXPECT_EQ(RetryBackoff(absl::Seconds(1), 3), absl::Seconds(8));
  EXPECT_EQ(RetryBackoff(absl::Seconds(1), 9), absl::Seconds(30));
}

}  // namespace
}  // namespace resetd::workflow
