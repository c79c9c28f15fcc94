// The scheduler on a fake clock: one job over a large fleet against the
// in-memory FakeCloudClient (5 s transitions, Tencent-like: reset needs a
// stopped instance), driven by Tick() with an inline dispatcher, as in
// tests/workflow/scheduler_test.cc. Measures the engine's CPU time per
// instance (the fake cloud's bookkeeping included) and reports what the job
// looked like from the cloud's side: calls, largest batch, busiest second,
// and how long the job took in simulated time.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "prometheus/registry.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_cloud_client.h"
#include "workflow/cloud_call.h"
#include "workflow/engine_options.h"
#include "workflow/job_store.h"
#include "workflow/metrics.h"
#include "workflow/provider_registry.h"
#include "workflow/scheduler.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using resetd::testing::FakeCall;
using resetd::testing::FakeClock;
using resetd::testing::FakeCloudClient;

struct Figures {
  int ticks = 0;
  size_t calls = 0;
  size_t max_batch = 0;
  int max_calls_per_second = 0;  // of any one action, in any 1 s window
  std::map<std::string, int> calls_by_action;
  double simulated_seconds = 0;
  bool succeeded = false;
};

// Everything one run needs, built fresh per iteration (outside the timing).
class Harness {
 public:
  Harness(int instances, double describe_rate) {
    cloud_ = std::make_shared<FakeCloudClient>(clock_);
    ProviderEntry entry;
    entry.name = "tencent";
    entry.account = "acct";
    entry.client = cloud_;
    entry.rate_per_second = {{"*", 10.0}, {"Describe", describe_rate}};
    providers_["tencent"] = entry;
    options_.linger = absl::Milliseconds(200);
    options_.poll_interval = absl::Seconds(1);
    options_.transition_timeout = absl::Minutes(10);
    options_.rate_headroom = 0.95;
    scheduler_ = std::make_unique<Scheduler>(providers_, clock_, *store_,
                                             metrics_, dispatcher_, options_);
    AddJob(instances);
    start_ = clock_.Now();
  }

  // Ticks on the fake clock until the job ends (or nothing is left to do).
  void Run() {
    while (!IsTerminal(job_->state)) {
      const absl::Time next = scheduler_->Tick();
      ++ticks_;
      if (IsTerminal(job_->state) || next == absl::InfiniteFuture()) break;
      clock_.AdvanceTo(next);
    }
  }

  Figures Collect() {
    Figures f;
    f.ticks = ticks_;
    f.succeeded = job_->state == resetd::v1::JOB_STATE_SUCCEEDED;
    f.simulated_seconds = absl::ToDoubleSeconds(clock_.Now() - start_);
    const std::vector<FakeCall> calls = cloud_->calls();
    f.calls = calls.size();
    std::map<std::string, std::vector<absl::Time>> times;
    for (const FakeCall& c : calls) {
      f.max_batch = std::max(f.max_batch, c.ids.size());
      ++f.calls_by_action[c.action];
      times[c.action].push_back(c.time);
    }
    for (auto& [action, t] : times) {
      std::sort(t.begin(), t.end());
      for (size_t i = 0, j = 0; j < t.size(); ++j) {
        while (t[j] - t[i] >= absl::Seconds(1)) ++i;
        f.max_calls_per_second =
            std::max(f.max_calls_per_second, static_cast<int>(j - i + 1));
      }
    }
    return f;
  }

 private:
  // 70% running, 30% stopped, one target, stored first as the engine does.
  void AddJob(int instances) {
    auto job = std::make_unique<JobRun>();
    job->job_id = "bench-job";
    job->spec.set_request_id(job->job_id);
    auto params = std::make_shared<clients::ResetPasswordParams>();
    params->password = Secret(std::string("Xy7!newPassw0rd"));
    job->reset = params;
    job->create_time = clock_.Now();
    StoredJob stored;
    stored.job_id = job->job_id;
    stored.request_id = job->spec.request_id();
    stored.spec = job->spec;
    stored.password = params->password;
    for (int i = 0; i < instances; ++i) {
      char id[16];
      snprintf(id, sizeof(id), "ins-%08d", i);
      cloud_->Add(id, i % 10 < 7 ? PowerState::kRunning : PowerState::kStopped);
      auto t = std::make_unique<Task>();
      t->job = job.get();
      t->index = i;
      t->provider = &providers_.at("tencent");
      t->region = "ap-guangzhou";
      t->id = id;
      stored.instances.push_back(ToRecord(*t));
      job->tasks.push_back(std::move(t));
    }
    if (!store_->InsertJob(stored).ok()) std::abort();
    job_ = scheduler_->AddJob(std::move(job));
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
  JobRun* job_ = nullptr;
  absl::Time start_;
  int ticks_ = 0;
};

void BM_SchedulerJob(benchmark::State& state) {
  const int instances = static_cast<int>(state.range(0));
  const double describe_rate = static_cast<double>(state.range(1));
  Figures f;
  for (auto _ : state) {
    state.PauseTiming();
    auto harness = std::make_unique<Harness>(instances, describe_rate);
    state.ResumeTiming();
    harness->Run();
    state.PauseTiming();
    f = harness->Collect();
    harness.reset();
    state.ResumeTiming();
  }
  if (!f.succeeded) state.SkipWithError("the job did not succeed");
  using benchmark::Counter;
  state.SetItemsProcessed(state.iterations() * instances);
  // CPU time per instance: the inverse of instances per CPU second.
  state.counters["cpu_per_instance"] =
      Counter(instances, Counter::kIsIterationInvariantRate | Counter::kInvert);
  state.counters["simulated_s"] = f.simulated_seconds;
  state.counters["calls"] = static_cast<double>(f.calls);
  state.counters["max_batch"] = static_cast<double>(f.max_batch);
  state.counters["max_calls_per_s"] = f.max_calls_per_second;
  state.counters["describes"] = f.calls_by_action["Describe"];
  state.counters["stops"] = f.calls_by_action["Stop"];
  state.counters["resets"] = f.calls_by_action["ResetPassword"];
  state.counters["starts"] = f.calls_by_action["Start"];
  state.counters["ticks"] = f.ticks;
}
// 2,000 and 20,000 instances at the default 10 requests/s for every action:
// per-instance cost should not grow with size. Polling (Describe, 100 ids a
// call) bounds the job's duration, so also 20,000 with Describe at 40/s,
// Tencent's documented DescribeInstances limit.
BENCHMARK(BM_SchedulerJob)
    ->ArgNames({"instances", "describe_rps"})
    ->Args({2000, 10})
    ->Args({20000, 10})
    ->Args({20000, 40})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace resetd::workflow
