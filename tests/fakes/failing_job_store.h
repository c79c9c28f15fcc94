// A JobStore wrapper with fault switches (as leveldb's ErrorEnv wraps an
// Env): the writes a switch names fail with kInternal while it is on;
// everything else passes through to the wrapped store.
#pragma once

#include <atomic>
#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "tests/fakes/forwarding_job_store.h"

namespace resetd::testing {

// Thread-safe as the wrapped store.
class FailingJobStore final : public ForwardingJobStore {
 public:
  // The writes that can be made to fail, one switch each.
  enum class Op { kInsertJob, kTakeClaims, kUpdateJob, kWrite };

  explicit FailingJobStore(std::unique_ptr<workflow::JobStore> base)
      : ForwardingJobStore(std::move(base)) {}

  // While on, calls of `op` fail (and are not passed on).
  void set_fail(Op op, bool on) { fail_[static_cast<int>(op)] = on; }
  // While on, Write (step intents and results, instance rows) fails.
  void set_fail_writes(bool on) { set_fail(Op::kWrite, on); }
  // While on, InsertJob, UpdateJob and TakeClaims fail too.
  void set_fail_all_writes(bool on) { fail_all_ = on; }

  // Calls failed so far, of any switched write.
  int failed_writes() const {
    absl::MutexLock lock(&mu_);
    return failed_;
  }
  // Failed Write calls that carried an intent (a step record not done).
  int refused_intents() const {
    absl::MutexLock lock(&mu_);
    return refused_intents_;
  }
  // Blocks until refused_intents() >= n or `timeout` passes; whether it
  // got there.
  bool WaitForRefusedIntents(int n, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return refused_intents_ >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }

  absl::Status InsertJob(const workflow::StoredJob& job) override {
    if (Failing(Op::kInsertJob)) return Fail(false);
    return ForwardingJobStore::InsertJob(job);
  }
  absl::StatusOr<std::vector<std::optional<workflow::ClaimHolder>>> TakeClaims(
      absl::Span<const std::pair<workflow::ClaimKey, workflow::ClaimHolder>>
          claims) override {
    if (Failing(Op::kTakeClaims)) return Fail(false);
    return ForwardingJobStore::TakeClaims(claims);
  }
  absl::Status UpdateJob(const std::string& job_id, resetd::v1::JobState state,
                         bool cancelled, absl::Time update_time,
                         bool clear_password) override {
    if (Failing(Op::kUpdateJob)) return Fail(false);
    return ForwardingJobStore::UpdateJob(job_id, state, cancelled, update_time,
                                         clear_password);
  }
  absl::Status Write(
      absl::Span<const workflow::StepRecord> steps,
      absl::Span<const resetd::v1::StoredInstance> instances) override {
    if (Failing(Op::kWrite)) {
      bool intent = false;
      for (const auto& s : steps) intent = intent || !s.done;
      return Fail(intent);
    }
    return ForwardingJobStore::Write(steps, instances);
  }

 private:
  bool Failing(Op op) const { return fail_all_ || fail_[static_cast<int>(op)]; }
  absl::Status Fail(bool intent) {
    absl::MutexLock lock(&mu_);
    ++failed_;
    if (intent) ++refused_intents_;
    return absl::InternalError("injected store failure (disk full)");
  }

  std::atomic<bool> fail_[4] = {false, false, false, false};
  std::atomic<bool> fail_all_{false};
  mutable absl::Mutex mu_;
  int failed_ ABSL_GUARDED_BY(mu_) = 0;
  int refused_intents_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace resetd::testing
