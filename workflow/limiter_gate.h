// The engine's AttemptGate: every HTTP attempt of a cloud call takes a slot
// of the call's token bucket and is counted, so client-internal re-calls
// (Tencent's Describe fallback) are paced like the calls the scheduler sends.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "clients/http/attempt_gate.h"
#include "common/clock.h"
#include "spdlog/logger.h"
#include "workflow/metrics.h"
#include "workflow/rate_limiter.h"

namespace resetd::workflow {

// What a limiter gate paces and whom it accounts to.
struct LimiterGateTarget {
  std::string bucket_key;  // the RateLimiter key the scheduler reserved on
  std::string provider;    // metric and log labels
  std::string action;      // the engine's action name (ActionName)
  uint64_t call_id = 0;    // the CloudCall's id, for the log
};

// Returns the gate of one CloudCall whose first token the scheduler has
// already reserved on `target.bucket_key`. The first attempt goes at once
// (prepaid); every further attempt Reserve()s the next slot of the same key
// on `limiter` at `clock.Now()`. Every attempt then passes
// RateLimiter::Start (the window guard on real start times), and the calling
// thread blocks until the time it gives (`sleep`, absl::SleepFor when
// empty). Every attempt increments
// resetd_provider_http_attempts_total{provider,action} and is logged at
// debug level (event=http_attempt; no request content). `limiter`, `clock`,
// `metrics` and `log` must outlive the gate (the scheduler's members: the
// engine drains its dispatcher before it destroys the scheduler).
// Thread-safe, though one call's attempts come from one thread.
std::shared_ptr<clients::http::AttemptGate> MakeLimiterGate(
    RateLimiter& limiter, Clock& clock, WorkflowMetrics& metrics,
    spdlog::logger& log, LimiterGateTarget target,
    std::function<void(absl::Duration)> sleep = nullptr);

}  // namespace resetd::workflow
