#include "clients/http/attempt_gate.h"

#include <thread>

#include "gtest/gtest.h"
#include "tests/clients/http/counting_gate.h"

namespace resetd::clients::http {
namespace {

TEST(AttemptGateTest, NoGateIsInstalledByDefault) {
  EXPECT_EQ(CurrentAttemptGate(), nullptr);
}

TEST(AttemptGateTest, ScopesNestAndRestoreTheOuterGate) {
  CountingGate outer, inner;
  {
    ScopedAttemptGate outer_scope(&outer);
    EXPECT_EQ(CurrentAttemptGate(), &outer);
    {
      ScopedAttemptGate inner_scope(&inner);
      EXPECT_EQ(CurrentAttemptGate(), &inner);
      {
        ScopedAttemptGate hidden(nullptr);  // hides every outer gate
        EXPECT_EQ(CurrentAttemptGate(), nullptr);
      }
      EXPECT_EQ(CurrentAttemptGate(), &inner);
    }
    EXPECT_EQ(CurrentAttemptGate(), &outer);
  }
  EXPECT_EQ(CurrentAttemptGate(), nullptr);
}

TEST(AttemptGateTest, AGateBelongsToTheThreadThatInstalledIt) {
  CountingGate gate;
  ScopedAttemptGate scope(&gate);
  AttemptGate* seen_elsewhere = &gate;
  std::thread other(
      [&seen_elsewhere] { seen_elsewhere = CurrentAttemptGate(); });
  other.join();
  EXPECT_EQ(seen_elsewhere, nullptr);
  EXPECT_EQ(CurrentAttemptGate(), &gate);
}

}  // namespace
}  // namespace resetd::clients::http
