// The fixture of the scheduler's fake-clock tests: a FakeCloudClient
// provider "tencent", an inline dispatcher, a job store, and helpers that
// add jobs, crash and recover, and drive the clock.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_cloud_client.h"
#include "workflow/job_store.h"
#include "workflow/recovery.h"
#include "workflow/scheduler.h"

namespace resetd::workflow::testing {

using clients::PowerState;
using resetd::testing::FakeCall;
using resetd::testing::FakeClock;
using resetd::testing::FakeCloudClient;

constexpr char kPassword[] = "Xy7!newPassw0rd";

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() {
    cloud_ = std::make_shared<FakeCloudClient>(clock_);
    ProviderEntry entry;
    entry.name = "tencent";
    entry.account = "acct";
    entry.client = cloud_;
    entry.rate_per_second = {{"*", 10.0}};
    providers_["tencent"] = entry;
    options_.linger = absl::Milliseconds(200);
    options_.poll_interval = absl::Seconds(1);
    options_.transition_timeout = absl::Minutes(5);
    options_.max_retries = 3;
    options_.rate_headroom = 0.95;
  }

  void SetUpScheduler() {
    scheduler_ = std::make_unique<Scheduler>(providers_, clock_, *store_,
                                             metrics_, dispatcher_, options_);
  }

  // Adds `n` instances in `state` named prefix-0000.. and returns the ids.
  std::vector<std::string> AddFleet(const std::string& prefix, int n,
                                    PowerState state) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      char buf[16];
      snprintf(buf, sizeof(buf), "%04d", i);
      ids.push_back(prefix + buf);
      cloud_->Add(ids.back(), state);
    }
    return ids;
  }

  JobRun* AddJob(const std::vector<std::string>& ids,
                 resetd::v1::PowerPolicy policy =
                     resetd::v1::POWER_POLICY_RESTORE_ORIGINAL,
                 int max_unavailable = 0, bool dry_run = false) {
    auto job = NewJobRun(ids, kPassword);
    job->spec.set_power_policy(policy);
    job->spec.set_max_unavailable(max_unavailable);
    job->spec.set_dry_run(dry_run);
    return StoreAndAdd(std::move(job));
  }

  // A new job on `ids` (provider "tencent", ap-guangzhou), not yet stored.
  std::unique_ptr<JobRun> NewJobRun(const std::vector<std::string>& ids,
                                    const std::string& password) {
    if (!scheduler_) SetUpScheduler();
    auto job = std::make_unique<JobRun>();
    job->job_id = "job-" + std::to_string(++job_seq_);
    job->spec.set_request_id(job->job_id);
    job->spec.set_power_policy(resetd::v1::POWER_POLICY_RESTORE_ORIGINAL);
    auto params = std::make_shared<clients::ResetPasswordParams>();
    params->password = Secret(password);
    job->reset = params;
    job->create_time = clock_.Now();
    for (const auto& id : ids) {
      auto t = std::make_unique<Task>();
      t->job = job.get();
      t->index = static_cast<int>(job->tasks.size());
      t->provider = &providers_.at("tencent");
      t->region = "ap-guangzhou";
      t->id = id;
      job->tasks.push_back(std::move(t));
    }
    return job;
  }

  // Stores `job` (as the engine does before acknowledging it) and hands it
  // to the scheduler.
  JobRun* StoreAndAdd(std::unique_ptr<JobRun> job) {
    StoredJob stored;
    stored.job_id = job->job_id;
    stored.request_id = job->spec.request_id();
    stored.spec = job->spec;
    stored.password = job->reset->password;
    for (const auto& t : job->tasks) stored.instances.push_back(ToRecord(*t));
    EXPECT_TRUE(store_->InsertJob(stored).ok());
    return scheduler_->AddJob(std::move(job));
  }

  // Simulates a crash: a new scheduler resumes every unfinished job from
  // the store, as the engine does at start-up.
  std::vector<JobRun*> CrashAndRecover() {
    scheduler_ = std::make_unique<Scheduler>(providers_, clock_, *store_,
                                             metrics_, dispatcher_, options_);
    std::vector<JobRun*> out;
    auto runs = LoadRunsToRecover(*store_, providers_);
    EXPECT_TRUE(runs.ok()) << runs.status();
    if (!runs.ok()) return out;
    for (auto& run : *runs)
      out.push_back(scheduler_->RecoverJob(std::move(run)));
    return out;
  }

  // Drives the scheduler on the fake clock until `done` or no work is left.
  void RunUntil(const std::function<bool()>& done, int max_ticks = 2000000) {
    for (int i = 0; i < max_ticks && !done(); ++i) {
      absl::Time next = scheduler_->Tick();
      if (done()) return;
      ASSERT_NE(next, absl::InfiniteFuture()) << "scheduler idle but not done";
      clock_.AdvanceTo(next);
    }
    ASSERT_TRUE(done()) << "did not finish in " << max_ticks << " ticks";
  }
  void RunJob(JobRun* job) {
    RunUntil([job] { return IsTerminal(job->state); });
  }

  std::map<resetd::v1::InstanceState, int> States(const JobRun& job) {
    std::map<resetd::v1::InstanceState, int> out;
    for (const auto& t : job.tasks) out[ResultOf(*t).state()]++;
    return out;
  }

  std::vector<FakeCall> Calls(const std::string& action) {
    std::vector<FakeCall> out;
    for (const auto& c : cloud_->calls()) {
      if (c.action == action) out.push_back(c);
    }
    return out;
  }

  // The most calls of `action` in any one-second window.
  int MaxPerSecond(const std::string& action) {
    auto calls = Calls(action);
    int best = 0;
    for (size_t i = 0; i < calls.size(); ++i) {
      int n = 0;
      for (size_t j = i;
           j < calls.size() && calls[j].time < calls[i].time + absl::Seconds(1);
           ++j) {
        ++n;
      }
      best = std::max(best, n);
    }
    return best;
  }

  std::vector<std::string> StoppedTwiceWithoutStart() {
    return cloud_->StoppedTwiceWithoutStart();
  }

  std::string Metrics() {
    prometheus::TextSerializer s;
    return s.Serialize(registry_.Collect());
  }

  FakeClock clock_;
  std::shared_ptr<FakeCloudClient> cloud_;
  ProviderRegistry providers_;
  EngineOptions options_;
  prometheus::Registry registry_;
  WorkflowMetrics metrics_{registry_};
  InlineDispatcher dispatcher_;
  std::unique_ptr<JobStore> store_ = NewInMemoryJobStore();
  std::unique_ptr<Scheduler> scheduler_;
  int job_seq_ = 0;
};

}  // namespace resetd::workflow::testing
