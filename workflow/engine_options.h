// Tunables of the engine, filled from the config's EngineConfig.
#pragma once

#include "absl/time/time.h"

namespace resetd::workflow {

struct EngineOptions {
  absl::Duration linger = absl::Milliseconds(200);       // batch fill time
  // A waiting instance is observed every poll_interval when many poll the
  // same Describe bucket, down to min_poll_interval when few do.
  absl::Duration poll_interval = absl::Seconds(1);
  absl::Duration min_poll_interval = absl::Milliseconds(100);
  absl::Duration transition_timeout = absl::Minutes(10); // bound on any wait
  int max_retries = 8;                                   // retryable errors
  int worker_threads = 16;                               // concurrent calls
  double rate_headroom = 0.95;  // fraction of each configured rate used
  absl::Duration retention = absl::Hours(168);  // ended jobs kept this long
};

}  // namespace resetd::workflow
