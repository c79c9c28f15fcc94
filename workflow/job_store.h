// Durable record of jobs, their instances and their steps. The engine
// writes a step's intent (with the rows of the instances it concerns) before
// the side effect and its result after it, so a restarted process knows
// which calls may have reached the provider and how far every instance got.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/secret.h"
#include "resetd/v1/reset_service.pb.h"
#include "resetd/v1/store.pb.h"
#include "workflow/job_scope.h"

namespace resetd::workflow {

// A job as stored.
struct StoredJob {
  std::string job_id;
  std::string request_id;
  std::string fingerprint;                  // of the request's content
  // The identity of the caller that created the job; empty for jobs stored
  // before creators were recorded.
  std::string creator;
  resetd::v1::CreateResetJobRequest spec;   // password field always empty
  Secret password;  // plaintext in memory only; empty once the job ended
  // LoadUnfinished: why `password` could not be read back (e.g. its key is
  // not configured); the job is still returned, with an empty password.
  absl::Status password_status;
  resetd::v1::JobState state = resetd::v1::JOB_STATE_QUEUED;
  bool cancelled = false;
  absl::Time create_time;
  absl::Time update_time;
  // Filled only by the calls that say so.
  std::vector<resetd::v1::StoredInstance> instances;
};

// One cloud call's record for one job: which of its instances an action was
// sent for. A call that serves several jobs has one record per job, all
// with the same batch_id.
struct StepRecord {
  std::string job_id;
  std::string batch_id;
  std::string action;  // Stop, Start, Reboot, ResetPassword
  std::vector<std::string> instance_ids;
  absl::Time time;
  bool done = false;       // false: intent only (may have reached the cloud)
  std::string outcome;     // "OK" or the provider code, when done
  std::string request_id;  // the provider's request id, when done
};

// The key of an instance's claim: an instance belongs to at most one active
// job at a time. `scope` identifies the provider account (two provider
// entries that share an account share a scope).
struct ClaimKey {
  std::string scope;
  std::string region;
  std::string instance_id;
  bool operator==(const ClaimKey& o) const {
    return scope == o.scope && region == o.region &&
           instance_id == o.instance_id;
  }
  bool operator<(const ClaimKey& o) const {
    return std::tie(scope, region, instance_id) <
           std::tie(o.scope, o.region, o.instance_id);
  }
};

// Who holds a claim: one instance (by its index) of one job.
struct ClaimHolder {
  std::string job_id;
  int index = 0;
  bool operator==(const ClaimHolder& o) const {
    return job_id == o.job_id && index == o.index;
  }
};

// The claim key of a stored instance record.
inline ClaimKey ClaimKeyOf(const resetd::v1::StoredInstance& i) {
  return ClaimKey{i.claim_scope(), i.region(), i.instance_id()};
}

struct JobFilter {
  std::vector<resetd::v1::JobState> states;  // empty = any
  std::optional<absl::Time> created_after;   // inclusive
  std::optional<absl::Time> created_before;  // exclusive
  std::string creator;                       // empty = any creator
  // Only jobs whose every target (provider, region of spec.targets) is
  // within the scope; nullopt = every job.
  JobScope scope;
  int offset = 0;
  int limit = 50;
};

// Thread-safe. Every write is atomic and, for a durable store, on disk when
// the call returns. Errors: kAlreadyExists / kNotFound as documented,
// kDataLoss when stored data cannot be read back (e.g. the key that
// encrypted a password is not configured), kInternal for storage failures.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Stores a new job with its instances (job.instances) and, in the same
  // transaction, claims every instance whose record has claim HELD (key:
  // ClaimKeyOf(record)). kAlreadyExists if the job_id or request_id is
  // taken; kAborted if another job holds one of those claims (nothing is
  // stored: look the holders up with FindClaims and decide again).
  virtual absl::Status InsertJob(const StoredJob& job) = 0;

  // The holder of each key's claim, in the order of `keys` (nullopt: free).
  virtual absl::StatusOr<std::vector<std::optional<ClaimHolder>>> FindClaims(
      absl::Span<const ClaimKey> keys) = 0;

  // For each (key, claimant) pair, in one transaction: claims the key for
  // the claimant if it is free. Returns, in order, nullopt where the
  // claimant holds the claim now (also when it already did), else the
  // holder. kNotFound if a claimant's job is unknown.
  virtual absl::StatusOr<std::vector<std::optional<ClaimHolder>>> TakeClaims(
      absl::Span<const std::pair<ClaimKey, ClaimHolder>> claims) = 0;

  // One instance record; kNotFound if there is none (e.g. pruned).
  virtual absl::StatusOr<resetd::v1::StoredInstance> GetInstance(
      const std::string& job_id, int index) = 0;

  // Calls `visit` with the job's instance records in index order, from
  // index `from_index`, until it returns false or the records end.
  // kNotFound if there is no such job. The store may be locked meanwhile:
  // `visit` must not call the store.
  virtual absl::Status ScanInstances(
      const std::string& job_id, int from_index,
      const std::function<bool(const resetd::v1::StoredInstance&)>& visit) = 0;

  // The job with this request_id (no instances, no password), if any.
  virtual absl::StatusOr<std::optional<StoredJob>> FindByRequestId(
      const std::string& request_id) = 0;

  // The job (no password), with its instances when `with_instances`;
  // kNotFound if there is none.
  virtual absl::StatusOr<StoredJob> GetJob(const std::string& job_id,
                                           bool with_instances) = 0;

  // Updates a job's state; `clear_password` drops the stored ciphertext for
  // good (the job has no work left). A terminal state releases every claim
  // the job still holds. kNotFound if there is no such job.
  virtual absl::Status UpdateJob(const std::string& job_id,
                                 resetd::v1::JobState state, bool cancelled,
                                 absl::Time update_time,
                                 bool clear_password) = 0;

  // In one transaction: records `steps` (intents, or results of earlier
  // intents with the same job_id and batch_id) and replaces the rows of
  // `instances` (matched by job_id and index). A record with done set
  // releases that instance's claim.
  virtual absl::Status Write(
      absl::Span<const StepRecord> steps,
      absl::Span<const resetd::v1::StoredInstance> instances) = 0;

  // A job's steps in the order recorded; a result updates its intent.
  virtual absl::StatusOr<std::vector<StepRecord>> Steps(
      const std::string& job_id) = 0;

  // Jobs that have not ended, oldest first, with instances and password.
  virtual absl::StatusOr<std::vector<StoredJob>> LoadUnfinished() = 0;

  // Jobs matching `filter`, newest first (create_time, then job_id), without
  // instances or password.
  virtual absl::StatusOr<std::vector<StoredJob>> ListJobs(
      const JobFilter& filter) = 0;

  // Deletes ended jobs last updated before `cutoff`, with their instances
  // and steps; returns how many jobs.
  virtual absl::StatusOr<int> PruneEnded(absl::Time cutoff) = 0;
};

// Keeps everything in memory (lost on restart). Thread-safe.
std::unique_ptr<JobStore> NewInMemoryJobStore();

// True for SUCCEEDED, PARTIALLY_FAILED, FAILED and CANCELLED.
bool IsTerminal(resetd::v1::JobState state);

}  // namespace resetd::workflow
