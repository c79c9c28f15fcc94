// The scheduler's audit hook: one side-effect record per job served by each
// call that is not a Describe, agreeing with the cloud's own call log, and
// written before the call's outcome reaches the scheduler.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/workflow/scheduler_fixture.h"
#include "workflow/audit_sink.h"

namespace resetd::workflow::testing {
namespace {

using ::testing::UnorderedElementsAreArray;

// Runs each call inline, like InlineDispatcher, and notes how many outcomes
// had been delivered (wakeups) when the scheduler's callback began.
class CountingDispatcher final : public Dispatcher {
 public:
  void Dispatch(CloudCall call,
                std::function<void(CallOutcome)> done) override {
    CallOutcome out = ExecuteCall(call);
    delivered_at_callback_ = delivered_;
    done(std::move(out));
  }
  void OnDelivered() { ++delivered_; }
  int delivered() const { return delivered_; }
  int delivered_at_callback() const { return delivered_at_callback_; }

 private:
  int delivered_ = 0;
  int delivered_at_callback_ = -1;
};

// Keeps the records, and checks at each one that the call's outcome has not
// been delivered yet and that the store holds its intent but not its result.
class CheckingSink final : public AuditSink {
 public:
  CheckingSink(const CountingDispatcher& dispatcher, JobStore& store)
      : dispatcher_(dispatcher), store_(store) {}

  void SideEffect(const SideEffectRecord& r) override {
    absl::MutexLock lock(&mu_);
    records_.push_back(r);
    if (dispatcher_.delivered() != dispatcher_.delivered_at_callback()) {
      late_.push_back(r.batch_id + ": outcome delivered before the record");
    }
    auto steps = store_.Steps(r.job_id);
    bool intent_only = false;
    for (const StepRecord& s :
         steps.ok() ? *steps : std::vector<StepRecord>{}) {
      if (s.batch_id == r.batch_id) intent_only = !s.done;
    }
    if (!intent_only) late_.push_back(r.batch_id + ": no pending intent");
  }
  std::vector<SideEffectRecord> records() {
    absl::MutexLock lock(&mu_);
    return records_;
  }
  std::vector<std::string> late() {
    absl::MutexLock lock(&mu_);
    return late_;
  }

 private:
  const CountingDispatcher& dispatcher_;
  JobStore& store_;
  absl::Mutex mu_;
  std::vector<SideEffectRecord> records_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> late_ ABSL_GUARDED_BY(mu_);
};

class AuditTrailTest : public SchedulerTest {
 protected:
  void SetUp() override {
    scheduler_ =
        std::make_unique<Scheduler>(providers_, clock_, *store_, metrics_,
                                    counting_, options_, nullptr, &sink_);
    scheduler_->SetWakeup([this] { counting_.OnDelivered(); });
  }

  // The records in order, one group per call (consecutive, same batch id).
  std::vector<std::vector<SideEffectRecord>> ByCall() {
    std::vector<std::vector<SideEffectRecord>> out;
    for (const auto& r : sink_.records()) {
      if (out.empty() || out.back().front().batch_id != r.batch_id) {
        out.emplace_back();
      }
      out.back().push_back(r);
    }
    return out;
  }

  CountingDispatcher counting_;
  CheckingSink sink_{counting_, *store_};
};

// Each call's group: its action, the union of the jobs' ids, the request id
// and the outcome the cloud logged; one record per job, holding only that
// job's instances.
void ExpectGroupMatchesCall(const std::vector<SideEffectRecord>& group,
                            const FakeCall& call,
                            const std::map<std::string, std::string>& owner) {
  std::vector<std::string> ids;
  std::set<std::string> jobs;
  for (const SideEffectRecord& r : group) {
    EXPECT_TRUE(jobs.insert(r.job_id).second) << "two records of " << r.job_id;
    EXPECT_EQ(r.action, call.action);
    EXPECT_EQ(r.provider, "tencent");
    EXPECT_EQ(r.account, "acct");
    EXPECT_EQ(r.region, "ap-guangzhou");
    EXPECT_EQ(r.provider_request_id, call.request_id);
    EXPECT_EQ(r.outcome, call.result);
    for (const auto& id : r.instance_ids) {
      EXPECT_EQ(owner.at(id), r.job_id) << id;
      ids.push_back(id);
    }
  }
  EXPECT_THAT(ids, UnorderedElementsAreArray(call.ids)) << call.action;
}

TEST_F(AuditTrailTest, OneRecordPerCallAndJobAgreeingWithTheCloudsLog) {
  auto a = AddFleet("ins-a", 3, PowerState::kRunning);
  auto b = AddFleet("ins-b", 2, PowerState::kRunning);
  auto c = AddFleet("ins-c", 2, PowerState::kStopped);
  std::map<std::string, std::string> owner;
  JobRun* ja = AddJob(a);
  JobRun* jb = AddJob(b);
  JobRun* jc = AddJob(c);
  for (const auto& id : a) owner[id] = ja->job_id;
  for (const auto& id : b) owner[id] = jb->job_id;
  for (const auto& id : c) owner[id] = jc->job_id;
  // A refused reset: its record carries the provider's code and request id.
  cloud_->FailNext("ResetPassword", 1,
                   clients::MakeProviderStatus(
                       absl::StatusCode::kUnavailable,
                       {"InternalError", "try again", "rq-failed", 500}));
  RunUntil([&] {
    return IsTerminal(ja->state) && IsTerminal(jb->state) &&
           IsTerminal(jc->state);
  });
  std::vector<FakeCall> side_effects;
  for (const FakeCall& call : cloud_->calls()) {
    if (call.action != "Describe") side_effects.push_back(call);
  }
  auto groups = ByCall();
  ASSERT_EQ(groups.size(), side_effects.size());
  bool shared = false, failed = false;
  for (size_t i = 0; i < groups.size(); ++i) {
    SCOPED_TRACE("call " + std::to_string(i));
    ExpectGroupMatchesCall(groups[i], side_effects[i], owner);
    shared = shared || groups[i].size() > 1;
    failed = failed || groups[i].front().outcome == "InternalError";
  }
  EXPECT_TRUE(shared) << "no call served two jobs: the test proves less";
  EXPECT_TRUE(failed);
  EXPECT_THAT(sink_.late(), ::testing::IsEmpty());
}

TEST_F(AuditTrailTest, RecordIsWrittenBeforeTheOutcomeIsDelivered) {
  JobRun* job = AddJob(AddFleet("ins-o", 4, PowerState::kRunning));
  RunJob(job);
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
  // Stop, ResetPassword, Start: each recorded, none late.
  EXPECT_EQ(ByCall().size(), 3u);
  EXPECT_THAT(sink_.late(), ::testing::IsEmpty());
}

TEST_F(AuditTrailTest, DryRunAndDescribesRecordNothing) {
  JobRun* job = AddJob(AddFleet("ins-d", 2, PowerState::kRunning),
                       resetd::v1::POWER_POLICY_RESTORE_ORIGINAL, 0,
                       /*dry_run=*/true);
  RunJob(job);
  EXPECT_FALSE(cloud_->calls().empty());
  EXPECT_TRUE(sink_.records().empty());
}

}  // namespace
}  // namespace resetd::workflow::testing
