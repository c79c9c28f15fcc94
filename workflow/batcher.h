// Batching: instances waiting for the same call wait in one queue and go
// together, up to the provider's batch limit, once the queue is full or its
// oldest entry has lingered, and only when the call's token bucket has a
// token. Instances resetd has taken down (stopped, or stopping) go before
// the others of their queue: the sooner they are reset, the sooner they
// serve again, and a job's last batches are then the instances that need no
// start afterwards. Describe queues stay oldest-first. Not thread-safe:
// owned by the scheduler.
#pragma once

#include <compare>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "workflow/provider_registry.h"
#include "workflow/rate_limiter.h"
#include "workflow/recipe.h"
#include "workflow/task.h"

namespace resetd::workflow {

// One token bucket: an action of one provider account in one region.
struct RateKey {
  std::string provider;  // the ProviderEntry's name
  std::string account;
  std::string region;
  Action action = Action::kDescribe;

  // The limiter's key, "provider|account|region|action" (also readable in
  // logs); never parsed back.
  std::string name() const;
  friend auto operator<=>(const RateKey&, const RateKey&) = default;
};

// Instances that may share one call: the same bucket, plus what the call
// carries besides ids.
struct BatchKey {
  RateKey rate;
  uint32_t group = 0;     // split group after a failed batch (0: none)
  int stop_mode = 0;      // Stop/Reboot: the job's resetd::v1::StopMode
  std::string job_id;     // resets: the password is the job's
  friend auto operator<=>(const BatchKey&, const BatchKey&) = default;
};

// The batch key of `t` for `action` (Describe batches are shared by jobs).
BatchKey BatchKeyOf(const Task& t, Action action);

// The most ids one call of `action` may carry on provider `p`.
int MaxBatch(const ProviderEntry& p, Action action);

// Whether `t` is queued in its queue's held lane: resetd holds it down
// (stopped or stopping it). That lane goes first in reset, stop, start and
// reboot queues. Describe takes both lanes oldest first, but once its other
// lane has a backlog (a large job's first looks) the lanes take turns: a
// held instance's look does not wait behind all of them, nor starve them.
bool HeldLane(const Task& t);

// A call's worth of instances, taken from one queue.
struct Batch {
  BatchKey key;
  const ProviderEntry* provider = nullptr;
  std::vector<Task*> tasks;  // now kInFlight
  absl::Time oldest;         // when the first of them was queued
};

class Batcher {
 public:
  // Entries wait at most `linger` for a batch to fill.
  explicit Batcher(absl::Duration linger) : linger_(linger) {}

  // Queues `t` (kQueued, for t.action) under `key`; the entry stands for
  // t.generation and goes stale when the task moves on. Its lane is
  // HeldLane's.
  void Add(const BatchKey& key, const ProviderEntry& provider, Task& t,
           absl::Time now);

  // The batches that may go at `now`, each with a token reserved from
  // `limiter`. Lowers `*wake` to the next time another one could go.
  std::vector<Batch> TakeDue(absl::Time now, RateLimiter& limiter,
                             absl::Time* wake);

 private:
  struct Entry {
    Task* task;
    uint64_t generation;
    absl::Time enqueued;
  };
  struct Queue {
    const ProviderEntry* provider = nullptr;
    std::deque<Entry> held;     // instances resetd holds down
    std::deque<Entry> entries;  // the others, oldest first
    bool held_turn = true;      // Describe backlog: the held lane's turn
    bool empty() const { return held.empty() && entries.empty(); }
    // When the oldest live entry was queued (after DropStale).
    absl::Time Oldest() const;
    // Drops stale entries from the fronts of both lanes.
    void DropStale();
  };
  static bool Stale(const Entry& e);
  bool Ready(const BatchKey& key, Queue& q, absl::Time now, absl::Time* wake);
  Batch Take(const BatchKey& key, Queue& q, absl::Time now);
  // Whether a Describe batch starts with the held lane: oldest first, but
  // once the other lane has a backlog (its oldest waited over
  // kDescribeBacklog) the lanes take turns.
  static bool DescribeHeldFirst(Queue& q, absl::Time now);
  static constexpr absl::Duration kDescribeBacklog = absl::Seconds(1);

  const absl::Duration linger_;
  std::map<BatchKey, Queue> queues_;
};

}  // namespace resetd::workflow
