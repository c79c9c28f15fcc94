#include "service/watch_slots.h"

#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::service {
namespace {

TEST(WatchSlotsTest, EachIdentityHasItsOwnCapAndSlotsAreFreedOnClose) {
  WatchSlots slots(2);
  std::vector<WatchSlots::Slot> alice;
  for (int i = 0; i < 2; ++i) {
    auto slot = slots.Acquire("alice");
    ASSERT_TRUE(slot.ok());
    alice.push_back(*std::move(slot));
  }
  auto third = slots.Acquire("alice");
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(third.status().message()),
              ::testing::HasSubstr("limits.max_watches_per_identity"));
  EXPECT_TRUE(slots.Acquire("bob").ok()) << "bob is not alice";
  EXPECT_EQ(slots.open("bob"), 0) << "bob's slot was freed at once";
  alice.pop_back();
  EXPECT_EQ(slots.open("alice"), 1);
  EXPECT_TRUE(slots.Acquire("alice").ok());
}

TEST(WatchSlotsTest, AMovedSlotIsFreedOnce) {
  WatchSlots slots(1);
  {
    auto slot = slots.Acquire("carol");
    ASSERT_TRUE(slot.ok());
    WatchSlots::Slot moved = *std::move(slot);
    EXPECT_EQ(slots.open("carol"), 1);
  }
  EXPECT_EQ(slots.open("carol"), 0);
}

}  // namespace
}  // namespace resetd::service
