#include "workflow/sqlite_job_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "workflow/sqlite_db.h"
#include "workflow/sqlite_list_query.h"
#include "workflow/sqlite_records.h"
#include "workflow/sqlite_schema.h"

namespace resetd::workflow {
namespace {

using resetd::v1::JobState;
using resetd::v1::StoredInstance;
using sqlite::Db;
using sqlite::JobRow;
using sqlite::kJobColumns;
using sqlite::Nanos;
using sqlite::Statement;
using sqlite::Transaction;

class SqliteJobStore final : public JobStore {
 public:
  SqliteJobStore(std::unique_ptr<Db> db, std::shared_ptr<const Keyring> keys)
      : db_(std::move(db)),
        keyring_(std::move(keys)),
        terminal_(sqlite::TerminalStatesSql()) {}

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
    if (absl::Status s = sqlite::InsertJobRow(*db_, job, sealed); !s.ok())
      return s;
    for (const StoredInstance& i : job.instances) {
      if (absl::Status s = sqlite::PutInstance(*db_, job.job_id, i); !s.ok())
        return s;
      if (i.claim() != resetd::v1::CLAIM_STATE_HELD) continue;
      if (absl::Status s =
              sqlite::InsertClaim(*db_, ClaimKeyOf(i), {job.job_id, i.index()});
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
      auto holder = sqlite::FindClaimHolder(*db_, key);
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
      auto holder = sqlite::FindClaimHolder(*db_, key);
      if (!holder.ok()) return holder.status();
      if (!holder->has_value()) {
        absl::Status s = sqlite::InsertClaim(*db_, key, claimant);
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

  absl::Status ScanInstances(
      const std::string& job_id, int from_index,
      const std::function<bool(const StoredInstance&)>& visit) override {
    absl::MutexLock lock(&mu_);
    auto job = db_->Prepare("SELECT 1 FROM jobs WHERE job_id = ?1");
    if (!job.ok()) return job.status();
    job->BindText(1, job_id);
    auto found = job->Step();
    if (!found.ok()) return found.status();
    if (!*found) return absl::NotFoundError("no job " + job_id);
    auto q = db_->Prepare(
        "SELECT record FROM instances WHERE job_id = ?1 AND idx >= ?2 "
        "ORDER BY idx");
    if (!q.ok()) return q.status();
    q->BindText(1, job_id).BindInt(2, from_index);
    StoredInstance i;
    while (true) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      if (!i.ParseFromString(q->Blob(0))) {
        return absl::DataLossError("job " + job_id +
                                   ": unreadable instance record");
      }
      if (!visit(i)) return absl::OkStatus();
    }
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
      if (absl::Status s = sqlite::LoadInstances(*db_, job); !s.ok()) return s;
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
      if (absl::Status s = sqlite::PutStep(*db_, step); !s.ok()) return s;
    }
    for (const StoredInstance& i : instances) {
      if (absl::Status s = sqlite::PutInstance(*db_, i.job_id(), i); !s.ok())
        return s;
      if (!i.done()) continue;
      if (absl::Status s = sqlite::ReleaseClaim(*db_, i.job_id(), i.index());
          !s.ok()) {
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
      auto step = sqlite::ReadStep(job_id, *q);
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
      if (absl::Status s = sqlite::LoadInstances(*db_, row.job); !s.ok())
        return s;
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
    const sqlite::JobQuery query = sqlite::ListJobsQuery(filter);
    absl::MutexLock lock(&mu_);
    auto rows =
        SelectJobs(query.sql, [&](Statement& q) { query.Bind(q); });
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
      auto job = sqlite::ReadJobRow(*q);
      if (!job.ok()) return job.status();
      out.push_back(*std::move(job));
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
  if (absl::Status s = PrepareSqliteSchema(**db, path); !s.ok()) return s;
  return std::unique_ptr<JobStore>(
      std::make_unique<SqliteJobStore>(*std::move(db), std::move(keyring)));
}

}  // namespace resetd::workflow
