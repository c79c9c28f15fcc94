#include "workflow/poll_planner.h"

#include <algorithm>

#include "workflow/batcher.h"

namespace resetd::workflow {

namespace {

// The share of a Describe bucket's capacity that polls may plan to take;
// the rest is for first observations and for bursts.
constexpr double kPollShare = 0.5;

// A first poll that finds the wait already over counts as a wait this much
// shorter: the transition may have ended well before the look.
constexpr double kShrink = 0.75;

}  // namespace

std::string PollPlanner::BucketOf(const Task& t) {
  return BatchKeyOf(t, Action::kDescribe).rate.name();
}

PollPlanner::WaitKey PollPlanner::KeyOf(const Task& t) {
  const WaitState& w = t.wait;
  int kind = static_cast<int>(w.kind) * 16 + static_cast<int>(w.target);
  if (w.needs_change) kind = -kind;
  return {t.provider->name, kind};
}

void PollPlanner::SetPolling(Task& t, bool polling) {
  if (t.polling == polling) return;
  t.polling = polling;
  const std::string bucket = BucketOf(t);
  int& n = polling_[bucket];
  n += polling ? 1 : -1;
  if (n <= 0) polling_.erase(bucket);
}

int PollPlanner::Polling(const Task& t) const {
  auto it = polling_.find(BucketOf(t));
  return it == polling_.end() ? 0 : it->second;
}

absl::Duration PollPlanner::Interval(const Task& t) const {
  const absl::Duration slow = options_.poll_interval;
  if (t.wait.needs_change) return slow;  // a reboot: see the header
  const absl::Duration fast = std::min(options_.min_poll_interval, slow);
  const double per_second =
      ConfiguredRate(*t.provider, std::string(ActionName(Action::kDescribe))) *
      options_.rate_headroom * MaxBatch(*t.provider, Action::kDescribe) *
      kPollShare;
  if (!(per_second > 0)) return slow;
  const absl::Duration needed = absl::Seconds(Polling(t) / per_second);
  return std::clamp(needed, fast, slow);
}

absl::Duration PollPlanner::Shortest(const Task& t) const {
  auto it = shortest_.find(KeyOf(t));
  return it == shortest_.end() ? absl::ZeroDuration() : it->second;
}

absl::Time PollPlanner::First(const Task& t, absl::Time now) const {
  return now + std::max(Interval(t), Shortest(t));
}

absl::Time PollPlanner::Next(const Task& t, absl::Time now) const {
  return now + Interval(t);
}

void PollPlanner::Over(const Task& t, absl::Time now) {
  const WaitState& w = t.wait;
  if (w.kind == WaitKind::kStable || w.since == absl::InfinitePast()) {
    return;  // not a transition resetd started
  }
  // Over at the first look: it took at most until now (it may have been
  // over for a while, e.g. while the look waited for a Describe token), so
  // the estimate may only fall. Over after a pending look: it took at least
  // until that look, so the estimate may only rise, slowly. It follows the
  // shortest waits, errs early, and a busy Describe queue's delays never
  // count as waiting.
  const bool first_look = w.last_pending == absl::InfinitePast();
  const absl::Duration sample =
      first_look ? (now - w.since) * kShrink : w.last_pending - w.since;
  auto [it, added] = shortest_.emplace(KeyOf(t), sample);
  if (added) return;
  absl::Duration& shortest = it->second;
  if (first_look) {
    shortest = std::min(shortest, sample);
  } else if (sample > shortest) {
    shortest += (sample - shortest) / 8;
  }
}

}  // namespace resetd::workflow
