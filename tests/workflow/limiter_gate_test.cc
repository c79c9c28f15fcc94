#include "workflow/limiter_gate.h"

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "spdlog/sinks/ostream_sink.h"
#include "tests/fakes/fake_clock.h"

namespace resetd::workflow {
namespace {

using ::testing::HasSubstr;

constexpr char kKey[] = "tencent|acct|ap-guangzhou|Describe";

class LimiterGateTest : public ::testing::Test {
 protected:
  LimiterGateTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_)),
        log_("test", sink_) {
    log_.set_level(spdlog::level::debug);
  }

  // A gate for call 7 (tencent Describe) whose sleeps are recorded and move
  // the fake clock instead of blocking.
  std::shared_ptr<clients::http::AttemptGate> Gate() {
    return MakeLimiterGate(limiter_, clock_, metrics_, log_,
                           {kKey, "tencent", "Describe", 7},
                           [this](absl::Duration d) {
                             sleeps_.push_back(d);
                             clock_.Advance(d);
                           });
  }

  // resetd_provider_http_attempts_total{provider,action}, or -1 if absent.
  double Attempts(const std::string& provider, const std::string& action) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != "resetd_provider_http_attempts_total") continue;
      for (const auto& metric : family.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& l : metric.label) labels[l.name] = l.value;
        if (labels["provider"] == provider && labels["action"] == action) {
          return metric.counter.value;
        }
      }
    }
    return -1;
  }

  testing::FakeClock clock_;
  // 2 requests per second, no headroom: slots 500 ms apart.
  RateLimiter limiter_{[](const std::string&) { return 2.0; }, 1.0};
  prometheus::Registry registry_;
  WorkflowMetrics metrics_{registry_};
  std::ostringstream log_text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  spdlog::logger log_;
  std::vector<absl::Duration> sleeps_;
};

TEST_F(LimiterGateTest, TheFirstAttemptIsPrepaidByTheScheduler) {
  const absl::Time t0 = clock_.Now();
  limiter_.Reserve(kKey, t0);  // the scheduler's token for the call
  const absl::Time next = limiter_.NextAvailable(kKey, t0);
  Gate()->BeforeAttempt();
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(clock_.Now(), t0);
  EXPECT_EQ(limiter_.NextAvailable(kKey, t0), next) << "reserved twice";
  EXPECT_EQ(Attempts("tencent", "Describe"), 1);
}

TEST_F(LimiterGateTest, FurtherAttemptsReserveAndAwaitSlotsOfTheSameKey) {
  const absl::Time t0 = clock_.Now();
  limiter_.Reserve(kKey, t0);
  auto gate = Gate();
  gate->BeforeAttempt();
  gate->BeforeAttempt();  // a client re-call: the slot at t0 + 500 ms
  gate->BeforeAttempt();  // and the next one, at 1 s, but the window guard
                          // allows 2 starts in 1 s + kStartMargin only
  EXPECT_EQ(sleeps_,
            (std::vector<absl::Duration>{absl::Milliseconds(500),
                                         absl::Milliseconds(500) + kStartMargin}));
  EXPECT_EQ(clock_.Now(), t0 + absl::Seconds(1) + kStartMargin);
  // The scheduler's next call on the key waits behind the re-calls.
  EXPECT_EQ(limiter_.NextAvailable(kKey, t0), t0 + absl::Milliseconds(1500));
  EXPECT_EQ(limiter_.NextAvailable("tencent|acct|ap-guangzhou|Stop", t0), t0);
  EXPECT_EQ(Attempts("tencent", "Describe"), 3);
}

// Two calls of the key started late, close together: the third, though
// its slot came, waits until two starts fit in a window again.
TEST_F(LimiterGateTest, AnAttemptWaitsWhileTheWindowHoldsTheRateOfStarts) {
  const absl::Time t0 = clock_.Now();
  limiter_.Start(kKey, t0);
  limiter_.Start(kKey, t0 + absl::Milliseconds(400));
  clock_.Advance(absl::Milliseconds(600));
  limiter_.Reserve(kKey, clock_.Now());
  Gate()->BeforeAttempt();
  EXPECT_EQ(sleeps_, (std::vector<absl::Duration>{absl::Milliseconds(400) +
                                                  kStartMargin}));
  EXPECT_THAT(log_text_.str(), HasSubstr("attempt=1 token_wait_ms=425"));
}

TEST_F(LimiterGateTest, AFreeSlotIsTakenWithoutSleeping) {
  limiter_.Reserve(kKey, clock_.Now());
  auto gate = Gate();
  gate->BeforeAttempt();
  clock_.Advance(absl::Seconds(2));  // the bucket refilled meanwhile
  gate->BeforeAttempt();
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(limiter_.NextAvailable(kKey, clock_.Now()),
            clock_.Now() + absl::Milliseconds(500));
  EXPECT_EQ(Attempts("tencent", "Describe"), 2);
}

TEST_F(LimiterGateTest, EachAttemptIsLoggedAtDebugLevel) {
  limiter_.Reserve(kKey, clock_.Now());
  auto gate = Gate();
  gate->BeforeAttempt();
  gate->BeforeAttempt();
  const std::string text = log_text_.str();
  EXPECT_THAT(text, HasSubstr("event=http_attempt call_id=7 provider=tencent "
                              "action=Describe attempt=1 token_wait_ms=0"));
  EXPECT_THAT(text, HasSubstr("event=http_attempt call_id=7 provider=tencent "
                              "action=Describe attempt=2 token_wait_ms=500"));
}

TEST_F(LimiterGateTest, TheCounterIsExportedAtZeroBeforeTheFirstAttempt) {
  EXPECT_EQ(Attempts("tencent", "Stop"), -1);
  metrics_.DeclareProviderAction("tencent", "Stop", 2.0);
  EXPECT_EQ(Attempts("tencent", "Stop"), 0);
}

}  // namespace
}  // namespace resetd::workflow
