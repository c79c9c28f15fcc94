// What only the durable store must do: survive close/reopen, migrate old
// files, refuse newer ones, keep passwords sealed under rotating keys, and
// never let a password's plaintext reach the file or its WAL.
#include "workflow/sqlite_job_store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/workflow/job_store_test_util.h"

namespace resetd::workflow {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeInstance;
using testing::MakeJob;
using testing::MakeStep;
using testing::T;

const std::string kKeyA(32, 'A');
const std::string kKeyB(32, 'B');

std::shared_ptr<const Keyring> Ring(
    std::vector<std::pair<std::string, std::string>> keys) {
  std::vector<std::pair<std::string, Secret>> secrets;
  for (auto& [id, bytes] : keys) secrets.emplace_back(id, Secret(bytes));
  auto ring = Keyring::Create(std::move(secrets));
  EXPECT_TRUE(ring.ok()) << ring.status();
  return std::make_shared<const Keyring>(*std::move(ring));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

// A raw connection, for looking at or preparing files behind the store's
// back (only while no store has the file open).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error),
              SQLITE_OK)
        << (error ? error : "") << " in " << sql;
    sqlite3_free(error);
  }
  // Every row's first column, as text ("NULL" for NULL).
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db_);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      out.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    sqlite3_finalize(stmt);
    return out;
  }
  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteJobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The pid keeps concurrent runs (other build trees) apart.
    path_ = ::testing::TempDir() + "/sqlite_store_" +
            std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() +
            ".db";
    RemoveFiles();
  }
  void TearDown() override { RemoveFiles(); }

  void RemoveFiles() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::remove((path_ + suffix).c_str());
    }
  }

  std::unique_ptr<JobStore> Open(std::shared_ptr<const Keyring> ring) {
    auto store = NewSqliteJobStore(path_, std::move(ring));
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::string path_;
};

TEST_F(SqliteJobStoreTest, EverythingSurvivesCloseAndReopen) {
  StoredJob job = MakeJob("j1", 0, 3);
  {
    auto store = Open(Ring({{"a", kKeyA}}));
    ASSERT_TRUE(store->InsertJob(job).ok());
    ASSERT_TRUE(store->InsertJob(MakeJob("j2", 1)).ok());
    auto moved = MakeInstance("j1", 2);
    moved.set_held_stopped(true);
    ASSERT_TRUE(store->Write({MakeStep("j1", "b1", "Stop", 1)}, {moved}).ok());
    ASSERT_TRUE(store
                    ->UpdateJob("j2", resetd::v1::JOB_STATE_SUCCEEDED, false,
                                T(5), true)
                    .ok());
  }
  // A new process: a new keyring object built from the same key.
  auto store = Open(Ring({{"a", kKeyA}}));
  auto unfinished = store->LoadUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status();
  ASSERT_EQ(unfinished->size(), 1u);
  const StoredJob& got = unfinished->front();
  EXPECT_EQ(got.job_id, "j1");
  EXPECT_EQ(got.password.Reveal(), "Pa55w0rd-of-j1");
  EXPECT_EQ(got.fingerprint, job.fingerprint);
  ASSERT_EQ(got.instances.size(), 3u);
  EXPECT_TRUE(got.instances[2].held_stopped());
  auto steps = store->Steps("j1");
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_FALSE(steps->front().done);
  auto ended = store->FindByRequestId("req-j2");
  ASSERT_TRUE(ended.ok() && ended->has_value());
  EXPECT_EQ((*ended)->state, resetd::v1::JOB_STATE_SUCCEEDED);
}

TEST_F(SqliteJobStoreTest, UsesWalWithFullSyncAndForeignKeys) {
  {
    auto store = Open(Ring({{"a", kKeyA}}));
    ASSERT_TRUE(store->InsertJob(MakeJob("j1", 0)).ok());
    EXPECT_TRUE(Exists(path_ + "-wal"));
    // The steps of a job that does not exist are refused (foreign keys on).
    EXPECT_EQ(store->Write({MakeStep("ghost", "b", "Stop", 0)}, {}).code(),
              absl::StatusCode::kNotFound);
  }
  RawDb raw(path_);
  EXPECT_THAT(raw.Column("PRAGMA journal_mode"), ElementsAre("wal"));
}

