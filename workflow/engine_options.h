// Tunables of the engine, filled from the config's EngineConfig.
#pragma once

#include "absl/time/time.h"

namespace resetd::workflow {

struct EngineOptions {
  absl::Duration linger = absl::Milliseconds(200);       // batch fill time
  absl::Duration poll_interval = absl::Seconds(1);       // Describe cadence
  absl::Duration transition_timeout = absl::Minutes(10); // bound on any wait
  int max_retries = 8;                                   // retryable errors
  int worker_threads = 16;                               // concurrent calls
  double rate_headroom = 0.95;  // fraction of each configured rate used
  absl::Duration retention = absl::Hours(168);  // ended jobs kept this long
};

}  // namespace resetd::workflow
