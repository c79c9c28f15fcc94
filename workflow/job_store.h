// Durable record of jobs and their per-instance steps. The engine writes a
// step's intent before its side effect and its result after it, so a restarted
// process knows which calls may have reached the provider.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/secret.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::workflow {

// A job as stored: its spec (the request without password), the password
// (kept only while the job has work left), and its latest snapshot.
struct StoredJob {
  std::string job_id;
  std::string request_id;
  std::string fingerprint;                  // of the request's content
  resetd::v1::CreateResetJobRequest spec;   // password field always empty
  Secret password;                          // empty once the job has ended
  resetd::v1::ResetJob snapshot;            // FULL view
};

// One call's write-ahead record: which ids an action was sent for.
struct StepRecord {
  std::string job_id;
  std::string batch_id;  // shared by every instance in one cloud call
  std::string action;    // Stop, Start, Reboot, ResetPassword
  std::vector<std::string> instance_ids;
  absl::Time time;
  bool done = false;          // false: intent only (may have reached the cloud)
  std::string outcome;        // "OK" or provider code, when done
  std::string request_id;     // provider request id, when done
};

// Thread-safe.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Stores a new job. kAlreadyExists if job_id or request_id is taken.
  virtual absl::Status InsertJob(const StoredJob& job) = 0;
  // The job with this request_id, if any.
  virtual absl::StatusOr<std::optional<StoredJob>> FindByRequestId(
      const std::string& request_id) = 0;
  // The job, or kNotFound.
  virtual absl::StatusOr<StoredJob> GetJob(const std::string& job_id) = 0;
  // Replaces the job's snapshot; clears the password when `clear_password`.
  virtual absl::Status UpdateSnapshot(const std::string& job_id,
                                      const resetd::v1::ResetJob& snapshot,
                                      bool clear_password) = 0;
  // Every job's snapshot, newest first.
  virtual absl::StatusOr<std::vector<resetd::v1::ResetJob>> ListSnapshots() = 0;
  // Jobs that have not ended.
  virtual absl::StatusOr<std::vector<StoredJob>> LoadUnfinished() = 0;
  // Write-ahead: records (or, with done=true, completes) a step.
  virtual absl::Status RecordStep(const StepRecord& step) = 0;
  // Steps of a job, in the order recorded.
  virtual absl::StatusOr<std::vector<StepRecord>> Steps(
      const std::string& job_id) = 0;
};

// Keeps everything in memory (lost on restart). Thread-safe.
std::unique_ptr<JobStore> NewInMemoryJobStore();

}  // namespace resetd::workflow
