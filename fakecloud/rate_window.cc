#include "fakecloud/rate_window.h"

namespace resetd::fakecloud {

RateWindow::RateWindow(const Clock& clock, absl::Duration window)
    : clock_(clock), window_(window) {}

bool RateWindow::TryAcquire(const std::string& key, int limit) {
  if (limit <= 0) return true;
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  std::deque<absl::Time>& times = admitted_[key];
  while (!times.empty() && times.front() <= now - window_) times.pop_front();
  if (static_cast<int>(times.size()) >= limit) return false;
  times.push_back(now);
  return true;
}

void RateWindow::Clear() {
  absl::MutexLock lock(&mu_);
  admitted_.clear();
}

}  // namespace resetd::fakecloud