TEST_F(SqliteJobStoreTest, NewFileIsOwnerOnly) {
  auto store = Open(Ring({{"a", kKeyA}}));
  ASSERT_TRUE(store->InsertJob(MakeJob("j1", 0)).ok());
  for (const std::string& file : {path_, path_ + "-wal"}) {
    struct stat st;
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0077, 0u) << file;
  }
}

TEST_F(SqliteJobStoreTest, SecondStoreOnTheSameFileIsRefused) {
  auto first = Open(Ring({{"a", kKeyA}}));
  ASSERT_TRUE(first->InsertJob(MakeJob("j1", 0)).ok());
  auto second = NewSqliteJobStore(path_, Ring({{"a", kKeyA}}));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("in use by another process"));
  // The first store is unaffected.
  EXPECT_TRUE(first->InsertJob(MakeJob("j2", 0)).ok());
}

TEST_F(SqliteJobStoreTest, FreshFileHasEveryMigrationRecorded) {
  Open(Ring({{"a", kKeyA}})).reset();
  RawDb raw(path_);
  std::vector<std::string> want;
  for (const auto& m : internal::SqliteMigrations()) {
    want.push_back(std::to_string(m.version));
  }
  EXPECT_EQ(raw.Column("SELECT version FROM schema_migrations ORDER BY 1"),
            want);
  EXPECT_THAT(raw.Column("SELECT name FROM sqlite_master WHERE type='table' "
                         "ORDER BY name"),
              ElementsAre("claims", "instances", "job_targets", "jobs",
                          "schema_migrations", "steps"));
}

TEST_F(SqliteJobStoreTest, OldVersionFileIsMigratedWithItsData) {
  auto ring = Ring({{"a", kKeyA}});
  const auto migrations = internal::SqliteMigrations();
  ASSERT_GE(migrations.size(), 2u);
  {
    // A file as version 1 left it, with one unfinished job.
    RawDb raw(path_);
    raw.Exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
        "description TEXT NOT NULL, applied_time_ns INTEGER NOT NULL)");
    raw.Exec(migrations[0].sql);
    raw.Exec("INSERT INTO schema_migrations VALUES(1, 'v1', 0)");
    auto sealed = ring->Seal(Secret("v1-password"), "old-job");
    ASSERT_TRUE(sealed.ok());
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw.get(),
                                 "INSERT INTO jobs VALUES('old-job', 'req-old',"
                                 " x'00', ?1, 'a', ?2, 2, 0, 5, 6)",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    const std::string spec = MakeJob("old-job", 0).spec.SerializeAsString();
    sqlite3_bind_blob(stmt, 1, spec.data(), spec.size(), SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 2, sealed->sealed.data(), sealed->sealed.size(),
                      SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
  }
  {
    auto store = Open(ring);
    ASSERT_NE(store, nullptr);
    auto unfinished = store->LoadUnfinished();
    ASSERT_TRUE(unfinished.ok()) << unfinished.status();
    ASSERT_EQ(unfinished->size(), 1u);
    EXPECT_EQ(unfinished->front().job_id, "old-job");
    EXPECT_EQ(unfinished->front().password.Reveal(), "v1-password");
    EXPECT_EQ(unfinished->front().create_time, absl::FromUnixNanos(5));
    EXPECT_EQ(unfinished->front().creator, "");
    // Migration 4 backfilled the old job's targets for the scope filter.
    JobFilter in_scope;
    in_scope.scope = std::vector<ScopeGrant>{{{"tencent"}, {"ap-guangzhou"}}};
    auto listed = store->ListJobs(in_scope);
    ASSERT_TRUE(listed.ok()) << listed.status();
    EXPECT_EQ(listed->size(), 1u);
    JobFilter out_of_scope;
    out_of_scope.scope = std::vector<ScopeGrant>{{{"aliyun"}, {}}};
    EXPECT_TRUE(store->ListJobs(out_of_scope)->empty());
  }
  RawDb raw(path_);
  EXPECT_EQ(
      raw.Column("SELECT MAX(version) FROM schema_migrations"),
      std::vector<std::string>{std::to_string(migrations.back().version)});
  EXPECT_THAT(raw.Column("SELECT name FROM sqlite_master WHERE type='index' "
                         "AND name LIKE 'jobs_by_%' ORDER BY name"),
              ElementsAre("jobs_by_created", "jobs_by_creator_created",
                          "jobs_by_state_created"));
}

