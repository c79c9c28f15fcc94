#include "service/watch_feed.h"

#include <algorithm>
#include <deque>
#include <set>
#include <utility>

#include "absl/time/clock.h"
#include "grpcpp/impl/codegen/proto_utils.h"

namespace resetd::service {

// A job's events, numbered from 0 in the order they were built. Only those
// a watcher has yet to send are kept, and of those only the newest
// (WatchFeedOptions::buffer_bytes).
struct WatchSubscription::Feed {
  explicit Feed(std::string id) : job_id(std::move(id)) {}

  uint64_t end_seq() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return first_seq + events.size();
  }

  // A watcher's next event moves from `from` to `to`.
  void Move(uint64_t from, uint64_t to) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    positions.erase(positions.find(from));
    positions.insert(to);
  }

  // Drops the events every watcher has sent, then the oldest beyond
  // `max_bytes`.
  void Trim(size_t max_bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const uint64_t needed =
        positions.empty() ? end_seq() : *positions.begin();
    while (!events.empty() && (first_seq < needed || bytes > max_bytes)) {
      bytes -= events.front()->bytes;
      events.pop_front();
      ++first_seq;
    }
  }

  const std::string job_id;
  absl::Mutex mu;
  bool started ABSL_GUARDED_BY(mu) = false;
  std::deque<std::shared_ptr<const WatchEvent>> events ABSL_GUARDED_BY(mu);
  uint64_t first_seq ABSL_GUARDED_BY(mu) = 0;  // of events.front()
  // Each watcher's next event (its next_seq_).
  std::multiset<uint64_t> positions ABSL_GUARDED_BY(mu);
  size_t bytes ABSL_GUARDED_BY(mu) = 0;        // of `events`
  // The job's latest state (an event without changes, and the job itself)
  // and its JobManager version.
  std::shared_ptr<const WatchEvent> state ABSL_GUARDED_BY(mu);
  resetd::v1::ResetJob state_job ABSL_GUARDED_BY(mu);
  uint64_t version ABSL_GUARDED_BY(mu) = 0;
  bool building ABSL_GUARDED_BY(mu) = false;  // a watcher builds the next
  absl::Time next_build ABSL_GUARDED_BY(mu) = absl::InfinitePast();
};

namespace {

// Encodes `event` once for every stream that will send it.
std::shared_ptr<const WatchEvent> Encode(const resetd::v1::ResetJobEvent& event,
                                         bool terminal) {
  auto out = std::make_shared<WatchEvent>();
  bool own_buffer = false;
  out->changes_dropped = event.changes_dropped();
  if (!grpc::SerializationTraits<resetd::v1::ResetJobEvent>::Serialize(
           event, &out->encoded, &own_buffer)
           .ok()) {
    // Only a message over 2 GiB fails (an event is a few hundred KB at most:
    // max_changed_per_event). Should one, its changes are dropped as for a
    // watcher that fell behind: the job's state (bounded) always encodes.
    resetd::v1::ResetJobEvent state;
    *state.mutable_job() = event.job();
    state.set_changes_dropped(true);
    out->changes_dropped = true;
    (void)grpc::SerializationTraits<resetd::v1::ResetJobEvent>::Serialize(
        state, &out->encoded, &own_buffer);
  }
  out->terminal = terminal;
  out->bytes = out->encoded.Length();
  return out;
}

std::shared_ptr<const WatchEvent> StateEvent(const resetd::v1::ResetJob& job,
                                             bool terminal,
                                             bool changes_dropped = false) {
  resetd::v1::ResetJobEvent event;
  *event.mutable_job() = job;
  event.set_changes_dropped(changes_dropped);
  return Encode(event, terminal);
}

}  // namespace

resetd::v1::ResetJobEvent WatchEvent::Decode() const {
  resetd::v1::ResetJobEvent out;
  grpc::ByteBuffer copy(encoded);  // Deserialize consumes its buffer
  // Our own encoding: it decodes.
  (void)grpc::SerializationTraits<resetd::v1::ResetJobEvent>::Deserialize(
      &copy, &out);
  return out;
}

WatchSubscription::WatchSubscription(WatchFeeds& feeds,
                                     std::shared_ptr<Feed> feed)
    : feeds_(feeds), feed_(std::move(feed)) {}

WatchSubscription::~WatchSubscription() {
  {
    Feed& f = *feed_;
    absl::MutexLock lock(&f.mu);
    if (joined_) {
      f.positions.erase(f.positions.find(next_seq_));
      f.Trim(feeds_.options_.buffer_bytes);
    }
  }
  feeds_.Leave(feed_->job_id);
}

