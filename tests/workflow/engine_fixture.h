// The fixture of the engine's tests: the Engine (NewEngine) on the real
// clock with its own driver and worker threads, a FakeCloudClient provider
// "tencent" whose transitions take 20 ms of real time, and a job store the
// test can make fail. Tests wait on the engine's version waits
// (WaitForUpdate) or on notifications, never on sleeps.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/fakes/failing_job_store.h"
#include "tests/fakes/fake_cloud_client.h"
#include "tests/util/full_job.h"
#include "workflow/engine.h"

namespace resetd::workflow::testing {

using clients::PowerState;
using resetd::testing::FailingJobStore;
using resetd::testing::FakeCall;
using resetd::testing::FakeCloudClient;
using resetd::v1::CreateResetJobRequest;
using resetd::v1::ResetJob;

inline constexpr char kNewPassword[] = "Xy7!newPassw0rd";
// Bound on every wait: a broken engine fails the test instead of hanging it.
inline constexpr absl::Duration kWait = absl::Seconds(30);

class EngineTest : public ::testing::Test {
 protected:
  EngineTest();
  ~EngineTest() override { StopEngine(); }

  // Starts an engine on `store` (which must outlive it); the test's
  // FailingJobStore when none is given.
  void StartEngine(JobStore* store = nullptr);
  // Shuts the engine down (calls in flight get `grace`) and destroys it.
  void StopEngine(absl::Duration grace = absl::Seconds(5));

  // Adds `n` instances in `state` named prefix-00.. and returns the ids.
  std::vector<std::string> AddFleet(const std::string& prefix, int n,
                                    PowerState state);
  // A valid request for `ids` (provider "tencent", ap-guangzhou).
  static CreateResetJobRequest Request(
      const std::string& request_id, const std::vector<std::string>& ids,
      const std::string& password = kNewPassword);
  // Creates the job; fails the test (and returns "") if Create fails.
  std::string CreateJob(const std::string& request_id,
                        const std::vector<std::string>& ids);

  // Waits until `done` holds for the job's FULL view, re-checking at every
  // change of the job; false if the job ended without it or `timeout`
  // passed.
  bool WaitUntil(const std::string& job_id,
                 const std::function<bool(const ResetJob&)>& done,
                 absl::Duration timeout = kWait);
  // Waits for the job to end and returns its FULL view (the failure, if it
  // did not end within kWait).
  absl::StatusOr<ResetJob> WaitForEnd(const std::string& job_id);

  // The job's FULL view with every instance, paged through ListInstances
  // (a job with state UNSPECIFIED if a call failed).
  resetd::testing::FullJob Full(const std::string& job_id, int page_size = 7);

  // A notification made the first time `pred` holds for the cloud's
  // instances after a change (a call accepted). Shared with the cloud,
  // so it outlives whichever is destroyed first.
  std::shared_ptr<absl::Notification> NotifyOnCloud(
      std::function<
          bool(const std::map<std::string, resetd::testing::FakeInstance>&)>
          pred);
  // True when some instance is in `state`: a predicate for NotifyOnCloud.
  static std::function<
      bool(const std::map<std::string, resetd::testing::FakeInstance>&)>
  AnyIn(PowerState state);
  // Makes the instances' transitions never finish (or finish again).
  void SetStuck(const std::vector<std::string>& ids, bool stuck);

  // Calls with a side effect (everything but Describe), in order.
  std::vector<FakeCall> SideEffects();
  // How many accepted calls of `action` named `id`.
  int Sent(const std::string& action, const std::string& id);
  // Instances an accepted Stop reached twice with no Start in between.
  std::vector<std::string> StoppedTwiceWithoutStart();
  // Expects each instance back in `state` with the new password.
  void ExpectReset(const std::vector<std::string>& ids, PowerState state);

  std::shared_ptr<FakeCloudClient> cloud_;
  ProviderRegistry providers_;
  EngineOptions options_;
  prometheus::Registry registry_;
  WorkflowMetrics metrics_{registry_};
  FailingJobStore store_{NewInMemoryJobStore()};
  // A store of the test's own (SQLite, a decorator): declared before the
  // engine, so that the engine is gone before it is.
  std::unique_ptr<JobStore> own_store_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace resetd::workflow::testing
