#include "service/watch_feed.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_job_manager.h"

namespace resetd::service {
namespace {

using resetd::testing::FakeJobManager;
using resetd::v1::InstanceResult;
using resetd::v1::JOB_STATE_RUNNING;
using resetd::v1::JOB_STATE_SUCCEEDED;

constexpr absl::Duration kWait = absl::Seconds(10);

InstanceResult Changed(const std::string& id) {
  InstanceResult r;
  r.set_instance_id(id);
  r.set_provider("tencent-prod");
  r.set_state(resetd::v1::INSTANCE_STATE_IN_PROGRESS);
  return r;
}

std::vector<InstanceResult> ChangedIds(int from, int n) {
  std::vector<InstanceResult> out;
  for (int i = from; i < from + n; ++i) {
    out.push_back(Changed("ins-" + std::to_string(i)));
  }
  return out;
}

std::vector<std::string> Ids(const resetd::v1::ResetJobEvent& event) {
  std::vector<std::string> out;
  for (const auto& i : event.changed()) out.push_back(i.instance_id());
  return out;
}

class WatchFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    resetd::v1::CreateResetJobRequest request;
    request.set_request_id("r-1");
    auto job = jobs_.Create(request, "alice");
    ASSERT_TRUE(job.ok());
    job_id_ = job->job_id();
  }

  WatchFeedOptions Options() {
    WatchFeedOptions options;
    options.min_event_interval = absl::ZeroDuration();
    return options;
  }

  std::unique_ptr<WatchSubscription> Subscribe(WatchFeeds& feeds) {
    auto sub = feeds.Subscribe(job_id_);
    EXPECT_TRUE(sub.ok()) << sub.status();
    return sub.ok() ? *std::move(sub) : nullptr;
  }

  // The next event of `sub`, which must come.
  std::shared_ptr<const WatchEvent> Next(WatchSubscription& sub) {
    auto next = sub.Next(kWait);
    EXPECT_TRUE(next.ok()) << next.status();
    EXPECT_NE(next.ok() ? *next : nullptr, nullptr) << "no event in time";
    return next.ok() ? *next : nullptr;
  }

  FakeJobManager jobs_;
  std::string job_id_;
};

TEST_F(WatchFeedTest, FirstEventIsTheStateThenEveryChangeInOrder) {
  WatchFeeds feeds(jobs_, Options());
  auto sub = Subscribe(feeds);
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->first().Decode().job().state(), resetd::v1::JOB_STATE_QUEUED);
  EXPECT_EQ(sub->first().Decode().changed_size(), 0);
  EXPECT_FALSE(sub->first().terminal);

  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(0, 2));
  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(2, 1));
  std::vector<std::string> seen;
  while (seen.size() < 3) {
    auto event = Next(*sub);
    ASSERT_NE(event, nullptr);
    EXPECT_EQ(event->Decode().job().state(), JOB_STATE_RUNNING);
    EXPECT_FALSE(event->Decode().changes_dropped());
    for (const auto& id : Ids(event->Decode())) seen.push_back(id);
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("ins-0", "ins-1", "ins-2"));
}

TEST_F(WatchFeedTest, WatchersShareOneEventBuiltOnce) {
  WatchFeeds feeds(jobs_, Options());
  auto a = Subscribe(feeds);
  auto b = Subscribe(feeds);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(feeds.feeds(), 1) << "one feed per job";
  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(0, 3));
  const int calls = jobs_.wait_calls();
  auto from_a = Next(*a);
  auto from_b = Next(*b);
  ASSERT_NE(from_b, nullptr);
  EXPECT_EQ(from_a.get(), from_b.get()) << "the same event, not a copy";
  EXPECT_EQ(jobs_.wait_calls() - calls, 1)
      << "the second watcher did not ask the JobManager again";
}

// What a stream's Write does with the event (gRPC serialises a ByteBuffer
// response by copying the buffer): the copy refers to the event's encoded
// bytes instead of holding its own.
TEST_F(WatchFeedTest, AStreamWritesTheSharedEncodedBytesNotACopy) {
  WatchFeeds feeds(jobs_, Options());
  auto sub = Subscribe(feeds);
  ASSERT_NE(sub, nullptr);
  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(0, 100));
  auto event = Next(*sub);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->bytes, event->Decode().ByteSizeLong());
  grpc::ByteBuffer written;
  bool own = false;
  ASSERT_TRUE(grpc::SerializationTraits<grpc::ByteBuffer>::Serialize(
                  event->encoded, &written, &own)
                  .ok());
  std::vector<grpc::Slice> shared, sent;
  ASSERT_TRUE(event->encoded.Dump(&shared).ok());
  ASSERT_TRUE(written.Dump(&sent).ok());
  ASSERT_EQ(sent.size(), shared.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].begin(), shared[i].begin()) << "slice " << i << " copied";
  }
}

