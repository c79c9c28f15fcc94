#include "service/watch_slots.h"

namespace resetd::service {

absl::StatusOr<WatchSlots::Slot> WatchSlots::Acquire(
    const std::string& identity) {
  absl::MutexLock lock(&mu_);
  int& n = open_[identity];
  if (n >= per_identity_) {
    return absl::ResourceExhaustedError(
        "too many open WatchResetJob streams for this caller (" +
        std::to_string(per_identity_) +
        ", limits.max_watches_per_identity): close one first");
  }
  ++n;
  return Slot(this, identity);
}

int WatchSlots::open(const std::string& identity) const {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(identity);
  return it == open_.end() ? 0 : it->second;
}

void WatchSlots::Release(const std::string& identity) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(identity);
  if (it == open_.end()) return;
  if (--it->second <= 0) open_.erase(it);
}

}  // namespace resetd::service
