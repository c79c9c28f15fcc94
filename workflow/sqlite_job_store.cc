#include "workflow/sqlite_job_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"
#include "workflow/sqlite_db.h"

namespace resetd::workflow {
namespace {

using internal::SqliteMigration;
using resetd::v1::JobState;
using resetd::v1::StoredInstance;
using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

// Released migrations are never edited: a change is a new entry.
constexpr SqliteMigration kMigrations[] = {
    {1, "jobs, instances and steps", R"sql(
CREATE TABLE jobs (
  job_id          TEXT    NOT NULL PRIMARY KEY,
  request_id      TEXT    NOT NULL UNIQUE,
  fingerprint     BLOB    NOT NULL,
  spec            BLOB    NOT NULL,  -- CreateResetJobRequest, password empty
  password_key_id TEXT    NOT NULL,  -- keyring id that sealed the password
  password_sealed BLOB,              -- nonce||ciphertext||tag; NULL once ended
  state           INTEGER NOT NULL,  -- resetd.v1.JobState
  cancelled       INTEGER NOT NULL,
  create_time_ns  INTEGER NOT NULL,
  update_time_ns  INTEGER NOT NULL
);
CREATE TABLE instances (
  job_id      TEXT    NOT NULL REFERENCES jobs(job_id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  instance_id TEXT    NOT NULL,
  record      BLOB    NOT NULL,  -- resetd.v1.StoredInstance
  PRIMARY KEY (job_id, idx)
) WITHOUT ROWID;
-- rowid keeps the order in which intents were first recorded.
CREATE TABLE steps (
  job_id       TEXT    NOT NULL REFERENCES jobs(job_id) ON DELETE CASCADE,
  batch_id     TEXT    NOT NULL,
  action       TEXT    NOT NULL,
  instance_ids TEXT    NOT NULL,  -- JSON array of strings
  time_ns      INTEGER NOT NULL,
  done         INTEGER NOT NULL,
  outcome      TEXT    NOT NULL,
  request_id   TEXT    NOT NULL,
  PRIMARY KEY (job_id, batch_id)
);
)sql"},
    {2, "indexes for recovery, listing and pruning", R"sql(
CREATE INDEX jobs_by_state_created ON jobs(state, create_time_ns);
CREATE INDEX jobs_by_created ON jobs(create_time_ns, job_id);
)sql"},
    {3, "claims: an instance belongs to at most one active job", R"sql(
CREATE TABLE claims (
  scope       TEXT    NOT NULL,  -- the provider account's identity
  region      TEXT    NOT NULL,
  instance_id TEXT    NOT NULL,
  job_id      TEXT    NOT NULL REFERENCES jobs(job_id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  PRIMARY KEY (scope, region, instance_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX claims_by_holder ON claims(job_id, idx);
)sql"},
};

constexpr char kJobColumns[] =
    "job_id, request_id, fingerprint, spec, state, cancelled, create_time_ns, "
    "update_time_ns, password_key_id, password_sealed";

// "(s1, s2, ...)": the terminal states, for SQL.
std::string TerminalStatesSql() {
  std::string out;
  for (int s = resetd::v1::JobState_MIN; s <= resetd::v1::JobState_MAX; ++s) {
    if (!resetd::v1::JobState_IsValid(s) || !IsTerminal(JobState(s))) continue;
    out += (out.empty() ? "(" : ", ") + std::to_string(s);
  }
  return out + ")";
}

int64_t Nanos(absl::Time t) { return absl::ToUnixNanos(t); }

bool IsConstraint(const Statement& stmt, int extended_code) {
  return stmt.ExtendedErrorCode() == extended_code;
}

std::string Serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

absl::Status ApplyPragmas(Db& db, const std::string& path) {
  sqlite3_busy_timeout(db.raw(), 5000);
  // Exclusive before WAL: the WAL index lives in this process's heap and the
  // file stays locked while the store lives (no second resetd on it).
  auto locking = db.QueryText("PRAGMA locking_mode=EXCLUSIVE");
  if (!locking.ok()) return locking.status();
  auto mode = db.QueryText("PRAGMA journal_mode=WAL");
  if (!mode.ok()) {
    if ((sqlite3_errcode(db.raw()) & 0xff) == SQLITE_BUSY) {
      return absl::FailedPreconditionError(
          "store " + path + " is in use by another process (locked)");
    }
    return mode.status();
  }
  if (*mode != "wal") {
    return absl::FailedPreconditionError(
        "store " + path + ": cannot use WAL mode (got " + *mode + ")");
  }
  // FULL: a commit fsyncs the WAL, so an accepted job survives power loss,
  // not only a process crash (NORMAL would only sync at checkpoints).
  // secure_delete=FAST: a dropped ciphertext is zeroed in its page.
  return db.Exec(
      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "PRAGMA secure_delete=FAST; PRAGMA journal_size_limit=67108864;");
}

absl::StatusOr<int> SchemaVersion(Db& db) {
  absl::Status s = db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
      "applied_time_ns INTEGER NOT NULL)");
  if (!s.ok()) return s;
  auto version =
      db.QueryText("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!version.ok()) return version.status();
  return std::stoi(*version);
}

// Applies every pending migration in one transaction: the file is either
// fully migrated or untouched.
absl::Status Migrate(Db& db, const std::string& path) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  auto current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  const int latest = std::size(kMigrations);
  if (*current > latest) {
    return absl::FailedPreconditionError(
        "store " + path + " has schema version " + std::to_string(*current) +
        ", newer than this resetd supports (" + std::to_string(latest) +
        "): run a newer resetd or restore a backup");
  }
  for (const SqliteMigration& m : kMigrations) {
    if (m.version <= *current) continue;
    absl::Status s = db.Exec(m.sql);
    if (!s.ok()) {
      return absl::InternalError("store " + path + ": migration " +
                                 std::to_string(m.version) +
                                 " failed: " + std::string(s.message()));
    }
    auto insert = db.Prepare(
        "INSERT INTO schema_migrations(version, description, applied_time_ns)"
        " VALUES(?1, ?2, ?3)");
    if (!insert.ok()) return insert.status();
    insert->BindInt(1, m.version).BindText(2, m.description);
    insert->BindInt(3, Nanos(absl::Now()));
    if (s = insert->Run(); !s.ok()) return s;
  }
  return tx.Commit();
}

class SqliteJobStore final : public JobStore {
 public:
  SqliteJobStore(std::unique_ptr<Db> db, std::shared_ptr<const Keyring> keys)
      : db_(std::move(db)),
        keyring_(std::move(keys)),
        terminal_(TerminalStatesSql()) {}

  absl::Status InsertJob(const StoredJob& job) override {
    std::optional<Keyring::Sealed> sealed;
    if (!job.password.empty()) {
      auto s = keyring_->Seal(job.password, job.job_id);
      if (!s.ok()) return s.status();
      sealed = *std::move(s);
    }
    absl::MutexLock lock(&mu_);
    Transaction tx(*db_);
    if (!tx.status().ok()) return tx.status();
    if (absl::Status s = InsertJobRow(job, sealed); !s.ok()) return s;
    for (const StoredInstance& i : job.instances) {
      if (absl::Status s = PutInstance(job.job_id, i); !s.ok()) return s;
      if (i.claim() != resetd::v1::CLAIM_STATE_HELD) continue;
      if (absl::Status s = InsertClaim(ClaimKeyOf(i), {job.job_id, i.index()});
          !s.ok()) {
        return s;
      }
    }
    return tx.Commit();
  }

  absl::StatusOr<std::vector<std::optional<ClaimHolder>>> FindClaims(
      absl::Span<const ClaimKey> keys) override {
    absl::MutexLock lock(&mu_);
    std::vector<std::optional<ClaimHolder>> out;
    for (const ClaimKey& key : keys) {
      auto holder = Holder(key);
      if (!holder.ok()) return holder.status();
      out.push_back(*std::move(holder));
    }
    return out;
  }

  absl::StatusOr<std::vector<std::optional<ClaimHolder>>> TakeClaims(
      absl::Span<const std::pair<ClaimKey, ClaimHolder>> claims) override {
    absl::MutexLock lock(&mu_);
    Transaction tx(*db_);
    if (!tx.status().ok()) return tx.status();
    std::vector<std::optional<ClaimHolder>> out;
    for (const auto& [key, claimant] : claims) {
      auto holder = Holder(key);
      if (!holder.ok()) return holder.status();
      if (!holder->has_value()) {
        absl::Status s = InsertClaim(key, claimant);
        if (!s.ok()) return s;
      }
      out.push_back(*holder && !(**holder == claimant) ? *holder
                                                       : std::nullopt);
    }
    if (absl::Status s = tx.Commit(); !s.ok()) return s;
    return out;
  }

  absl::StatusOr<StoredInstance> GetInstance(const std::string& job_id,
                                             int index) override {
    absl::MutexLock lock(&mu_);
    auto q = db_->Prepare(
        "SELECT record FROM instances WHERE job_id = ?1 AND idx = ?2");
    if (!q.ok()) return q.status();
    q->BindText(1, job_id).BindInt(2, index);
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      return absl::NotFoundError("no instance " + std::to_string(index) +
                                 " in job " + job_id);
    }
    StoredInstance i;
    if (!i.ParseFromString(q->Blob(0))) {
      return absl::DataLossError("job " + job_id +
                                 ": unreadable instance record");
    }
    return i;
  }

  absl::StatusOr<std::optional<StoredJob>> FindByRequestId(
      const std::string& request_id) override {
    absl::MutexLock lock(&mu_);
    auto jobs = SelectJobs(std::string("SELECT ") + kJobColumns +
                               " FROM jobs WHERE request_id = ?1",
                           [&](Statement& q) { q.BindText(1, request_id); });
    if (!jobs.ok()) return jobs.status();
    if (jobs->empty()) return std::optional<StoredJob>();
    return std::optional<StoredJob>(std::move(jobs->front().job));
  }

  absl::StatusOr<StoredJob> GetJob(const std::string& job_id,
                                   bool with_instances) override {
    absl::MutexLock lock(&mu_);
    auto jobs = SelectJobs(
        std::string("SELECT ") + kJobColumns + " FROM jobs WHERE job_id = ?1",
        [&](Statement& q) { q.BindText(1, job_id); });
    if (!jobs.ok()) return jobs.status();
    if (jobs->empty()) return absl::NotFoundError("no job " + job_id);
    StoredJob job = std::move(jobs->front().job);
    if (with_instances) {
      if (absl::Status s = LoadInstances(job); !s.ok()) return s;
    }
    return job;
  }

  absl::Status UpdateJob(const std::string& job_id, JobState state,
                         bool cancelled, absl::Time update_time,
                         bool clear_password) override {
    absl::MutexLock lock(&mu_);
    Transaction tx(*db_);
    if (!tx.status().ok()) return tx.status();
    auto q =
        db_->Prepare(std::string("UPDATE jobs SET state = ?2, cancelled = ?3, "
                                 "update_time_ns = ?4") +
                     (clear_password ? ", password_sealed = NULL" : "") +
                     " WHERE job_id = ?1");
    if (!q.ok()) return q.status();
    q->BindText(1, job_id).BindInt(2, state).BindInt(3, cancelled ? 1 : 0);
    q->BindInt(4, Nanos(update_time));
    if (absl::Status s = q->Run(); !s.ok()) return s;
    if (db_->Changes() == 0) return absl::NotFoundError("no job " + job_id);
    if (IsTerminal(state)) {
      auto release = db_->Prepare("DELETE FROM claims WHERE job_id = ?1");
      if (!release.ok()) return release.status();
      release->BindText(1, job_id);
      if (absl::Status s = release->Run(); !s.ok()) return s;
    }
    return tx.Commit();
  }

  absl::Status Write(absl::Span<const StepRecord> steps,
                     absl::Span<const StoredInstance> instances) override {
    absl::MutexLock lock(&mu_);
    Transaction tx(*db_);
    if (!tx.status().ok()) return tx.status();
    for (const StepRecord& step : steps) {
      if (absl::Status s = PutStep(step); !s.ok()) return s;
    }
    for (const StoredInstance& i : instances) {
      if (absl::Status s = PutInstance(i.job_id(), i); !s.ok()) return s;
      if (!i.done()) continue;
      if (absl::Status s = ReleaseClaim(i.job_id(), i.index()); !s.ok()) {
        return s;
      }
    }
    return tx.Commit();
  }

  absl::StatusOr<std::vector<StepRecord>> Steps(
      const std::string& job_id) override {
    absl::MutexLock lock(&mu_);
    auto q = db_->Prepare(
        "SELECT batch_id, action, instance_ids, time_ns, done, outcome, "
        "request_id FROM steps WHERE job_id = ?1 ORDER BY rowid");
    if (!q.ok()) return q.status();
    q->BindText(1, job_id);
    std::vector<StepRecord> out;
    while (true) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      auto step = ReadStep(job_id, *q);
      if (!step.ok()) return step.status();
      out.push_back(*std::move(step));
    }
  }

  absl::StatusOr<std::vector<StoredJob>> LoadUnfinished() override {
    absl::MutexLock lock(&mu_);
    auto rows = SelectJobs(std::string("SELECT ") + kJobColumns +
                               " FROM jobs WHERE state NOT IN " + terminal_ +
                               " ORDER BY create_time_ns, job_id",
                           [](Statement&) {});
    if (!rows.ok()) return rows.status();
    std::vector<StoredJob> out;
    for (JobRow& row : *rows) {
      if (absl::Status s = LoadInstances(row.job); !s.ok()) return s;
      // A password that cannot be opened (its key is gone) must not stop
      // the other jobs, nor this job's instances from getting their power
      // state back: the engine fails their resets and restores power.
      row.job.password_status = OpenPassword(row);
      out.push_back(std::move(row.job));
    }
    return out;
  }

  absl::StatusOr<std::vector<StoredJob>> ListJobs(
      const JobFilter& filter) override {
    if (filter.limit <= 0) return std::vector<StoredJob>();
    std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs";
    std::vector<int64_t> args;
    std::string where;
    for (JobState s : filter.states) {
      where += (where.empty() ? "state IN (?" : ", ?") +
               std::to_string(args.size() + 1);
      args.push_back(s);
    }
    if (!where.empty()) where += ")";
    AddTimeBound(filter.created_after, " >= ", where, args);
    AddTimeBound(filter.created_before, " < ", where, args);
    if (!where.empty()) sql += " WHERE " + where;
    sql += " ORDER BY create_time_ns DESC, job_id DESC LIMIT ?" +
           std::to_string(args.size() + 1) + " OFFSET ?" +
           std::to_string(args.size() + 2);
    args.push_back(filter.limit);
    args.push_back(std::max(0, filter.offset));
    absl::MutexLock lock(&mu_);
    auto rows = SelectJobs(sql, [&](Statement& q) {
      for (size_t i = 0; i < args.size(); ++i) q.BindInt(i + 1, args[i]);
    });
    if (!rows.ok()) return rows.status();
    std::vector<StoredJob> out;
    for (JobRow& row : *rows) out.push_back(std::move(row.job));
    return out;
  }

  absl::StatusOr<int> PruneEnded(absl::Time cutoff) override {
    absl::MutexLock lock(&mu_);
    Transaction tx(*db_);
    if (!tx.status().ok()) return tx.status();
    // Instances and steps go with their job (ON DELETE CASCADE).
    auto q = db_->Prepare("DELETE FROM jobs WHERE state IN " + terminal_ +
                          " AND update_time_ns < ?1");
    if (!q.ok()) return q.status();
    q->BindInt(1, Nanos(cutoff));
    if (absl::Status s = q->Run(); !s.ok()) return s;
    const int pruned = db_->Changes();
    if (absl::Status s = tx.Commit(); !s.ok()) return s;
    return pruned;
  }

 private:
  // A job as read, with its sealed password kept aside.
  struct JobRow {
    StoredJob job;
    std::string key_id;
    std::optional<std::string> sealed;
  };

  static void AddTimeBound(const std::optional<absl::Time>& t, const char* op,
                           std::string& where, std::vector<int64_t>& args) {
    if (!t) return;
    where += (where.empty() ? "" : " AND ") + std::string("create_time_ns") +
             op + "?" + std::to_string(args.size() + 1);
    args.push_back(Nanos(*t));
  }

  absl::Status InsertJobRow(const StoredJob& job,
                            const std::optional<Keyring::Sealed>& sealed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto q = db_->Prepare(
        "INSERT INTO jobs(job_id, request_id, fingerprint, spec, "
        "password_key_id, password_sealed, state, cancelled, create_time_ns, "
        "update_time_ns) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
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
    absl::Status s = q->Run();
    if (!s.ok() && (IsConstraint(*q, SQLITE_CONSTRAINT_PRIMARYKEY) ||
                    IsConstraint(*q, SQLITE_CONSTRAINT_UNIQUE))) {
      return absl::AlreadyExistsError("job id " + job.job_id +
                                      " or request id already stored");
    }
    return s;
  }

  // The spec is documented to come without a password; make sure no
  // plaintext reaches the file even if one slipped through.
  static std::string SpecWithoutPassword(
      const resetd::v1::CreateResetJobRequest& spec) {
    if (spec.password().empty()) return Serialize(spec);
    resetd::v1::CreateResetJobRequest copy = spec;
    WipeString(*copy.mutable_password());
    return Serialize(copy);
  }

  absl::Status PutInstance(const std::string& job_id, const StoredInstance& i)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto q = db_->Prepare(
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

  absl::StatusOr<std::optional<ClaimHolder>> Holder(const ClaimKey& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto q = db_->Prepare(
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

  // kAborted when the key is held (by anyone), kNotFound without the job.
  absl::Status InsertClaim(const ClaimKey& key, const ClaimHolder& holder)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto q = db_->Prepare(
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

  absl::Status ReleaseClaim(const std::string& job_id, int index)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto q = db_->Prepare("DELETE FROM claims WHERE job_id = ?1 AND idx = ?2");
    if (!q.ok()) return q.status();
    q->BindText(1, job_id).BindInt(2, index);
    return q->Run();
  }

  absl::Status PutStep(const StepRecord& step)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto q = db_->Prepare(
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

  static absl::StatusOr<StepRecord> ReadStep(const std::string& job_id,
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

  // Runs `sql` (selecting kJobColumns) with `bind` applied; every row read.
  template <typename BindFn>
  absl::StatusOr<std::vector<JobRow>> SelectJobs(const std::string& sql,
                                                 BindFn bind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto q = db_->Prepare(sql);
    if (!q.ok()) return q.status();
    bind(*q);
    std::vector<JobRow> out;
    while (true) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      auto job = ReadJobRow(*q);
      if (!job.ok()) return job.status();
      out.push_back(*std::move(job));
    }
  }

  static absl::StatusOr<JobRow> ReadJobRow(const Statement& q) {
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
    return row;
  }

  absl::Status LoadInstances(StoredJob& job)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto q = db_->Prepare(
        "SELECT record FROM instances WHERE job_id = ?1 ORDER BY idx");
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

  absl::Status OpenPassword(JobRow& row) const {
    if (!row.sealed) return absl::OkStatus();
    if (!keyring_->Has(row.key_id)) {
      return absl::DataLossError("password of job " + row.job.job_id +
                                 " was encrypted with key '" + row.key_id +
                                 "', which is not configured");
    }
    auto password = keyring_->Open(row.key_id, *row.sealed, row.job.job_id);
    if (!password.ok()) {
      return absl::DataLossError(
          "password of job " + row.job.job_id + " (key '" + row.key_id +
          "'): " + std::string(password.status().message()));
    }
    row.job.password = *std::move(password);
    return absl::OkStatus();
  }

  absl::Mutex mu_;
  const std::unique_ptr<Db> db_ ABSL_PT_GUARDED_BY(mu_);
  const std::shared_ptr<const Keyring> keyring_;
  const std::string terminal_;  // "(6, 7, ...)"
};

}  // namespace

namespace internal {
absl::Span<const SqliteMigration> SqliteMigrations() { return kMigrations; }
}  // namespace internal

absl::StatusOr<std::unique_ptr<JobStore>> NewSqliteJobStore(
    const std::string& path, std::shared_ptr<const Keyring> keyring) {
  if (keyring == nullptr) {
    return absl::InvalidArgumentError("sqlite store: no keyring");
  }
  // Created owner-only before SQLite opens it (its -wal file copies the
  // mode): ciphertexts and fingerprints are nobody else's business.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      fd >= 0) {
    ::close(fd);
  }
  auto db = Db::Open(path);
  if (!db.ok()) return db.status();
  if (absl::Status s = ApplyPragmas(**db, path); !s.ok()) return s;
  if (absl::Status s = Migrate(**db, path); !s.ok()) return s;
  return std::unique_ptr<JobStore>(
      std::make_unique<SqliteJobStore>(*std::move(db), std::move(keyring)));
}

}  // namespace resetd::workflow
