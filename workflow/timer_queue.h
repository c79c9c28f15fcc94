// When tasks are to be observed again (polls, backoffs, retries). Not
// thread-safe: owned by the scheduler.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "absl/time/time.h"
#include "workflow/task.h"

namespace resetd::workflow {

class TimerQueue {
 public:
  // Fires `t` at `at`, unless t.generation has changed by then (the task
  // moved on: the timer is stale and dropped).
  void Schedule(Task& t, absl::Time at);

  // The tasks whose timers are due at `now` and still current, in time
  // order (ties in scheduling order).
  std::vector<Task*> PopDue(absl::Time now);

  // The earliest pending timer (stale ones included), or InfiniteFuture.
  absl::Time Next() const;

 private:
  struct Timer {
    absl::Time at;
    uint64_t seq;
    Task* task;
    uint64_t generation;
    bool operator>(const Timer& o) const {
      return at != o.at ? at > o.at : seq > o.seq;
    }
  };
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  uint64_t next_seq_ = 1;
};

}  // namespace resetd::workflow
