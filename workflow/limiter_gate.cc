#include "workflow/limiter_gate.h"

#include <atomic>
#include <utility>

#include "absl/time/clock.h"

namespace resetd::workflow {
namespace {

class LimiterGate final : public clients::http::AttemptGate {
 public:
  LimiterGate(RateLimiter& limiter, Clock& clock, WorkflowMetrics& metrics,
              spdlog::logger& log, LimiterGateTarget target,
              std::function<void(absl::Duration)> sleep)
      : limiter_(limiter),
        clock_(clock),
        metrics_(metrics),
        log_(log),
        target_(std::move(target)),
        sleep_(std::move(sleep)) {}

  void BeforeAttempt() override {
    const int attempt = attempts_.fetch_add(1) + 1;
    const absl::Time now = clock_.Now();
    // The scheduler reserved the first attempt's token before dispatching
    // the call; any later one (a client re-call) books its own slot on the
    // same bucket, which also pushes the scheduler's next call back. Either
    // then passes the window guard on the moment it really starts.
    const absl::Time slot =
        attempt > 1 ? limiter_.Reserve(target_.bucket_key, now) : now;
    const absl::Duration waited = limiter_.Start(target_.bucket_key, slot) - now;
    if (waited > absl::ZeroDuration()) Sleep(waited);
    metrics_.CountHttpAttempt(target_.provider, target_.action);
    log_.debug(
        "event=http_attempt call_id={} provider={} action={} attempt={} "
        "token_wait_ms={}",
        target_.call_id, target_.provider, target_.action, attempt,
        absl::ToInt64Milliseconds(waited));
  }

 private:
  void Sleep(absl::Duration d) const {
    if (sleep_) {
      sleep_(d);
    } else {
      absl::SleepFor(d);
    }
  }

  RateLimiter& limiter_;
  Clock& clock_;
  WorkflowMetrics& metrics_;
  spdlog::logger& log_;
  const LimiterGateTarget target_;
  const std::function<void(absl::Duration)> sleep_;
  std::atomic<int> attempts_{0};
};

}  // namespace

std::shared_ptr<clients::http::AttemptGate> MakeLimiterGate(
    RateLimiter& limiter, Clock& clock, WorkflowMetrics& metrics,
    spdlog::logger& log, LimiterGateTarget target,
    std::function<void(absl::Duration)> sleep) {
  return std::make_shared<LimiterGate>(limiter, clock, metrics, log,
                                       std::move(target), std::move(sleep));
}

}  // namespace resetd::workflow
