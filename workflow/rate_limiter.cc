#include "workflow/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace resetd::workflow {

namespace {
constexpr double kMaxSlowdown = 8.0;
constexpr double kRecoveryPerSuccess = 0.95;
}  // namespace

RateLimiter::RateLimiter(std::function<double(const std::string&)> rate_of,
                         double headroom)
    : rate_of_(std::move(rate_of)),
      headroom_(std::clamp(headroom, 0.01, 1.0)) {}

RateLimiter::Bucket& RateLimiter::BucketFor(const std::string& key) {
  auto it = buckets_.find(key);
  if (it != buckets_.end()) return it->second;
  return buckets_.emplace(key, MakeBucket(rate_of_(key))).first->second;
}

RateLimiter::Bucket RateLimiter::MakeBucket(double rate) const {
  Bucket b;
  b.base_interval = absl::Seconds(1.0 / (std::max(rate, 0.001) * headroom_));
  b.per_window = static_cast<size_t>(std::max(1.0, std::floor(rate)));
  return b;
}

void RateLimiter::Define(const std::string& key, double rate) {
  absl::MutexLock lock(&mu_);
  buckets_.try_emplace(key, MakeBucket(rate));
}

absl::Time RateLimiter::NextAvailable(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  return std::max(now, BucketFor(key).next);
}

absl::Time RateLimiter::Reserve(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  Bucket& b = BucketFor(key);
  absl::Time at = std::max(now, b.next);
  b.next = at + IntervalOf(b);
  return at;
}

absl::Time RateLimiter::Start(const std::string& key, absl::Time at) {
  absl::MutexLock lock(&mu_);
  Bucket& b = BucketFor(key);
  if (!b.starts.empty()) at = std::max(at, b.starts.back());
  if (b.starts.size() == b.per_window) {
    at = std::max(at, b.starts.front() + absl::Seconds(1) + kStartMargin);
    b.starts.pop_front();
  }
  b.starts.push_back(at);
  return at;
}

void RateLimiter::OnThrottled(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  Bucket& b = BucketFor(key);
  b.slowdown = std::min(b.slowdown * 2.0, kMaxSlowdown);
  // The provider's window is unknown: leave a full (slowed) interval from now
  // on, so the next attempt does not land in the same window.
  b.next = std::max(b.next, now + IntervalOf(b));
}

void RateLimiter::OnSuccess(const std::string& key) {
  absl::MutexLock lock(&mu_);
  Bucket& b = BucketFor(key);
  b.slowdown = std::max(1.0, b.slowdown * kRecoveryPerSuccess);
}

absl::Duration RateLimiter::Interval(const std::string& key) {
  absl::MutexLock lock(&mu_);
  return IntervalOf(BucketFor(key));
}

}  // namespace resetd::workflow