TEST_F(SqliteJobStoreTest, FileFromANewerVersionIsRefused) {
  Open(Ring({{"a", kKeyA}})).reset();
  {
    RawDb raw(path_);
    raw.Exec("INSERT INTO schema_migrations VALUES(99, 'from the future', 0)");
  }
  auto store = NewSqliteJobStore(path_, Ring({{"a", kKeyA}}));
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(store.status().message()),
              HasSubstr("schema version 99, newer than this resetd supports"));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(path_));
}

TEST_F(SqliteJobStoreTest, PasswordIsSealedUnderCurrentKeyAndDroppedAtEnd) {
  auto store = Open(Ring({{"a", kKeyA}}));
  ASSERT_TRUE(store->InsertJob(MakeJob("j1", 0)).ok());
  store.reset();
  {
    RawDb raw(path_);
    EXPECT_THAT(raw.Column("SELECT password_key_id FROM jobs"),
                ElementsAre("a"));
    EXPECT_THAT(raw.Column("SELECT length(password_sealed) FROM jobs"),
                ElementsAre(std::to_string(12 + 14 + 16)));
  }
  store = Open(Ring({{"a", kKeyA}}));
  ASSERT_TRUE(store
                  ->UpdateJob("j1", resetd::v1::JOB_STATE_SUCCEEDED, false,
                              T(1), /*clear_password=*/true)
                  .ok());
  store.reset();
  RawDb raw(path_);
  EXPECT_THAT(raw.Column("SELECT password_sealed IS NULL FROM jobs"),
              ElementsAre("1"));
}

TEST_F(SqliteJobStoreTest, RotatedKeyringOpensOldJobsAndSealsWithNewKey) {
  ASSERT_TRUE(
      Open(Ring({{"A", kKeyA}}))->InsertJob(MakeJob("under-a", 0)).ok());
  {
    auto store = Open(Ring({{"B", kKeyB}, {"A", kKeyA}}));
    ASSERT_TRUE(store->InsertJob(MakeJob("under-b", 1)).ok());
    auto unfinished = store->LoadUnfinished();
    ASSERT_TRUE(unfinished.ok()) << unfinished.status();
    ASSERT_EQ(unfinished->size(), 2u);
    EXPECT_EQ((*unfinished)[0].password.Reveal(), "Pa55w0rd-of-under-a");
    EXPECT_EQ((*unfinished)[1].password.Reveal(), "Pa55w0rd-of-under-b");
  }
  RawDb raw(path_);
  EXPECT_THAT(raw.Column("SELECT password_key_id FROM jobs ORDER BY job_id"),
              ElementsAre("A", "B"));
}

