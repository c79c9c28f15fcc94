// How the SQLite store's rows map to jobs, instances, steps and claims: one
// function per statement, each run on a Db its caller holds (under the
// store's lock, inside the store's transaction when there is one). Failures
// are mapped as the JobStore contract says: a missing job is kNotFound, a
// duplicate job kAlreadyExists, a held claim kAborted, an unreadable row
// kDataLoss.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "workflow/job_store.h"
#include "workflow/keyring.h"
#include "workflow/sqlite_db.h"

namespace resetd::workflow::sqlite {

// The columns ReadJobRow reads, in its order: "SELECT " + kJobColumns + ...
extern const char kJobColumns[];

// "(s1, s2, ...)": the terminal job states, for SQL.
std::string TerminalStatesSql();

int64_t Nanos(absl::Time t);

// A job as read, with its sealed password kept aside (opened by the store,
// which holds the keyring).
struct JobRow {
  StoredJob job;
  std::string key_id;
  std::optional<std::string> sealed;
};

absl::StatusOr<JobRow> ReadJobRow(const Statement& q);
// Appends the job's instances, in index order, to job.instances.
absl::Status LoadInstances(Db& db, StoredJob& job);
// A row of "SELECT batch_id, action, instance_ids, time_ns, done, outcome,
// request_id FROM steps".
absl::StatusOr<StepRecord> ReadStep(const std::string& job_id,
                                    const Statement& q);

// The spec is stored without a password even if one slipped through.
absl::Status InsertJobRow(Db& db, const StoredJob& job,
                          const std::optional<Keyring::Sealed>& sealed);
// Records the job's distinct (provider, region) targets of `spec` in
// job_targets (what ListJobs' scope filter reads); existing rows are kept.
absl::Status PutJobTargets(Db& db, const std::string& job_id,
                           const resetd::v1::CreateResetJobRequest& spec);
// Insert or replace (by job and index).
absl::Status PutInstance(Db& db, const std::string& job_id,
                         const resetd::v1::StoredInstance& i);
// Insert or replace (by job and batch id).
absl::Status PutStep(Db& db, const StepRecord& step);

absl::StatusOr<std::optional<ClaimHolder>> FindClaimHolder(Db& db,
                                                           const ClaimKey& key);
// kAborted when the key is held (by anyone), kNotFound without the job.
absl::Status InsertClaim(Db& db, const ClaimKey& key,
                         const ClaimHolder& holder);
absl::Status ReleaseClaim(Db& db, const std::string& job_id, int index);

}  // namespace resetd::workflow::sqlite
