// What an operator's commands cost on the largest job (100,000 instances)
// once it has ended and the SQLite store serves it: GetResetJob (BASIC and
// FULL) and ListResetJobInstances pages at the start, the end and with a
// sparse filter, through the engine's JobManager API. Counters give each
// answer's size in bytes: all must stay far below gRPC's 4 MB.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "bench/temp_dir.h"
#include "benchmark/benchmark.h"
#include "prometheus/registry.h"
#include "tests/fakes/fake_cloud_client.h"
#include "workflow/engine.h"
#include "workflow/instance_page.h"
#include "workflow/keyring.h"
#include "workflow/sqlite_job_store.h"

namespace resetd::workflow {
namespace {

constexpr int kInstances = 100000;
constexpr char kJobId[] = "rj-00000000000b1g00";

google::protobuf::Timestamp At(int64_t s) {
  google::protobuf::Timestamp t;
  t.set_seconds(1767225600 + s);
  return t;
}

// An ended job as the engine stores it: 1% failed (5 codes), the rest
// succeeded after observe, stop, reset, start.
StoredJob EndedJob() {
  StoredJob job;
  job.job_id = kJobId;
  job.request_id = "bench-100k";
  job.fingerprint = "fp";
  job.creator = "bench";
  job.state = resetd::v1::JOB_STATE_PARTIALLY_FAILED;
  // Recent: older ended jobs are pruned by the engine's housekeeping.
  job.create_time = job.update_time = absl::Now();
  job.spec.set_request_id(job.request_id);
  auto* target = job.spec.add_targets();
  target->set_provider("tencent");
  target->set_region("ap-guangzhou");
  job.instances.resize(kInstances);
  for (int i = 0; i < kInstances; ++i) {
    const std::string id = "ins-" + std::to_string(10000000 + i);
    target->add_instance_ids(id);
    resetd::v1::StoredInstance& s = job.instances[i];
    s.set_job_id(kJobId);
    s.set_index(i);
    s.set_instance_id(id);
    s.set_provider("tencent");
    s.set_region("ap-guangzhou");
    s.set_done(true);
    resetd::v1::InstanceResult* r = s.mutable_result();
    r->set_instance_id(id);
    r->set_provider("tencent");
    r->set_region("ap-guangzhou");
    r->set_original_power_state(resetd::v1::POWER_STATE_RUNNING);
    r->set_final_power_state(resetd::v1::POWER_STATE_RUNNING);
    r->set_phase("done");
    const bool failed = i % 100 == 42;
    int t = i % 600;
    for (const char* action : {"Observe", "Stop", "ResetPassword", "Start"}) {
      resetd::v1::Step* step = r->add_steps();
      step->set_action(action);
      *step->mutable_start_time() = At(t);
      *step->mutable_end_time() = At(t += 3);
      const bool this_failed = failed && std::string(action) == "ResetPassword";
      step->set_outcome(this_failed ? "ResetFailed" : "OK");
      step->set_request_id("0f0e0d0c-0b0a-4909-8807-" + std::to_string(
                                                           100000000000 + i));
    }
    if (failed) {
      r->set_state(resetd::v1::INSTANCE_STATE_FAILED);
      r->mutable_error()->set_code("ResetFailed" + std::to_string(i / 100 % 5));
      r->mutable_error()->set_message("the instance agent did not respond");
      r->mutable_error()->set_request_id("0f0e0d0c-0b0a-4909-8807-000000000000");
    } else {
      r->set_state(resetd::v1::INSTANCE_STATE_SUCCEEDED);
      r->set_verification(resetd::v1::RESET_VERIFICATION_VERIFIED);
    }
  }
  return job;
}

// A SQLite store holding the job, and an engine over it (the job has ended:
// the engine does not load it, the store serves every read).
class Harness {
 public:
  Harness() : dir_(bench::MakeBenchDir()) {
    auto store = NewSqliteJobStore(
        (dir_ / "jobs.db").string(),
        std::make_shared<const Keyring>(Keyring::Ephemeral()));
    if (!store.ok() || !(*store)->InsertJob(EndedJob()).ok()) std::abort();
    store_ = *std::move(store);
    Restart();
  }
  ~Harness() {
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  JobManager& jobs() { return *engine_; }

  // A new engine over the same store (nothing cached).
  void Restart() {
    if (engine_) engine_->Shutdown(absl::Seconds(1));
    engine_.reset();
    ProviderEntry entry;
    entry.name = "tencent";
    entry.account = "acct";
    entry.client = std::make_shared<resetd::testing::FakeCloudClient>(
        RealClock(), absl::Seconds(1));
    engine_ = NewEngine(ProviderRegistry{{"tencent", entry}}, RealClock(),
                        *store_, metrics_, EngineOptions());
    engine_->Start();
  }

 private:
  const std::filesystem::path dir_;
  prometheus::Registry registry_;
  WorkflowMetrics metrics_{registry_};
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<Engine> engine_;
};

[[noreturn]] void Die(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  std::abort();
}

Harness& Shared() {
  static Harness* h = new Harness();  // built once: inserting takes seconds
  return *h;
}

// view:1 BASIC (counts: every record read the first time, then cached for
// an ended job), view:2 FULL (targets and failures by code: every record
// read each time). cold:1 restarts the engine before each Get (the first
// Get of a job after a restart).
void BM_GetResetJob100k(benchmark::State& state) {
  Harness& h = Shared();
  const auto view = static_cast<resetd::v1::JobView>(state.range(0));
  const bool cold = state.range(1) != 0;
  size_t bytes = 0;
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      h.Restart();
      state.ResumeTiming();
    }
    auto job = h.jobs().Get(kJobId, view);
    if (!job.ok()) Die(job.status());
    bytes = job->ByteSizeLong();
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_GetResetJob100k)
    ->ArgNames({"view", "cold"})
    ->Args({1, 1})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Unit(benchmark::kMicrosecond);

// where:0 the first page, 1 the last page (its token), 2 the first page of
// failures (1 in 100 instances), 3 a failure page near the end.
void BM_ListResetJobInstances100k(benchmark::State& state) {
  Harness& h = Shared();
  const int where = static_cast<int>(state.range(0));
  resetd::v1::ListResetJobInstancesRequest request;
  request.set_job_id(kJobId);
  request.set_page_size(kMaxInstancePageSize);
  if (where >= 2) request.add_states(resetd::v1::INSTANCE_STATE_FAILED);
  if (where == 1) request.set_page_token(NextPageToken(request, kInstances - kMaxInstancePageSize));
  if (where == 3) request.set_page_token(NextPageToken(request, kInstances - 5000));
  size_t bytes = 0;
  int results = 0;
  for (auto _ : state) {
    auto page = h.jobs().ListInstances(request);
    if (!page.ok()) Die(page.status());
    bytes = page->ByteSizeLong();
    results = page->instances_size();
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["results"] = results;
}
BENCHMARK(BM_ListResetJobInstances100k)
    ->ArgName("where")
    ->DenseRange(0, 3)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace resetd::workflow
