// CreateResetJob latency through the whole engine (NewEngine on the real
// clock, a SQLite store with synchronous=FULL on the real disk, the in-memory
// FakeCloudClient with 1 s transitions): with the store idle, and while a
// 10,000-instance job keeps the scheduler writing intents and results. The
// engine writes those with its lock released, so an RPC should not wait
// behind their fsyncs: the two distributions should be close.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/temp_dir.h"
#include "benchmark/benchmark.h"
#include "prometheus/registry.h"
#include "tests/fakes/fake_cloud_client.h"
#include "workflow/engine.h"
#include "workflow/keyring.h"
#include "workflow/sqlite_job_store.h"

namespace resetd::workflow {
namespace {

using clients::PowerState;
using resetd::testing::FakeCloudClient;

constexpr int kBusyInstances = 10000;
constexpr int kCreates = 200;
constexpr absl::Duration kBetweenCreates = absl::Milliseconds(25);

resetd::v1::CreateResetJobRequest Request(const std::string& request_id,
                                          const std::vector<std::string>& ids) {
  resetd::v1::CreateResetJobRequest r;
  r.set_request_id(request_id);
  r.set_password("Xy7!newPassw0rd");
  auto* target = r.add_targets();
  target->set_provider("tencent");
  target->set_region("ap-guangzhou");
  for (const auto& id : ids) target->add_instance_ids(id);
  return r;
}

// An engine on a fresh SQLite file; everything torn down with it.
class EngineHarness {
 public:
  EngineHarness() : dir_(bench::MakeBenchDir()) {
    cloud_ = std::make_shared<FakeCloudClient>(RealClock(), absl::Seconds(1));
    ProviderEntry entry;
    entry.name = "tencent";
    entry.account = "acct";
    entry.client = cloud_;
    entry.rate_per_second = {{"*", 10.0}, {"Describe", 40.0}};
    ProviderRegistry providers{{"tencent", entry}};
    auto store = NewSqliteJobStore(
        (dir_ / "jobs.db").string(),
        std::make_shared<const Keyring>(Keyring::Ephemeral()));
    if (!store.ok()) std::abort();
    store_ = *std::move(store);
    EngineOptions options;
    options.linger = absl::Milliseconds(200);
    options.poll_interval = absl::Seconds(1);
    engine_ = NewEngine(providers, RealClock(), *store_, metrics_, options);
    engine_->Start();
  }
  ~EngineHarness() {
    engine_->Shutdown(absl::Seconds(2));
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Creates a job over `n` new instances (70% running); returns its id.
  std::string StartJob(const std::string& name, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(name + "-" + std::to_string(i));
      cloud_->Add(ids.back(),
                  i % 10 < 7 ? PowerState::kRunning : PowerState::kStopped);
    }
    auto job = engine_->Create(Request(name, ids), "tester");
    if (!job.ok()) std::abort();
    return job->job_id();
  }

  // Waits until the cloud has accepted `n` calls with a side effect (the
  // busy job is under way, its intents being written).
  void AwaitSideEffects(size_t n) {
    while (true) {
      size_t seen = 0;
      for (const auto& c : cloud_->calls()) seen += c.action != "Describe";
      if (seen >= n) return;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  // Latency of kCreates one-instance creates, spread kBetweenCreates apart.
  std::vector<absl::Duration> TimeCreates() {
    std::vector<absl::Duration> took;
    for (int i = 0; i < kCreates; ++i) {
      const std::string id = "probe-" + std::to_string(i);
      cloud_->Add(id, PowerState::kRunning);
      const absl::Time start = absl::Now();
      if (!engine_->Create(Request(id, {id}), "tester").ok()) std::abort();
      took.push_back(absl::Now() - start);
      absl::SleepFor(kBetweenCreates);
    }
    return took;
  }

 private:

  const std::filesystem::path dir_;
  std::shared_ptr<FakeCloudClient> cloud_;
  prometheus::Registry registry_;
  WorkflowMetrics metrics_{registry_};
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<Engine> engine_;
};

double Percentile(std::vector<absl::Duration> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  return absl::ToDoubleMilliseconds(v[i]);
}

// busy:0 = the store idle; busy:1 = while a 10,000-instance job runs.
void BM_CreateResetJobLatency(benchmark::State& state) {
  const bool busy = state.range(0) != 0;
  EngineHarness h;  // set up outside the timed loop
  if (busy) {
    h.StartJob("busy", kBusyInstances);
    h.AwaitSideEffects(20);
  }
  std::vector<absl::Duration> took;
  for (auto _ : state) took = h.TimeCreates();
  state.counters["p50_ms"] = Percentile(took, 0.50);
  state.counters["p99_ms"] = Percentile(took, 0.99);
  state.counters["max_ms"] = Percentile(took, 1.0);
}
BENCHMARK(BM_CreateResetJobLatency)
    ->ArgName("busy")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace resetd::workflow
