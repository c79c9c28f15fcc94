#include "workflow/sqlite_schema.h"

#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "workflow/sqlite_job_store.h"
#include "workflow/sqlite_records.h"

namespace resetd::workflow {
namespace {

using internal::SqliteMigration;
using sqlite::Db;
using sqlite::Transaction;

// Migration 4: the targets of jobs stored before job_targets existed.
absl::Status BackfillJobTargets(Db& db) {
  std::vector<std::pair<std::string, std::string>> jobs;  // id, spec
  {
    auto q = db.Prepare("SELECT job_id, spec FROM jobs");
    if (!q.ok()) return q.status();
    while (true) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      jobs.emplace_back(q->Text(0), q->Blob(1));
    }
  }
  for (const auto& [job_id, blob] : jobs) {
    resetd::v1::CreateResetJobRequest spec;
    if (!spec.ParseFromString(blob)) {
      return absl::DataLossError("job " + job_id + ": unreadable spec");
    }
    if (absl::Status s = sqlite::PutJobTargets(db, job_id, spec); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

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
    {4, "job creators and targets: authorization and List filters", R"sql(
ALTER TABLE jobs ADD COLUMN creator TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_by_creator_created ON jobs(creator, create_time_ns);
-- The distinct (provider, region) pairs of each job's targets.
CREATE TABLE job_targets (
  job_id   TEXT NOT NULL REFERENCES jobs(job_id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  region   TEXT NOT NULL,
  PRIMARY KEY (job_id, provider, region)
) WITHOUT ROWID;
)sql", BackfillJobTargets},
};

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
    if (s.ok() && m.backfill != nullptr) s = m.backfill(db);
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
    insert->BindInt(3, absl::ToUnixNanos(absl::Now()));
    if (s = insert->Run(); !s.ok()) return s;
  }
  return tx.Commit();
}

}  // namespace

namespace internal {
absl::Span<const SqliteMigration> SqliteMigrations() { return kMigrations; }
}  // namespace internal

absl::Status PrepareSqliteSchema(Db& db, const std::string& path) {
  if (absl::Status s = ApplyPragmas(db, path); !s.ok()) return s;
  return Migrate(db, path);
}

}  // namespace resetd::workflow
