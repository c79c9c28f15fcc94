// Token buckets per (provider, account, region, action): the only way a cloud
// call gets permission to go.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace resetd::workflow {

// How much longer than a second the window of RateLimiter::Start is.
inline constexpr absl::Duration kStartMargin = absl::Milliseconds(25);

// Paces calls per key so that no key ever sees more than its rate in any
// one-second window. Each bucket holds at most one token (no bursts): calls
// go at least 1/(rate * headroom) apart. A throttling response slows the key
// down (doubling its interval, up to 8x); successes recover it gradually.
// Reserving never blocks: it returns the time at which the call may go.
//
// A reserved call does not leave at its slot: its intent is written first and
// a worker picks it up, and these delays vary (a late call followed by one on
// time bunches two). So the moment each attempt really starts also passes a
// sliding-window guard (Start): at most floor(rate) starts of a key within any
// one second plus kStartMargin, the margin covering the way from the start to
// the provider's gateway. With headroom < 1 - kStartMargin/1s the spacing
// alone keeps starts that far apart and the guard only acts on a bunch.
// Thread-safe.
class RateLimiter {
 public:
  // `rate_of(key)` gives the configured requests per second of a key; it is
  // called once per new key. `headroom` in (0, 1] is the fraction used.
  RateLimiter(std::function<double(const std::string&)> rate_of,
              double headroom);

  // Gives `key` its configured rate (requests per second) instead of
  // rate_of's, if its bucket does not exist yet; else changes nothing.
  void Define(const std::string& key, double rate);

  // The earliest time at or after `now` at which a call on `key` may go,
  // without reserving it.
  absl::Time NextAvailable(const std::string& key, absl::Time now);

  // Reserves the next slot of `key` and returns its time (>= now).
  absl::Time Reserve(const std::string& key, absl::Time now);

  // Where an attempt on `key` that may go at `at` (its reserved slot, or
  // now) really starts: the earliest time at or after `at` that puts no more
  // than floor(rate) (at least 1) recorded starts of `key` within
  // 1 s + kStartMargin, and not before the latest recorded start. Records it.
  absl::Time Start(const std::string& key, absl::Time at);

  // The provider throttled a call on `key`.
  void OnThrottled(const std::string& key, absl::Time now);
  // A call on `key` succeeded.
  void OnSuccess(const std::string& key);

  // The current interval between calls on `key` (for tests and metrics).
  absl::Duration Interval(const std::string& key);

 private:
  struct Bucket {
    absl::Duration base_interval;
    double slowdown = 1.0;  // >= 1; multiplies base_interval
    absl::Time next = absl::InfinitePast();
    size_t per_window = 1;          // starts allowed within kStartWindow
    std::deque<absl::Time> starts;  // the latest per_window, ascending
  };
  Bucket& BucketFor(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Bucket MakeBucket(double rate) const;
  static absl::Duration IntervalOf(const Bucket& b) {
    return b.base_interval * b.slowdown;
  }

  const std::function<double(const std::string&)> rate_of_;
  const double headroom_;
  absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resetd::workflow
