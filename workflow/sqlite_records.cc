#include "workflow/sqlite_records.h"

#include <utility>

#include "nlohmann/json.hpp"

namespace resetd::workflow::sqlite {
namespace {

using resetd::v1::JobState;
using resetd::v1::StoredInstance;

bool IsConstraint(const Statement& stmt, int extended_code) {
  return stmt.ExtendedErrorCode() == extended_code;
}

std::string Serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

// The spec is documented to come without a password; make sure no
// plaintext reaches the file even if one slipped through.
std::string SpecWithoutPassword(const resetd::v1::CreateResetJobRequest& spec) {
  if (spec.password().empty()) return Serialize(spec);
  resetd::v1::CreateResetJobRequest copy = spec;
  WipeString(*copy.mutable_password());
  return Serialize(copy);
}

}  // namespace

const char kJobColumns[] =
    "job_id, request_id, fingerprint, spec, state, cancelled, create_time_ns, "
    "update_time_ns, password_key_id, password_sealed, creator";

std::string TerminalStatesSql() {
  std::string out;
  for (int s = resetd::v1::JobState_MIN; s <= resetd::v1::JobState_MAX; ++s) {
    if (!resetd::v1::JobState_IsValid(s) || !IsTerminal(JobState(s))) continue;
    out += (out.empty() ? "(" : ", ") + std::to_string(s);
  }
  return out + ")";
}

int64_t Nanos(absl::Time t) { return absl::ToUnixNanos(t); }

absl::StatusOr<JobRow> ReadJobRow(const Statement& q) {
  JobRow row;
  StoredJob& job = row.job;
  job.job_id = q.Text(0);
  job.request_id = q.Text(1);
  job.fingerprint = q.Blob(2);
  if (!job.spec.ParseFromString(q.Blob(3))) {
    return absl::DataLossError("job " + job.job_id + ": unreadable spec");
  }
  job.state = static_cast<JobState>(q.Int(4));
  job.cancelled = q.Int(5) != 0;
  job.create_time = absl::FromUnixNanos(q.Int(6));
  job.update_time = absl::FromUnixNanos(q.Int(7));
  row.key_id = q.Text(8);
  if (!q.IsNull(9)) row.sealed = q.Blob(9);
  job.creator = q.Text(10);
  return row;
}

absl::Status LoadInstances(Db& db, StoredJob& job) {
  auto q =
      db.Prepare("SELECT record FROM instances WHERE job_id = ?1 ORDER BY idx");
  if (!q.ok()) return q.status();
  q->BindText(1, job.job_id);
  while (true) {
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    StoredInstance& i = job.instances.emplace_back();
    if (!i.ParseFromString(q->Blob(0))) {
      return absl::DataLossError("job " + job.job_id +
                                 ": unreadable instance record");
    }
  }
}

absl::StatusOr<StepRecord> ReadStep(const std::string& job_id,
                                    const Statement& q) {
  StepRecord step;
  step.job_id = job_id;
  step.batch_id = q.Text(0);
  step.action = q.Text(1);
  auto ids = nlohmann::json::parse(q.Text(2), nullptr, false);
  if (ids.is_discarded() || !ids.is_array()) {
    return absl::DataLossError("job " + job_id + ": step " + step.batch_id +
                               " has unreadable instance ids");
  }
  for (const auto& id : ids) {
    if (!id.is_string()) {
      return absl::DataLossError("job " + job_id + ": step " + step.batch_id +
                                 " has a non-string id");
    }
    step.instance_ids.push_back(id.get<std::string>());
  }
  step.time = absl::FromUnixNanos(q.Int(3));
  step.done = q.Int(4) != 0;
  step.outcome = q.Text(5);
  step.request_id = q.Text(6);
  return step;
}

absl::Status InsertJobRow(Db& db, const StoredJob& job,
                          const std::optional<Keyring::Sealed>& sealed) {
  auto q = db.Prepare(
      "INSERT INTO jobs(job_id, request_id, fingerprint, spec, "
      "password_key_id, password_sealed, state, cancelled, create_time_ns, "
      "update_time_ns, creator) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!q.ok()) return q.status();
  q->BindText(1, job.job_id).BindText(2, job.request_id);
  q->BindBlob(3, job.fingerprint).BindBlob(4, SpecWithoutPassword(job.spec));
  q->BindText(5, sealed ? sealed->key_id : "");
  if (sealed) {
    q->BindBlob(6, sealed->sealed);
  } else {
    q->BindNull(6);
  }
  q->BindInt(7, job.state).BindInt(8, job.cancelled ? 1 : 0);
  q->BindInt(9, Nanos(job.create_time)).BindInt(10, Nanos(job.update_time));
  q->BindText(11, job.creator);
  absl::Status s = q->Run();
  if (!s.ok() && (IsConstraint(*q, SQLITE_CONSTRAINT_PRIMARYKEY) ||
                  IsConstraint(*q, SQLITE_CONSTRAINT_UNIQUE))) {
    return absl::AlreadyExistsError("job id " + job.job_id +
                                    " or request id already stored");
  }
  if (!s.ok()) return s;
  return PutJobTargets(db, job.job_id, job.spec);
}

absl::Status PutJobTargets(Db& db, const std::string& job_id,
                           const resetd::v1::CreateResetJobRequest& spec) {
  for (const ProviderRegion& t : TargetsOf(spec)) {
    // Cached: compiled once; each Statement resets it when it goes.
    auto q = db.Prepare(
        "INSERT OR IGNORE INTO job_targets(job_id, provider, region) "
        "VALUES(?1, ?2, ?3)");
    if (!q.ok()) return q.status();
    q->BindText(1, job_id).BindText(2, t.provider).BindText(3, t.region);
    if (absl::Status s = q->Run(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status PutInstance(Db& db, const std::string& job_id,
                         const StoredInstance& i) {
  auto q = db.Prepare(
      "INSERT INTO instances(job_id, idx, instance_id, record) "
      "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(job_id, idx) DO UPDATE SET "
      "instance_id = excluded.instance_id, record = excluded.record");
  if (!q.ok()) return q.status();
  q->BindText(1, job_id).BindInt(2, i.index()).BindText(3, i.instance_id());
  q->BindBlob(4, Serialize(i));
  absl::Status s = q->Run();
  if (!s.ok() && IsConstraint(*q, SQLITE_CONSTRAINT_FOREIGNKEY)) {
    return absl::NotFoundError("no job " + job_id);
  }
  return s;
}

absl::Status PutStep(Db& db, const StepRecord& step) {
  auto q = db.Prepare(
      "INSERT INTO steps(job_id, batch_id, action, instance_ids, time_ns, "
      "done, outcome, request_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT(job_id, batch_id) DO UPDATE SET action = excluded.action,"
      " instance_ids = excluded.instance_ids, time_ns = excluded.time_ns, "
      "done = excluded.done, outcome = excluded.outcome, "
      "request_id = excluded.request_id");
  if (!q.ok()) return q.status();
  q->BindText(1, step.job_id).BindText(2, step.batch_id);
  q->BindText(3, step.action);
  q->BindText(4, nlohmann::json(step.instance_ids).dump());
  q->BindInt(5, Nanos(step.time)).BindInt(6, step.done ? 1 : 0);
  q->BindText(7, step.outcome).BindText(8, step.request_id);
  absl::Status s = q->Run();
  if (!s.ok() && IsConstraint(*q, SQLITE_CONSTRAINT_FOREIGNKEY)) {
    return absl::NotFoundError("no job " + step.job_id);
  }
  return s;
}

absl::StatusOr<std::optional<ClaimHolder>> FindClaimHolder(
    Db& db, const ClaimKey& key) {
  auto q = db.Prepare(
      "SELECT job_id, idx FROM claims WHERE scope = ?1 AND region = ?2 AND "
      "instance_id = ?3");
  if (!q.ok()) return q.status();
  q->BindText(1, key.scope).BindText(2, key.region);
  q->BindText(3, key.instance_id);
  auto row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ClaimHolder>();
  return std::optional<ClaimHolder>(
      ClaimHolder{q->Text(0), static_cast<int>(q->Int(1))});
}

absl::Status InsertClaim(Db& db, const ClaimKey& key,
                         const ClaimHolder& holder) {
  auto q = db.Prepare(
      "INSERT INTO claims(scope, region, instance_id, job_id, idx) "
      "VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!q.ok()) return q.status();
  q->BindText(1, key.scope).BindText(2, key.region);
  q->BindText(3, key.instance_id).BindText(4, holder.job_id);
  q->BindInt(5, holder.index);
  absl::Status s = q->Run();
  if (!s.ok() && IsConstraint(*q, SQLITE_CONSTRAINT_FOREIGNKEY)) {
    return absl::NotFoundError("no job " + holder.job_id);
  }
  if (!s.ok() && (IsConstraint(*q, SQLITE_CONSTRAINT_PRIMARYKEY) ||
                  IsConstraint(*q, SQLITE_CONSTRAINT_UNIQUE))) {
    return absl::AbortedError("instance " + key.instance_id +
                              " is held by another job");
  }
  return s;
}

absl::Status ReleaseClaim(Db& db, const std::string& job_id, int index) {
  auto q = db.Prepare("DELETE FROM claims WHERE job_id = ?1 AND idx = ?2");
  if (!q.ok()) return q.status();
  q->BindText(1, job_id).BindInt(2, index);
  return q->Run();
}

}  // namespace resetd::workflow::sqlite
