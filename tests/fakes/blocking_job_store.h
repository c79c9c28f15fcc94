// A JobStore wrapper whose Write can be held, like a write stuck in fsync:
// once armed, the next Write blocks before it reaches the wrapped store
// until the test releases it. Everything else passes straight through.
#pragma once

#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/fakes/forwarding_job_store.h"

namespace resetd::testing {

// Thread-safe as the wrapped store.
class BlockingJobStore final : public ForwardingJobStore {
 public:
  explicit BlockingJobStore(std::unique_ptr<workflow::JobStore> base)
      : ForwardingJobStore(std::move(base)) {}

  // The next Write blocks until Release().
  void Arm() {
    absl::MutexLock lock(&mu_);
    armed_ = true;
    released_ = false;
  }
  // Blocks until a Write is held (or `timeout` passes); whether one is.
  bool WaitUntilHeld(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&held_), timeout);
  }
  // Lets the held Write, if any, go on; disarms. Idempotent.
  void Release() {
    absl::MutexLock lock(&mu_);
    armed_ = false;
    released_ = true;
  }

  absl::Status Write(
      absl::Span<const workflow::StepRecord> steps,
      absl::Span<const resetd::v1::StoredInstance> instances) override {
    {
      absl::MutexLock lock(&mu_);
      if (armed_) {
        armed_ = false;
        held_ = true;
        mu_.Await(absl::Condition(&released_));
        held_ = false;
      }
    }
    return ForwardingJobStore::Write(steps, instances);
  }

 private:
  absl::Mutex mu_;
  bool armed_ ABSL_GUARDED_BY(mu_) = false;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace resetd::testing