TEST_F(WatchFeedTest, ALargeChangeIsSplitAndOnlyTheLastEventIsTerminal) {
  WatchFeedOptions options = Options();
  options.max_changed_per_event = 3;
  WatchFeeds feeds(jobs_, options);
  auto sub = Subscribe(feeds);
  ASSERT_NE(sub, nullptr);
  jobs_.Advance(job_id_, JOB_STATE_SUCCEEDED, ChangedIds(0, 7));
  std::vector<int> sizes;
  std::vector<bool> terminal;
  for (int i = 0; i < 3; ++i) {
    auto event = Next(*sub);
    ASSERT_NE(event, nullptr);
    EXPECT_EQ(event->Decode().job().state(), JOB_STATE_SUCCEEDED);
    sizes.push_back(event->Decode().changed_size());
    terminal.push_back(event->terminal);
  }
  EXPECT_THAT(sizes, ::testing::ElementsAre(3, 3, 1));
  EXPECT_THAT(terminal, ::testing::ElementsAre(false, false, true));
}

TEST_F(WatchFeedTest, ASlowWatcherGetsTheStateWithChangesDroppedAndTheBufferStaysBounded) {
  WatchFeedOptions options = Options();
  options.buffer_bytes = 2000;
  WatchFeeds feeds(jobs_, options);
  auto fast = Subscribe(feeds);
  auto slow = Subscribe(feeds);
  ASSERT_NE(slow, nullptr);
  // 40 events of ~100 bytes each: far more than the buffer holds.
  for (int i = 0; i < 40; ++i) {
    jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(i * 2, 2));
    auto event = Next(*fast);
    ASSERT_NE(event, nullptr);
    EXPECT_FALSE(event->Decode().changes_dropped());
    EXPECT_LE(feeds.buffered_bytes(job_id_), options.buffer_bytes);
  }
  EXPECT_GT(feeds.buffered_bytes(job_id_), 0u);

  auto caught_up = Next(*slow);
  ASSERT_NE(caught_up, nullptr);
  EXPECT_TRUE(caught_up->Decode().changes_dropped());
  EXPECT_EQ(caught_up->Decode().changed_size(), 0);
  EXPECT_EQ(caught_up->Decode().job().state(), JOB_STATE_RUNNING);
  EXPECT_EQ(slow->drops(), 1);
  EXPECT_EQ(fast->drops(), 0);

  // From there on it gets the changes again, like everyone else.
  jobs_.Advance(job_id_, JOB_STATE_SUCCEEDED, ChangedIds(1000, 1));
  auto next = Next(*slow);
  ASSERT_NE(next, nullptr);
  EXPECT_FALSE(next->Decode().changes_dropped());
  EXPECT_THAT(Ids(next->Decode()), ::testing::ElementsAre("ins-1000"));
  EXPECT_TRUE(next->terminal);
}

TEST_F(WatchFeedTest, AnEventGoesOnceEveryWatcherHasItOrLeft) {
  WatchFeeds feeds(jobs_, Options());
  auto a = Subscribe(feeds);
  auto b = Subscribe(feeds);
  auto c = Subscribe(feeds);
  ASSERT_NE(c, nullptr);
  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(0, 3));
  ASSERT_NE(Next(*a), nullptr);
  const size_t one_event = feeds.buffered_bytes(job_id_);
  EXPECT_GT(one_event, 0u) << "b and c have not sent it yet";
  ASSERT_NE(Next(*b), nullptr);
  EXPECT_EQ(feeds.buffered_bytes(job_id_), one_event) << "c has not";
  c.reset();  // c leaves without sending it
  EXPECT_EQ(feeds.buffered_bytes(job_id_), 0u);

  // Later events are kept for the slowest watcher only until it sends them.
  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(3, 1));
  ASSERT_NE(Next(*a), nullptr);
  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(4, 1));
  ASSERT_NE(Next(*a), nullptr);
  EXPECT_GT(feeds.buffered_bytes(job_id_), 0u);
  auto first = Next(*b);
  ASSERT_NE(first, nullptr);
  EXPECT_THAT(Ids(first->Decode()), ::testing::ElementsAre("ins-3"));
  EXPECT_GT(feeds.buffered_bytes(job_id_), 0u) << "b still needs ins-4's";
  auto second = Next(*b);
  ASSERT_NE(second, nullptr);
  EXPECT_THAT(Ids(second->Decode()), ::testing::ElementsAre("ins-4"));
  EXPECT_EQ(feeds.buffered_bytes(job_id_), 0u);
}