absl::StatusOr<std::shared_ptr<const WatchEvent>> WatchSubscription::Next(
    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  Feed& f = *feed_;
  absl::MutexLock lock(&f.mu);
  for (;;) {
    if (next_seq_ < f.first_seq) {
      // Fell behind what the feed keeps: the state now, then on from there.
      ++drops_;
      f.Move(next_seq_, f.end_seq());
      next_seq_ = f.end_seq();
      return StateEvent(f.state_job, f.state->terminal,
                        /*changes_dropped=*/true);
    }
    if (next_seq_ < f.end_seq()) {
      auto event = f.events[next_seq_ - f.first_seq];
      f.Move(next_seq_, next_seq_ + 1);
      ++next_seq_;
      f.Trim(feeds_.options_.buffer_bytes);
      return event;
    }
    // Everything sent; an ended job has nothing more (its last state again).
    if (f.state->terminal) return f.state;
    if (absl::Now() >= deadline) return nullptr;
    if (!f.building) {
      if (absl::Status built = Produce(deadline); !built.ok()) return built;
      continue;
    }
    auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.mu) {
      return next_seq_ < f.end_seq() || !f.building;
    };
    f.mu.AwaitWithDeadline(absl::Condition(&ready), deadline);
  }
}

absl::Status WatchSubscription::Produce(absl::Time deadline) {
  Feed& f = *feed_;
  const WatchFeedOptions& options = feeds_.options_;
  f.building = true;
  const uint64_t after = f.version;
  const bool was_terminal = f.state->terminal;
  const absl::Time not_before = f.next_build;
  f.mu.Unlock();
  absl::StatusOr<workflow::JobUpdate> update;
  const bool in_time = deadline > not_before;
  // Coalesce: the changes until the next build go in one event.
  absl::SleepFor(std::min(deadline, not_before) - absl::Now());
  if (in_time) {
    update = feeds_.jobs_.WaitForUpdate(f.job_id, after, deadline - absl::Now());
  }
  f.mu.Lock();
  f.building = false;
  if (!in_time) return absl::OkStatus();
  if (!update.ok()) return update.status();
  if (update->version == after && update->terminal == was_terminal) {
    return absl::OkStatus();
  }
  auto& changed = *update->event.mutable_changed();
  const int n = changed.size();
  int from = 0;
  resetd::v1::ResetJobEvent part;
  do {
    *part.mutable_job() = update->event.job();
    const int to = std::min(n, from + options.max_changed_per_event);
    for (int i = from; i < to; ++i) part.add_changed()->Swap(&changed[i]);
    from = to;
    auto event = Encode(part, update->terminal && from == n);
    part.Clear();
    f.bytes += event->bytes;
    f.events.push_back(std::move(event));
  } while (from < n);
  f.version = update->version;
  f.state = StateEvent(update->event.job(), update->terminal);
  f.state_job = update->event.job();
  f.next_build = absl::Now() + options.min_event_interval;
  f.Trim(options.buffer_bytes);
  return absl::OkStatus();
}

WatchFeeds::WatchFeeds(workflow::JobManager& jobs, WatchFeedOptions options)
    : jobs_(jobs), options_(options) {}

WatchFeeds::~WatchFeeds() = default;

absl::StatusOr<std::unique_ptr<WatchSubscription>> WatchFeeds::Subscribe(
    const std::string& job_id) {
  std::shared_ptr<WatchSubscription::Feed> feed;
  {
    absl::MutexLock lock(&mu_);
    auto& [shared, subscribers] = feeds_[job_id];
    if (shared == nullptr) {
      shared = std::make_shared<WatchSubscription::Feed>(job_id);
    }
    ++subscribers;
    feed = shared;
  }
  // Leaves the feed again if anything below fails.
  std::unique_ptr<WatchSubscription> sub(new WatchSubscription(*this, feed));
  absl::MutexLock lock(&feed->mu);
  if (!feed->started) {
    auto now = jobs_.CurrentState(job_id);
    if (!now.ok()) return now.status();
    feed->state = StateEvent(now->event.job(), now->terminal);
    feed->state_job = now->event.job();
    feed->version = now->version;
    feed->started = true;
  }
  sub->first_ = feed->state;
  sub->next_seq_ = feed->end_seq();
  feed->positions.insert(sub->next_seq_);
  sub->joined_ = true;
  return sub;
}

int WatchFeeds::feeds() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(feeds_.size());
}

size_t WatchFeeds::buffered_bytes(const std::string& job_id) const {
  std::shared_ptr<WatchSubscription::Feed> feed;
  {
    absl::MutexLock lock(&mu_);
    auto it = feeds_.find(job_id);
    if (it == feeds_.end()) return 0;
    feed = it->second.first;
  }
  absl::MutexLock lock(&feed->mu);
  return feed->bytes;
}

void WatchFeeds::Leave(const std::string& job_id) {
  absl::MutexLock lock(&mu_);
  auto it = feeds_.find(job_id);
  if (it != feeds_.end() && --it->second.second == 0) feeds_.erase(it);
}

}  // namespace resetd::service
