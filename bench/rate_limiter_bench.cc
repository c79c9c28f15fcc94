// RateLimiter::Reserve: the cost of asking a token bucket for a slot, the
// only step every cloud call takes. Items are Reserve() calls.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "workflow/rate_limiter.h"

namespace resetd::workflow {
namespace {

// Keys shaped like the scheduler's: provider/account/region/action.
std::vector<std::string> Keys(int n) {
  static const char* kActions[] = {"Describe", "Stop", "Start", "Reboot",
                                   "ResetPassword"};
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) {
    keys.push_back("tencent/acct-" + std::to_string(i / 5) + "/ap-region-" +
                   std::to_string(i / 25) + "/" + kActions[i % 5]);
  }
  return keys;
}

RateLimiter& SharedLimiter() {
  static auto* limiter =
      new RateLimiter([](const std::string&) { return 10.0; }, 0.95);
  return *limiter;
}

// state.range(0) keys, reserved round robin. With Threads(n) every thread
// shares one limiter (and its mutex), as the engine's callers would.
void BM_RateLimiterReserve(benchmark::State& state) {
  const std::vector<std::string> keys = Keys(static_cast<int>(state.range(0)));
  RateLimiter local([](const std::string&) { return 10.0; }, 0.95);
  RateLimiter& limiter = state.threads() > 1 ? SharedLimiter() : local;
  const absl::Time now = absl::FromUnixSeconds(1795376535);
  size_t i = static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.Reserve(keys[i % keys.size()], now));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateLimiterReserve)->ArgName("keys")->Arg(1)->Arg(50)->Arg(5000);
BENCHMARK(BM_RateLimiterReserve)->ArgName("keys")->Arg(50)->Threads(2)->UseRealTime();

// The throttling path: OnThrottled + Reserve + OnSuccess on one key.
void BM_RateLimiterThrottleCycle(benchmark::State& state) {
  RateLimiter limiter([](const std::string&) { return 10.0; }, 0.95);
  const std::string key = "tencent/acct/ap-guangzhou/ResetPassword";
  const absl::Time now = absl::FromUnixSeconds(1795376535);
  for (auto _ : state) {
    limiter.OnThrottled(key, now);
    benchmark::DoNotOptimize(limiter.Reserve(key, now));
    limiter.OnSuccess(key);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateLimiterThrottleCycle);

}  // namespace
}  // namespace resetd::workflow