TEST_F(WatchFeedTest, ALateWatcherStartsFromTheStateWhenItJoined) {
  WatchFeeds feeds(jobs_, Options());
  auto early = Subscribe(feeds);
  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(0, 2));
  ASSERT_NE(Next(*early), nullptr);
  auto late = Subscribe(feeds);
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(late->first().Decode().job().state(), JOB_STATE_RUNNING);
  jobs_.Advance(job_id_, JOB_STATE_RUNNING, ChangedIds(2, 1));
  auto event = Next(*late);
  ASSERT_NE(event, nullptr);
  EXPECT_THAT(Ids(event->Decode()), ::testing::ElementsAre("ins-2"));
}

TEST_F(WatchFeedTest, NoChangeInTimeIsNoEvent) {
  WatchFeeds feeds(jobs_, Options());
  auto sub = Subscribe(feeds);
  ASSERT_NE(sub, nullptr);
  auto next = sub->Next(absl::Milliseconds(20));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, nullptr);
}

TEST_F(WatchFeedTest, AnEndedJobIsOneTerminalEvent) {
  jobs_.Advance(job_id_, JOB_STATE_SUCCEEDED);
  WatchFeeds feeds(jobs_, Options());
  auto sub = Subscribe(feeds);
  ASSERT_NE(sub, nullptr);
  EXPECT_TRUE(sub->first().terminal);
  EXPECT_EQ(sub->first().Decode().job().state(), JOB_STATE_SUCCEEDED);
}

TEST_F(WatchFeedTest, ErrorsEndTheWatchAndFeedsGoWithTheirLastWatcher) {
  WatchFeeds feeds(jobs_, Options());
  auto unknown = feeds.Subscribe("job-nope");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(feeds.feeds(), 0) << "a failed subscribe leaves nothing behind";

  auto a = Subscribe(feeds);
  auto b = Subscribe(feeds);
  jobs_.FailNext(absl::NotFoundError("job pruned"));
  auto next = a->Next(kWait);
  EXPECT_EQ(next.status().code(), absl::StatusCode::kNotFound);
  a.reset();
  EXPECT_EQ(feeds.feeds(), 1);
  b.reset();
  EXPECT_EQ(feeds.feeds(), 0);
}

TEST_F(WatchFeedTest, ConcurrentWatchersEachSeeEveryChangeOnceInOrder) {
  WatchFeeds feeds(jobs_, Options());
  constexpr int kWatchers = 8;
  constexpr int kSteps = 50;
  std::vector<std::unique_ptr<WatchSubscription>> subs;
  for (int w = 0; w < kWatchers; ++w) subs.push_back(Subscribe(feeds));
  std::vector<std::vector<std::string>> seen(kWatchers);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWatchers; ++w) {
    threads.emplace_back([&, w] {
      for (;;) {
        auto next = subs[w]->Next(kWait);
        if (!next.ok() || *next == nullptr) return;  // fails below
        for (const auto& id : Ids((*next)->Decode())) seen[w].push_back(id);
        if ((*next)->terminal) return;
      }
    });
  }
  for (int i = 0; i < kSteps; ++i) {
    jobs_.Advance(job_id_,
                  i + 1 == kSteps ? JOB_STATE_SUCCEEDED : JOB_STATE_RUNNING,
                  ChangedIds(i, 1));
  }
  for (auto& t : threads) t.join();
  std::vector<std::string> all;
  for (int i = 0; i < kSteps; ++i) all.push_back("ins-" + std::to_string(i));
  for (int w = 0; w < kWatchers; ++w) {
    EXPECT_EQ(seen[w], all) << "watcher " << w;
    EXPECT_EQ(subs[w]->drops(), 0);
  }
}

}  // namespace
}  // namespace resetd::service
