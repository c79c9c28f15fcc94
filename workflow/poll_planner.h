// When an instance that waits for a transition (a stop, a start, a reset's
// result, a transitional state to settle) is observed next.
//
// Polls spend the Describe budget they have: the interval of a Describe
// bucket follows how many instances poll it, so that their polls would take
// at most half of what the bucket carries (full batches at its paced rate),
// between min_poll_interval (few instances: far lower latency) and
// poll_interval (many: the same calls as fixed polling, oldest first).
// Polls of instances due together share calls through the batcher's linger
// (polls aligned to a shared grid were tried: at 10,000 instances the whole
// fleet's polls came in one burst each second and the job took 12% longer).
// A wait's first poll comes no sooner than the shortest wait of its kind
// seen so far on the provider: raised slowly by each wait's last pending
// look (a lower bound), lowered by a first look that finds the wait over (an
// upper bound; a look delayed in a busy Describe queue raises nothing: at
// 100,000 instances such delays once grew the estimate to 28 s). Reboots keep
// poll_interval: a short reboot is taken as done after a few polls that all
// see RUNNING, which must span time. Not thread-safe: owned by the
// scheduler.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "workflow/engine_options.h"
#include "workflow/task.h"

namespace resetd::workflow {

class PollPlanner {
 public:
  explicit PollPlanner(const EngineOptions& options) : options_(options) {}

  // Counts `t` as polling its Describe bucket or not (idempotent).
  void SetPolling(Task& t, bool polling);

  // The first observation of `t`, whose wait began at `now`.
  absl::Time First(const Task& t, absl::Time now) const;
  // The next observation of `t`, whose wait is still pending at `now`.
  absl::Time Next(const Task& t, absl::Time now) const;
  // `t`'s wait was seen over at `now`: learns how long such waits take.
  // Call it before the wait is ended.
  void Over(const Task& t, absl::Time now);

  // The poll interval of `t`'s Describe bucket now.
  absl::Duration Interval(const Task& t) const;
  // Instances polling `t`'s Describe bucket.
  int Polling(const Task& t) const;
  // The shortest wait like `t`'s seen so far (zero: none yet).
  absl::Duration Shortest(const Task& t) const;

 private:
  using WaitKey = std::pair<std::string, int>;  // provider, kind of wait
  static std::string BucketOf(const Task& t);
  static WaitKey KeyOf(const Task& t);

  const EngineOptions& options_;
  std::map<std::string, int> polling_;        // by Describe bucket
  std::map<WaitKey, absl::Duration> shortest_;
};

}  // namespace resetd::workflow
