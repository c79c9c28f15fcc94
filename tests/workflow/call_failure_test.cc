// Failed calls whose outcome is ambiguous: the provider may have acted (the
// connection dropped after the request went out, see CurlTransport). The
// engine must observe (Describe) each instance before it sends anything to
// it again, as it does after a crash.
#include "workflow/call_failure.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/workflow/scheduler_fixture.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using resetd::testing::FakeCall;
using testing::kPassword;
using testing::SchedulerTest;

// What CurlTransport reports when the server acted, then dropped the
// connection.
absl::Status AnswerLost() {
  return absl::UnavailableError(
      "POST https://cvm.tencentcloudapi.com: the connection dropped before an "
      "answer; the request may have been applied (not re-sent)");
}

TEST(CallFailureTest, AnAmbiguousTransportFailureIsRetriedAfterObserving) {
  for (size_t live : {1u, 5u}) {
    const CallFailure f = ClassifyFailure(AnswerLost(), live);
    EXPECT_EQ(f.kind, CallFailure::kRetry) << live;  // never a blind split
    EXPECT_FALSE(f.throttled);
    EXPECT_EQ(f.code, "UNAVAILABLE");
    EXPECT_EQ(f.message, AnswerLost().message());
  }
}

// For each call whose answer was lost: the next call that names any of its
// instances. Fails the test if there was no lost answer.
std::vector<std::string> NextCallsAfterLostAnswers(
    const std::vector<FakeCall>& calls) {
  std::vector<std::string> next;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].result != "AnswerLost") continue;
    const std::set<std::string> ids(calls[i].ids.begin(), calls[i].ids.end());
    for (size_t j = i + 1; j < calls.size(); ++j) {
      bool touches = false;
      for (const auto& id : calls[j].ids) touches |= ids.count(id) > 0;
      if (touches) {
        next.push_back(calls[j].action);
        break;
      }
    }
  }
  EXPECT_FALSE(next.empty()) << "no lost answer";
  return next;
}

// A job whose next `action` call reaches the cloud but loses its answer.
class LostAnswerTest : public SchedulerTest {
 protected:
  // Runs a job over `ids`, losing the answer of the next `action`; expects it
  // to succeed and the next call to each instance concerned to observe it.
  void RunLosingAnswerOf(const std::string& action,
                         const std::vector<std::string>& ids) {
    cloud_->LoseAnswerOfNext(action, 1);
    JobRun* job = AddJob(ids);
    RunJob(job);
    EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
    for (const auto& next : NextCallsAfterLostAnswers(cloud_->calls())) {
      EXPECT_EQ(next, "Describe") << "after a lost " << action;
    }
  }

  void ExpectResetAndIn(const std::vector<std::string>& ids, PowerState s) {
    for (const auto& id : ids) {
      EXPECT_EQ(cloud_->Get(id).password, kPassword) << id;
      EXPECT_EQ(cloud_->Get(id).state, s) << id;
    }
  }
};

TEST_F(LostAnswerTest, LostStopAnswerIsObservedAndNotResent) {
  auto ids = AddFleet("ins-ls", 3, PowerState::kRunning);
  RunLosingAnswerOf("Stop", ids);
  EXPECT_EQ(Calls("Stop").size(), 1u) << "the observation showed it applied";
  EXPECT_TRUE(StoppedTwiceWithoutStart().empty());
  ExpectResetAndIn(ids, PowerState::kRunning);
}

TEST_F(LostAnswerTest, LostStartAnswerIsObservedAndNotResent) {
  auto ids = AddFleet("ins-lt", 2, PowerState::kRunning);
  RunLosingAnswerOf("Start", ids);
  EXPECT_EQ(Calls("Start").size(), 1u);
  ExpectResetAndIn(ids, PowerState::kRunning);
}

TEST_F(LostAnswerTest, LostResetAnswerIsObservedBeforeAnyResend) {
  auto ids = AddFleet("ins-lr", 2, PowerState::kStopped);
  RunLosingAnswerOf("ResetPassword", ids);
  ExpectResetAndIn(ids, PowerState::kStopped);
}

TEST_F(LostAnswerTest, LostRebootAnswerIsObservedBeforeAnyResend) {
  auto& caps = cloud_->mutable_capabilities();
  caps.reset_effect = clients::ResetEffect::kAppliesAtNextBoot;
  caps.reset_result_observable = false;
  auto ids = AddFleet("ins-lb", 2, PowerState::kRunning);
  RunLosingAnswerOf("Reboot", ids);
  ExpectResetAndIn(ids, PowerState::kRunning);
}

}  // namespace
}  // namespace resetd::workflow
