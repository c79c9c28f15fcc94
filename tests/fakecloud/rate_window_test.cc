#include "fakecloud/rate_window.h"

#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace resetd::fakecloud {
namespace {

using resetd::testing::FakeClock;

TEST(RateWindowTest, AdmitsUpToTheLimitWithinOneSecond) {
  FakeClock clock;
  RateWindow window(clock);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(window.TryAcquire("k", 10)) << i;
  EXPECT_FALSE(window.TryAcquire("k", 10));
}

TEST(RateWindowTest, WindowSlides) {
  FakeClock clock;
  RateWindow window(clock);
  EXPECT_TRUE(window.TryAcquire("k", 2));
  clock.Advance(absl::Milliseconds(500));
  EXPECT_TRUE(window.TryAcquire("k", 2));
  EXPECT_FALSE(window.TryAcquire("k", 2));
  clock.Advance(absl::Milliseconds(499));  // first one is 999 ms old
  EXPECT_FALSE(window.TryAcquire("k", 2));
  clock.Advance(absl::Milliseconds(1));  // exactly 1 s: out of the window
  EXPECT_TRUE(window.TryAcquire("k", 2));
  EXPECT_FALSE(window.TryAcquire("k", 2));
}

TEST(RateWindowTest, RejectedRequestsDoNotCount) {
  FakeClock clock;
  RateWindow window(clock);
  EXPECT_TRUE(window.TryAcquire("k", 1));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(window.TryAcquire("k", 1));
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(window.TryAcquire("k", 1));
}

TEST(RateWindowTest, KeysAreIndependentAndZeroIsUnlimited) {
  FakeClock clock;
  RateWindow window(clock);
  EXPECT_TRUE(window.TryAcquire("a", 1));
  EXPECT_TRUE(window.TryAcquire("b", 1));
  EXPECT_FALSE(window.TryAcquire("a", 1));
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(window.TryAcquire("c", 0));
  window.Clear();
  EXPECT_TRUE(window.TryAcquire("a", 1));
}

}  // namespace
}  // namespace resetd::fakecloud
