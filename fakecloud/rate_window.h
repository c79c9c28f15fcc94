// Per-key request rate limit over a sliding one-second window, the way the
// Tencent API gateway limits each (account, region, action).
#pragma once

#include <deque>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace resetd::fakecloud {

// Thread-safe. Only admitted requests count: a rejected request does not
// extend the caller's penalty.
class RateWindow {
 public:
  explicit RateWindow(const Clock& clock,
                      absl::Duration window = absl::Seconds(1));

  // Admits one request for `key` if fewer than `limit` requests were admitted
  // for it in the window ending now, i.e. in (now - window, now]. A limit <= 0
  // means unlimited. Returns whether the request was admitted.
  bool TryAcquire(const std::string& key, int limit);

  // Forgets every admitted request.
  void Clear();

 private:
  const Clock& clock_;
  const absl::Duration window_;
  absl::Mutex mu_;
  std::map<std::string, std::deque<absl::Time>> admitted_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resetd::fakecloud