TEST_F(SqliteJobStoreTest, MissingKeyLeavesPasswordOutNamingJobAndKey) {
  ASSERT_TRUE(Open(Ring({{"old", kKeyA}}))->InsertJob(MakeJob("j1", 0)).ok());
  auto store = Open(Ring({{"new", kKeyB}}));
  auto unfinished = store->LoadUnfinished();
  // The job still loads (its instances must get their power state back);
  // only its password is missing, with the reason.
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  const StoredJob& j = unfinished->front();
  EXPECT_TRUE(j.password.empty());
  EXPECT_EQ(j.password_status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(j.password_status.message(),
            "password of job j1 was encrypted with key 'old', which is not "
            "configured");
  EXPECT_FALSE(j.instances.empty());
  // Reading without the password still works.
  EXPECT_TRUE(store->GetJob("j1", true).ok());
}

TEST_F(SqliteJobStoreTest, WrongKeyBytesLeavePasswordOutAsDataLoss) {
  ASSERT_TRUE(Open(Ring({{"k", kKeyA}}))->InsertJob(MakeJob("j1", 0)).ok());
  auto unfinished = Open(Ring({{"k", kKeyB}}))->LoadUnfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  const absl::Status& s = unfinished->front().password_status;
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("password of job j1 (key 'k')"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("wrong key or corrupted data"));
  EXPECT_TRUE(unfinished->front().password.empty());
}

TEST_F(SqliteJobStoreTest, CorruptRecordIsDataLoss) {
  ASSERT_TRUE(Open(Ring({{"k", kKeyA}}))->InsertJob(MakeJob("j1", 0)).ok());
  {
    RawDb raw(path_);
    raw.Exec("UPDATE instances SET record = x'ffffffff' WHERE idx = 1");
  }
  auto job = Open(Ring({{"k", kKeyA}}))->GetJob("j1", true);
  EXPECT_EQ(job.status().code(), absl::StatusCode::kDataLoss);
}

// Little- and big-endian UTF-16 of an ASCII string.
std::vector<std::string> Utf16Forms(const std::string& ascii) {
  std::string le, be;
  for (char c : ascii) {
    le += c;
    le += '\0';
    be += '\0';
    be += c;
  }
  return {le, be};
}

void ExpectNoPlaintext(const std::string& file, const std::string& password,
                       const std::string& when) {
  const std::string bytes = ReadFile(file);
  SCOPED_TRACE(file + " (" + std::to_string(bytes.size()) + " bytes) " + when);
  EXPECT_EQ(bytes.find(password), std::string::npos);
  for (const std::string& form : Utf16Forms(password)) {
    EXPECT_EQ(bytes.find(form), std::string::npos);
  }
}

TEST_F(SqliteJobStoreTest, PlaintextPasswordNeverReachesTheFileOrItsWal) {
  const std::string password = "Zq7!plaintext-canary-93xK";
  const std::string marker = "ins-100000";  // proves the scan sees content
  auto store = Open(Ring({{"a", kKeyA}}));
  StoredJob job = MakeJob("j1", 0, 2, "");
  job.password = Secret(password);
  ASSERT_TRUE(store->InsertJob(job).ok());
  // Even a spec carrying the password by mistake stores no plaintext.
  StoredJob careless = MakeJob("j2", 0, 2, "");
  careless.password = Secret(password);
  careless.spec.set_password(password);
  ASSERT_TRUE(store->InsertJob(careless).ok());
  ASSERT_TRUE(Exists(path_ + "-wal"));
  EXPECT_NE(ReadFile(path_ + "-wal").find(marker), std::string::npos);
  ExpectNoPlaintext(path_, password, "after inserts");
  ExpectNoPlaintext(path_ + "-wal", password, "after inserts");
  // Enough pages to pass the WAL's auto-checkpoint (1000 pages).
  for (const char* id : {"big1", "big2", "big3"}) {
    StoredJob big = MakeJob(id, 1, 20000, "");
    big.password = Secret(password);
    ASSERT_TRUE(store->InsertJob(big).ok());
  }
  ASSERT_TRUE(store->InsertJob(MakeJob("after", 2)).ok());
  EXPECT_NE(ReadFile(path_).find(marker), std::string::npos);
  ExpectNoPlaintext(path_, password, "after a checkpoint");
  ExpectNoPlaintext(path_ + "-wal", password, "after a checkpoint");
  ASSERT_TRUE(
      store->UpdateJob("j1", resetd::v1::JOB_STATE_SUCCEEDED, false, T(9), true)
          .ok());
  store.reset();  // the last close checkpoints everything into the file
  ExpectNoPlaintext(path_, password, "after close");
  if (Exists(path_ + "-wal")) {
    ExpectNoPlaintext(path_ + "-wal", password, "after close");
  }
  // The sealed password still opens: the scan looked at real data.
  auto unfinished = Open(Ring({{"a", kKeyA}}))->LoadUnfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 5u);
  EXPECT_EQ((*unfinished)[0].password.Reveal(), password);
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Not a unit test of behaviour: prints the figures the store is sized by.
TEST_F(SqliteJobStoreTest, PerformanceFigures) {
  using Clock = std::chrono::steady_clock;
  auto store = Open(Ring({{"a", kKeyA}}));
  StoredJob big = MakeJob("big", 0, 20000);
  std::vector<ClaimKey> keys;
  for (auto& i : big.instances) {  // claimed, as the engine stores jobs
    i.set_claim_scope("tencent:key:1");
    i.set_claim(resetd::v1::CLAIM_STATE_HELD);
    keys.push_back(ClaimKeyOf(i));
  }
  auto start = Clock::now();
  ASSERT_TRUE(store->InsertJob(big).ok());
  const double insert_ms = Ms(Clock::now() - start);
  start = Clock::now();
  auto holders = store->FindClaims(keys);
  const double find_claims_ms = Ms(Clock::now() - start);
  ASSERT_TRUE(holders.ok());
  ASSERT_EQ(holders->back(), (ClaimHolder{"big", 19999}));

  constexpr int kWrites = 50;
  start = Clock::now();
  for (int w = 0; w < kWrites; ++w) {
    std::vector<resetd::v1::StoredInstance> rows;
    StepRecord step = MakeStep("big", "b" + std::to_string(w), "Stop", w);
    step.instance_ids.clear();
    for (int i = 0; i < 100; ++i) {
      rows.push_back(MakeInstance("big", w * 100 + i));
      rows.back().set_reset_sent(true);
      step.instance_ids.push_back(rows.back().instance_id());
    }
    ASSERT_TRUE(store->Write({step}, rows).ok());
  }
  const double write_ms = Ms(Clock::now() - start) / kWrites;

  constexpr int kCommits = 50;
  start = Clock::now();
  for (int i = 0; i < kCommits; ++i) {
    ASSERT_TRUE(
        store->Write({MakeStep("big", "c" + std::to_string(i), "Start", i)}, {})
            .ok());
  }
  const double commit_ms = Ms(Clock::now() - start) / kCommits;

  start = Clock::now();
  auto loaded = store->LoadUnfinished();
  const double load_ms = Ms(Clock::now() - start);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->front().instances.size(), 20000u);

  std::cout << "[ figures  ] InsertJob, 20000 instances (with claims): "
            << insert_ms << " ms\n"
            << "[ figures  ] FindClaims, 20000 keys: " << find_claims_ms
            << " ms\n"
            << "[ figures  ] Write, 1 step + 100 instance rows: " << write_ms
            << " ms (mean of " << kWrites << ")\n"
            << "[ figures  ] Write, 1 step (commit latency, synchronous=FULL):"
            << " " << commit_ms << " ms (mean of " << kCommits << ")\n"
            << "[ figures  ] LoadUnfinished, 20000 instances: " << load_ms
            << " ms\n";
  RecordProperty("insert_20000_ms", std::to_string(insert_ms));
  RecordProperty("write_100_ms", std::to_string(write_ms));
  RecordProperty("commit_ms", std::to_string(commit_ms));
  // Generous bounds: a regression by an order of magnitude fails.
  EXPECT_LT(insert_ms, 5000);
  EXPECT_LT(write_ms, 500);
}

// The price of synchronous=FULL over NORMAL in WAL mode, on this disk: one
// small transaction per commit, as the engine writes steps.
TEST_F(SqliteJobStoreTest, FsyncCostOfFullOverNormal) {
  using Clock = std::chrono::steady_clock;
  const std::string blob(200, 'x');
  for (const char* mode : {"NORMAL", "FULL"}) {
    RemoveFiles();
    RawDb raw(path_);
    raw.Exec(std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") +
             mode + "; CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw.get(), "INSERT INTO t(v) VALUES(?1)", -1,
                                 &stmt, nullptr),
              SQLITE_OK);
    constexpr int kCommits = 100;
    const auto start = Clock::now();
    for (int i = 0; i < kCommits; ++i) {
      sqlite3_bind_blob(stmt, 1, blob.data(), blob.size(), SQLITE_STATIC);
      ASSERT_EQ(sqlite3_step(stmt), SQLITE_DONE);
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    std::cout << "[ figures  ] WAL synchronous=" << mode << ": "
              << Ms(Clock::now() - start) / kCommits << " ms per commit\n";
  }
}

}  // namespace
}  // namespace resetd::workflow
