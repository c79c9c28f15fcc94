// Injected failures and latency, shared by every provider's API and changed
// at run time through POST /_fake/faults.
#pragma once

#include <cstdint>
#include <random>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fakecloud/fleet.h"

namespace resetd::fakecloud {

// Injected failures, changeable at run time.
struct FaultOptions {
  double error_rate = 0;  // chance of an injected internal error
  DelayRange latency;     // added before every API answer
};

// Thread-safe.
class FaultInjector {
 public:
  FaultInjector(FaultOptions faults, uint64_t seed)
      : faults_(faults), rng_(seed) {}

  void Set(const FaultOptions& faults);
  FaultOptions Get() const;

  // -1 if this request is not to fail, else which of `kinds` internal errors
  // the API should answer (each provider has its own words for them).
  int DrawError(int kinds);

  // The latency to add before this answer.
  absl::Duration DrawLatency();

 private:
  mutable absl::Mutex mu_;
  FaultOptions faults_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resetd::fakecloud
