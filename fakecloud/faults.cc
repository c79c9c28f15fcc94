#include "fakecloud/faults.h"

namespace resetd::fakecloud {

void FaultInjector::Set(const FaultOptions& faults) {
  absl::MutexLock lock(&mu_);
  faults_ = faults;
}

FaultOptions FaultInjector::Get() const {
  absl::MutexLock lock(&mu_);
  return faults_;
}

int FaultInjector::DrawError(int kinds) {
  absl::MutexLock lock(&mu_);
  if (faults_.error_rate <= 0 || kinds <= 0) return -1;
  std::uniform_real_distribution<double> chance(0, 1);
  if (chance(rng_) >= faults_.error_rate) return -1;
  return static_cast<int>(rng_() % static_cast<uint64_t>(kinds));
}

absl::Duration FaultInjector::DrawLatency() {
  absl::MutexLock lock(&mu_);
  const DelayRange& r = faults_.latency;
  if (r.max <= r.min) return r.min;
  std::uniform_int_distribution<int64_t> dist(
      0, absl::ToInt64Milliseconds(r.max - r.min));
  return r.min + absl::Milliseconds(dist(rng_));
}

}  // namespace resetd::fakecloud
