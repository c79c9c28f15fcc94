// Durable record of jobs, their instances and their steps. The engine
// writes a step's intent (with the rows of the instances it concerns) before
// the side effect and its result after it, so a restarted process knows
// which calls may have reached the provider and how far every instance got.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/secret.h"
#include "resetd/v1/reset_service.pb.h"
#include "resetd/v1/store.pb.h"

namespace resetd::workflow {

// A job as stored.
struct StoredJob {
  std::string job_id;
  std::string request_id;
  std::string fingerprint;                  // of the request's content
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

struct JobFilter {
  std::vector<resetd::v1::JobState> states;  // empty = any
  std::optional<absl::Time> created_after;   // inclusive
  std::optional<absl::Time> created_before;  // exclusive
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

  // Stores a new job with its instances (job.instances). kAlreadyExists if
  // the job_id or request_id is taken.
  virtual absl::Status InsertJob(const StoredJob& job) = 0;

  // The job with this request_id (no instances, no password), if any.
  virtual absl::StatusOr<std::optional<StoredJob>> FindByRequestId(
      const std::string& request_id) = 0;

  // The job (no password), with its instances when `with_instances`;
  // kNotFound if there is none.
  virtual absl::StatusOr<StoredJob> GetJob(const std::string& job_id,
                                           bool with_instances) = 0;

  // Updates a job's state; `clear_password` drops the stored ciphertext for
  // good (the job has no work left). kNotFound if there is no such job.
  virtual absl::Status UpdateJob(const std::string& job_id,
                                 resetd::v1::JobState state, bool cancelled,
                                 absl::Time update_time,
                                 bool clear_password) = 0;

  // In one transaction: records `steps` (intents, or results of earlier
  // intents with the same job_id and batch_id) and replaces the rows of
  // `instances` (matched by job_id and index).
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
