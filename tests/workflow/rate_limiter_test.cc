#include "workflow/rate_limiter.h"

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

}  // namespace
}  // namespace resetd::workflow
