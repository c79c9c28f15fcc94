#include "workflow/batcher.h"

#include <algorithm>
#include <array>
#include <utility>

namespace resetd::workflow {

std::string RateKey::name() const {
  return provider + "|" + account + "|" + region + "|" +
         std::string(ActionName(action));
}

BatchKey BatchKeyOf(const Task& t, Action action) {
  BatchKey key;
  key.rate = RateKey{t.provider->name, t.provider->account, t.region, action};
  // Split groups stay apart after a failed batch; otherwise Describe
  // batches are shared by every job.
  key.group = action == Action::kDescribe ? t.describe_group : t.group;
  if (action == Action::kStop || action == Action::kReboot) {
    key.stop_mode = t.job->spec.stop_mode();
  }
  if (IsReset(action)) key.job_id = t.job->job_id;  // the job's password
  return key;
}

int MaxBatch(const ProviderEntry& p, Action action) {
  const auto& c = p.client->capabilities();
  int limit = 100;
  switch (action) {
    case Action::kDescribe: limit = c.max_describe_batch; break;
    case Action::kStop: limit = c.max_stop_batch; break;
    case Action::kStart: limit = c.max_start_batch; break;
    case Action::kReboot: limit = c.max_reboot_batch; break;
    case Action::kResetPassword: limit = c.max_reset_batch; break;
    case Action::kResetVncPassword: limit = c.max_vnc_batch; break;
  }
  return std::max(1, std::min(limit, p.max_batch));
}

bool HeldLane(const Task& t) { return t.held_down || t.held_stopped; }

void Batcher::Add(const BatchKey& key, const ProviderEntry& provider, Task& t,
                  absl::Time now) {
  Queue& q = queues_[key];
  q.provider = &provider;
  (HeldLane(t) ? q.held : q.entries)
      .push_back(Entry{&t, t.generation, now});
}

bool Batcher::Stale(const Entry& e) {
  return e.task->generation != e.generation ||
         e.task->phase != Task::Phase::kQueued;
}

void Batcher::Queue::DropStale() {
  while (!held.empty() && Stale(held.front())) held.pop_front();
  while (!entries.empty() && Stale(entries.front())) entries.pop_front();
}

absl::Time Batcher::Queue::Oldest() const {
  absl::Time oldest = absl::InfiniteFuture();
  if (!held.empty()) oldest = held.front().enqueued;
  if (!entries.empty()) oldest = std::min(oldest, entries.front().enqueued);
  return oldest;
}

std::vector<Batch> Batcher::TakeDue(absl::Time now, RateLimiter& limiter,
                                    absl::Time* wake) {
  std::vector<Batch> out;
  for (auto it = queues_.begin(); it != queues_.end();) {
    const std::string bucket = it->first.rate.name();
    limiter.Define(bucket, ConfiguredRate(*it->second.provider,
                                          std::string(ActionName(
                                              it->first.rate.action))));
    while (Ready(it->first, it->second, now, wake)) {
      const absl::Time at = limiter.NextAvailable(bucket, now);
      if (at > now) {
        *wake = std::min(*wake, at);
        break;
      }
      limiter.Reserve(bucket, now);
      out.push_back(Take(it->first, it->second, now));
    }
    it = it->second.empty() ? queues_.erase(it) : std::next(it);
  }
  return out;
}

bool Batcher::Ready(const BatchKey& key, Queue& q, absl::Time now,
                    absl::Time* wake) {
  q.DropStale();
  if (q.empty()) return false;
  const int max = MaxBatch(*q.provider, key.rate.action);
  // Only whether a full batch is waiting matters: stop counting at max.
  int live = 0;
  for (const auto* lane : {&q.held, &q.entries}) {
    for (auto it = lane->begin(); it != lane->end() && live < max; ++it) {
      if (!Stale(*it)) ++live;
    }
  }
  const absl::Time ready_at = q.Oldest() + linger_;
  if (live < max && ready_at > now) {
    *wake = std::min(*wake, ready_at);
    return false;
  }
  return true;
}

bool Batcher::DescribeHeldFirst(Queue& q, absl::Time now) {
  if (q.held.empty() || q.entries.empty()) return !q.held.empty();
  if (now - q.entries.front().enqueued <= kDescribeBacklog) {
    return q.held.front().enqueued <= q.entries.front().enqueued;
  }
  return std::exchange(q.held_turn, !q.held_turn);
}

Batch Batcher::Take(const BatchKey& key, Queue& q, absl::Time now) {
  Batch b;
  b.key = key;
  b.provider = q.provider;
  b.oldest = q.Oldest();
  const size_t max = MaxBatch(*q.provider, key.rate.action);
  const bool held_first =
      key.rate.action != Action::kDescribe || DescribeHeldFirst(q, now);
  for (auto* lane : held_first ? std::array{&q.held, &q.entries}
                               : std::array{&q.entries, &q.held}) {
    while (!lane->empty() && b.tasks.size() < max) {
      Entry e = lane->front();
      lane->pop_front();
      if (Stale(e)) continue;
      e.task->phase = Task::Phase::kInFlight;
      b.tasks.push_back(e.task);
    }
  }
  return b;
}

}  // namespace resetd::workflow
