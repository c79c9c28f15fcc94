// Time as a collaborator, so timing logic is tested on a fake clock.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace resetd {

// Source of the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // The current time.
  virtual absl::Time Now() const = 0;
};

// Wall-clock time (absl::Now()). Thread-safe; a process-wide instance is
// returned by RealClock().
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};
Clock& RealClock();

}  // namespace resetd
