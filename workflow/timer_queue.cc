#include "workflow/timer_queue.h"

namespace resetd::workflow {

void TimerQueue::Schedule(Task& t, absl::Time at) {
  timers_.push(Timer{at, next_seq_++, &t, t.generation});
}

std::vector<Task*> TimerQueue::PopDue(absl::Time now) {
  std::vector<Task*> due;
  while (!timers_.empty() && timers_.top().at <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    Task& t = *timer.task;
    if (t.generation != timer.generation || t.phase == Task::Phase::kDone) {
      continue;
    }
    due.push_back(&t);
  }
  return due;
}

absl::Time TimerQueue::Next() const {
  return timers_.empty() ? absl::InfiniteFuture() : timers_.top().at;
}

}  // namespace resetd::workflow
