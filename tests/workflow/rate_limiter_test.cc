#include "workflow/rate_limiter.h"

#include <vector>

#include "gtest/gtest.h"

namespace resetd::workflow {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1795376535);

TEST(RateLimiterTest, SpacesCallsByRateAndHeadroom) {
  RateLimiter limiter([](const std::string&) { return 10.0; }, 0.8);
  EXPECT_EQ(limiter.Interval("k"), absl::Milliseconds(125));
  EXPECT_EQ(limiter.Reserve("k", kT0), kT0);
  EXPECT_EQ(limiter.Reserve("k", kT0), kT0 + absl::Milliseconds(125));
  EXPECT_EQ(limiter.NextAvailable("k", kT0), kT0 + absl::Milliseconds(250));
  // Idle time does not accumulate tokens: no burst after a pause.
  absl::Time later = kT0 + absl::Seconds(10);
  EXPECT_EQ(limiter.Reserve("k", later), later);
  EXPECT_EQ(limiter.Reserve("k", later), later + absl::Milliseconds(125));
}

TEST(RateLimiterTest, NeverMoreThanRateInAnySecond) {
  RateLimiter limiter([](const std::string&) { return 10.0; }, 1.0);
  std::vector<absl::Time> times;
  for (int i = 0; i < 100; ++i) times.push_back(limiter.Reserve("k", kT0));
  for (size_t i = 0; i < times.size(); ++i) {
    int in_window = 0;
    for (size_t j = i; j < times.size() && times[j] < times[i] + absl::Seconds(1);
         ++j) {
      ++in_window;
    }
    EXPECT_LE(in_window, 10);
  }
}

TEST(RateLimiterTest, KeysAreIndependent) {
  RateLimiter limiter(
      [](const std::string& k) { return k == "fast" ? 20.0 : 5.0; }, 1.0);
  EXPECT_EQ(limiter.Interval("fast"), absl::Milliseconds(50));
  EXPECT_EQ(limiter.Interval("slow"), absl::Milliseconds(200));
  limiter.Reserve("fast", kT0);
  EXPECT_EQ(limiter.NextAvailable("slow", kT0), kT0);
}

TEST(RateLimiterTest, ThrottlingSlowsDownAndSuccessRecovers) {
  RateLimiter limiter([](const std::string&) { return 10.0; }, 1.0);
  limiter.OnThrottled("k", kT0);
  EXPECT_EQ(limiter.Interval("k"), absl::Milliseconds(200));
  EXPECT_GE(limiter.NextAvailable("k", kT0), kT0 + absl::Milliseconds(200));
  for (int i = 0; i < 5; ++i) limiter.OnThrottled("k", kT0);
  EXPECT_EQ(limiter.Interval("k"), absl::Milliseconds(800));  // capped at 8x
  for (int i = 0; i < 200; ++i) limiter.OnSuccess("k");
  EXPECT_EQ(limiter.Interval("k"), absl::Milliseconds(100));
}

// Reserved 105 ms apart (10/s at 0.95), but delayed unevenly before they
// start (an intent write, a busy worker): the guard keeps every 11 starts
// more than a second (plus the margin) apart, moving only the bunched ones.
TEST(RateLimiterTest, StartsBunchedByDelaysAreSpreadOverTheWindow) {
  RateLimiter limiter([](const std::string&) { return 10.0; }, 0.95);
  // Every twentieth call leaves 50 ms late, the tenth after it on time.
  auto delay = [](int i) {
    return i % 20 == 0 ? absl::Milliseconds(50) : absl::ZeroDuration();
  };
  std::vector<absl::Time> starts;
  int moved = 0;
  for (int i = 0; i < 60; ++i) {
    const absl::Time due = limiter.Reserve("k", kT0) + delay(i);
    starts.push_back(limiter.Start("k", due));
    EXPECT_GE(starts.back(), due);
    if (starts.back() != due) ++moved;
  }
  for (size_t i = 1; i < starts.size(); ++i) {
    EXPECT_GE(starts[i], starts[i - 1]);
    if (i >= 10) {
      EXPECT_GE(starts[i] - starts[i - 10], absl::Seconds(1) + kStartMargin)
          << "start " << i;
    }
  }
  // Without the guard, starts 0 and 10 were 1002.6 ms apart: the tenth
  // after each late call moves; calls that were not bunched keep their time.
  EXPECT_GE(moved, 3);
  EXPECT_LE(moved, 12);
}

// Spacing alone keeps starts apart when they leave at their slots: the
// guard never delays a call then.
TEST(RateLimiterTest, StartsAtTheirSlotsAreNotDelayed) {
  RateLimiter limiter([](const std::string&) { return 40.0; }, 0.95);
  for (int i = 0; i < 200; ++i) {
    const absl::Time slot = limiter.Reserve("k", kT0);
    EXPECT_EQ(limiter.Start("k", slot), slot) << "call " << i;
  }
}

// A rate below one call a second still allows one start per window.
TEST(RateLimiterTest, ASlowKeyStartsOncePerWindow) {
  RateLimiter limiter([](const std::string&) { return 0.5; }, 1.0);
  EXPECT_EQ(limiter.Start("k", kT0), kT0);
  EXPECT_EQ(limiter.Start("k", kT0), kT0 + absl::Seconds(1) + kStartMargin);
}

}  // namespace
}  // namespace resetd::workflow
