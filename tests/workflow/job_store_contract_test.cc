// The JobStore contract, run against every implementation: whatever the
// engine relies on must hold for the in-memory store and the SQLite store
// alike.
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/workflow/job_store_test_util.h"
#include "workflow/job_store.h"
#include "workflow/keyring.h"
#include "workflow/sqlite_job_store.h"

namespace resetd::workflow {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using resetd::v1::JobState;
using ::testing::ElementsAre;
using testing::MakeInstance;
using testing::MakeJob;
using testing::MakeStep;
using testing::T;

struct StoreKind {
  std::string name;
  std::function<std::unique_ptr<JobStore>(const std::string& path)> make;
  // Opens what `make` left at `path` again; empty for a store that keeps
  // nothing across a restart.
  std::function<std::unique_ptr<JobStore>(const std::string& path)> reopen;
};

std::unique_ptr<JobStore> OpenSqlite(const std::string& path) {
  static const auto* keyring =
      new std::shared_ptr<const Keyring>(std::make_shared<const Keyring>(
          Keyring::Ephemeral()));
  auto store = NewSqliteJobStore(path, *keyring);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

std::unique_ptr<JobStore> MakeSqlite(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  return OpenSqlite(path);
}

std::vector<StoreKind> AllStores() {
  return {StoreKind{"InMemory",
                    [](const std::string&) { return NewInMemoryJobStore(); }},
          StoreKind{"Sqlite", MakeSqlite, OpenSqlite}};
}

std::string StoreName(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param.name;
}

class JobStoreContractTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info->name();
    for (char& c : name) c = std::isalnum(c) ? c : '_';
    // The pid keeps concurrent runs (other build trees) apart.
    path_ = ::testing::TempDir() + "/contract_" + std::to_string(::getpid()) +
            "_" + name + ".db";
    store_ = GetParam().make(path_);
    ASSERT_NE(store_, nullptr);
  }

  void Insert(const StoredJob& job) {
    ASSERT_TRUE(store_->InsertJob(job).ok());
  }

  std::vector<std::string> Ids(const std::vector<StoredJob>& jobs) {
    std::vector<std::string> ids;
    for (const auto& j : jobs) ids.push_back(j.job_id);
    return ids;
  }

  std::vector<std::string> List(const JobFilter& filter) {
    auto jobs = store_->ListJobs(filter);
    EXPECT_TRUE(jobs.ok()) << jobs.status();
    return jobs.ok() ? Ids(*jobs) : std::vector<std::string>{};
  }

  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((path_ + suffix).c_str());
    }
  }

  std::string path_;
  std::unique_ptr<JobStore> store_;
};

void ExpectSameJob(const StoredJob& got, const StoredJob& want) {
  EXPECT_EQ(got.job_id, want.job_id);
  EXPECT_EQ(got.request_id, want.request_id);
  EXPECT_EQ(got.fingerprint, want.fingerprint);
  EXPECT_EQ(got.creator, want.creator);
  EXPECT_TRUE(MessageDifferencer::Equals(got.spec, want.spec));
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.cancelled, want.cancelled);
  EXPECT_EQ(got.create_time, want.create_time);
  EXPECT_EQ(got.update_time, want.update_time);
}

void ExpectSameInstances(const StoredJob& got, const StoredJob& want) {
  ASSERT_EQ(got.instances.size(), want.instances.size());
  for (size_t i = 0; i < got.instances.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(got.instances[i], want.instances[i]))
        << got.instances[i].DebugString();
  }
}

TEST_P(JobStoreContractTest, InsertedJobReadsBackWithoutPassword) {
  StoredJob job = MakeJob("j1", 0, 3);
  job.state = resetd::v1::JOB_STATE_RUNNING;
  job.cancelled = true;
  job.update_time = T(5) + absl::Nanoseconds(7);
  Insert(job);
  auto bare = store_->GetJob("j1", /*with_instances=*/false);
  ASSERT_TRUE(bare.ok()) << bare.status();
  ExpectSameJob(*bare, job);
  EXPECT_TRUE(bare->password.empty());
  EXPECT_TRUE(bare->instances.empty());
  auto full = store_->GetJob("j1", /*with_instances=*/true);
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(full->password.empty());
  ExpectSameInstances(*full, job);
}

TEST_P(JobStoreContractTest, InstancesComeBackInIndexOrder) {
  StoredJob job = MakeJob("j1", 0, 0);
  for (int i : {2, 0, 1}) job.instances.push_back(MakeInstance("j1", i));
  Insert(job);
  auto got = store_->GetJob("j1", true);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->instances.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(got->instances[i].index(), i);
}

TEST_P(JobStoreContractTest, ScanInstancesVisitsInIndexOrderFromAnIndex) {
  StoredJob job = MakeJob("j1", 0, 0);
  for (int i : {3, 0, 4, 1, 2}) job.instances.push_back(MakeInstance("j1", i));
  Insert(job);
  Insert(MakeJob("j2", 1, 3));  // another job's records are not visited
  std::vector<int> seen;
  auto visit_all = [&](const resetd::v1::StoredInstance& i) {
    EXPECT_EQ(i.job_id(), "j1");
    seen.push_back(i.index());
    return true;
  };
  ASSERT_TRUE(store_->ScanInstances("j1", 0, visit_all).ok());
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
  seen.clear();
  ASSERT_TRUE(store_->ScanInstances("j1", 2, visit_all).ok());
  EXPECT_EQ(seen, (std::vector<int>{2, 3, 4}));
  // The visitor stops the scan.
  seen.clear();
  ASSERT_TRUE(store_
                  ->ScanInstances("j1", 1,
                                  [&](const resetd::v1::StoredInstance& i) {
                                    seen.push_back(i.index());
                                    return seen.size() < 2;
                                  })
                  .ok());
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
  seen.clear();
  ASSERT_TRUE(store_->ScanInstances("j1", 9, visit_all).ok());
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(store_->ScanInstances("nope", 0, visit_all).code(),
            absl::StatusCode::kNotFound);
  // The store is usable after a scan that stopped early.
  EXPECT_TRUE(store_->GetInstance("j1", 4).ok());
}

TEST_P(JobStoreContractTest, UnknownJobIsNotFound) {
  EXPECT_EQ(store_->GetJob("nope", false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      store_
          ->UpdateJob("nope", resetd::v1::JOB_STATE_RUNNING, false, T(1), false)
          .code(),
      absl::StatusCode::kNotFound);
}

TEST_P(JobStoreContractTest, TakenJobIdOrRequestIdIsAlreadyExists) {
  Insert(MakeJob("j1", 0));
  StoredJob same_id = MakeJob("j1", 1, 5);
  same_id.request_id = "other";
  EXPECT_EQ(store_->InsertJob(same_id).code(),
            absl::StatusCode::kAlreadyExists);
  StoredJob same_request = MakeJob("j2", 1);
  same_request.request_id = "req-j1";
  EXPECT_EQ(store_->InsertJob(same_request).code(),
            absl::StatusCode::kAlreadyExists);
  // Neither rejected job left anything behind.
  auto got = store_->GetJob("j1", true);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->request_id, "req-j1");
  EXPECT_EQ(got->instances.size(), 2u);
  EXPECT_EQ(store_->GetJob("j2", false).status().code(),
            absl::StatusCode::kNotFound);
  auto by_other = store_->FindByRequestId("other");
  ASSERT_TRUE(by_other.ok());
  EXPECT_FALSE(by_other->has_value());
}

TEST_P(JobStoreContractTest, FindByRequestIdIsTheIdempotencyKey) {
  StoredJob job = MakeJob("j1", 0);
  Insert(job);
  auto found = store_->FindByRequestId("req-j1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  ExpectSameJob(**found, job);
  EXPECT_TRUE((*found)->password.empty());
  EXPECT_TRUE((*found)->instances.empty());
  auto missing = store_->FindByRequestId("req-unknown");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(JobStoreContractTest, UpdateJobChangesStateAndKeepsTheRest) {
  StoredJob job = MakeJob("j1", 0);
  Insert(job);
  ASSERT_TRUE(
      store_->UpdateJob("j1", resetd::v1::JOB_STATE_RUNNING, true, T(9), false)
          .ok());
  auto got = store_->GetJob("j1", true);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, resetd::v1::JOB_STATE_RUNNING);
  EXPECT_TRUE(got->cancelled);
  EXPECT_EQ(got->update_time, T(9));
  EXPECT_EQ(got->create_time, T(0));
  ExpectSameInstances(*got, job);
  auto unfinished = store_->LoadUnfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_TRUE(unfinished->front().password.Equals(job.password));
}

TEST_P(JobStoreContractTest, ClearPasswordDropsItForGood) {
  Insert(MakeJob("j1", 0));
  ASSERT_TRUE(store_
                  ->UpdateJob("j1", resetd::v1::JOB_STATE_RUNNING, false, T(1),
                              /*clear_password=*/true)
                  .ok());
  ASSERT_TRUE(store_
                  ->UpdateJob("j1", resetd::v1::JOB_STATE_RUNNING, false, T(2),
                              /*clear_password=*/false)
                  .ok());
  auto unfinished = store_->LoadUnfinished();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_TRUE(unfinished->front().password.empty());
}

TEST_P(JobStoreContractTest, JobWithoutPasswordLoadsWithEmptyPassword) {
  Insert(MakeJob("j1", 0, 1, /*password=*/""));
  auto unfinished = store_->LoadUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status();
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_TRUE(unfinished->front().password.empty());
}

TEST_P(JobStoreContractTest, WriteReplacesInstanceRowsByJobAndIndex) {
  Insert(MakeJob("j1", 0, 3));
  Insert(MakeJob("j2", 0, 3));
  auto changed = MakeInstance("j1", 1);
  changed.set_reset_sent(true);
  changed.set_held_stopped(true);
  changed.mutable_result()->set_phase("stopping");
  auto added = MakeInstance("j1", 7);
  ASSERT_TRUE(store_->Write({}, {changed, added}).ok());
  auto j1 = store_->GetJob("j1", true);
  ASSERT_TRUE(j1.ok());
  ASSERT_EQ(j1->instances.size(), 4u);
  EXPECT_TRUE(
      MessageDifferencer::Equals(j1->instances[0], MakeInstance("j1", 0)));
  EXPECT_TRUE(MessageDifferencer::Equals(j1->instances[1], changed));
  EXPECT_TRUE(MessageDifferencer::Equals(j1->instances[3], added));
  auto j2 = store_->GetJob("j2", true);
  ASSERT_TRUE(j2.ok());
  EXPECT_FALSE(j2->instances[1].reset_sent());
}

TEST_P(JobStoreContractTest, WriteIsAllOrNothing) {
  Insert(MakeJob("j1", 0));
  auto changed = MakeInstance("j1", 0);
  changed.set_failed(true);
  const StepRecord step = MakeStep("j1", "b1", "Stop", 1);
  EXPECT_EQ(store_->Write({step}, {changed, MakeInstance("ghost", 0)}).code(),
            absl::StatusCode::kNotFound);
  auto steps = store_->Steps("j1");
  ASSERT_TRUE(steps.ok());
  EXPECT_TRUE(steps->empty());
  auto got = store_->GetJob("j1", true);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->instances[0].failed());
}

TEST_P(JobStoreContractTest, StepResultReplacesItsIntentInPlace) {
  Insert(MakeJob("j1", 0));
  auto stopping = MakeInstance("j1", 0);
  stopping.set_held_stopped(true);
  ASSERT_TRUE(
      store_->Write({MakeStep("j1", "b1", "Stop", 1)}, {stopping}).ok());
  ASSERT_TRUE(store_->Write({MakeStep("j1", "b2", "Stop", 2)}, {}).ok());
  StepRecord result = MakeStep("j1", "b1", "Stop", 3);
  result.done = true;
  result.outcome = "OK";
  result.request_id = "prov-req-1";
  result.instance_ids = {"ins-100000"};
  ASSERT_TRUE(store_->Write({result}, {}).ok());
  auto steps = store_->Steps("j1");
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 2u);
  const StepRecord& first = (*steps)[0];
  EXPECT_EQ(first.batch_id, "b1");
  EXPECT_TRUE(first.done);
  EXPECT_EQ(first.outcome, "OK");
  EXPECT_EQ(first.request_id, "prov-req-1");
  EXPECT_EQ(first.time, T(3));
  EXPECT_THAT(first.instance_ids, ElementsAre("ins-100000"));
  const StepRecord& second = (*steps)[1];
  EXPECT_EQ(second.batch_id, "b2");
  EXPECT_EQ(second.job_id, "j1");
  EXPECT_EQ(second.action, "Stop");
  EXPECT_FALSE(second.done);
  EXPECT_THAT(second.instance_ids, ElementsAre("ins-100000", "ins-100001"));
  EXPECT_EQ(second.time, T(2));
}

TEST_P(JobStoreContractTest, OneCallServingTwoJobsHasOneRecordPerJob) {
  Insert(MakeJob("j1", 0));
  Insert(MakeJob("j2", 0));
  StepRecord a = MakeStep("j1", "shared", "ResetPassword", 1);
  StepRecord b = MakeStep("j2", "shared", "ResetPassword", 1);
  b.instance_ids = {"ins-2"};
  ASSERT_TRUE(store_->Write({a, b}, {}).ok());
  a.done = true;
  a.outcome = "InvalidPassword";
  ASSERT_TRUE(store_->Write({a}, {}).ok());
  auto s1 = store_->Steps("j1");
  auto s2 = store_->Steps("j2");
  ASSERT_TRUE(s1.ok() && s2.ok());
  ASSERT_EQ(s1->size(), 1u);
  ASSERT_EQ(s2->size(), 1u);
  EXPECT_TRUE((*s1)[0].done);
  EXPECT_FALSE((*s2)[0].done);
  EXPECT_THAT((*s2)[0].instance_ids, ElementsAre("ins-2"));
  auto none = store_->Steps("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(JobStoreContractTest, LoadUnfinishedIsOldestFirstWithPasswords) {
  StoredJob later = MakeJob("a-later", 20);
  StoredJob tie_b = MakeJob("b-tie", 10);
  StoredJob tie_a = MakeJob("a-tie", 10);
  StoredJob ended = MakeJob("ended", 0);
  for (const auto* j : {&later, &tie_b, &tie_a, &ended}) Insert(*j);
  ASSERT_TRUE(store_
                  ->UpdateJob("ended", resetd::v1::JOB_STATE_SUCCEEDED, false,
                              T(30), true)
                  .ok());
  auto moved = MakeInstance("b-tie", 1);
  moved.set_reset_done(true);
  ASSERT_TRUE(store_->Write({}, {moved}).ok());
  auto jobs = store_->LoadUnfinished();
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  EXPECT_THAT(Ids(*jobs), ElementsAre("a-tie", "b-tie", "a-later"));
  for (const StoredJob& j : *jobs) {
    EXPECT_EQ(j.password.Reveal(), "Pa55w0rd-of-" + j.job_id);
    EXPECT_EQ(j.instances.size(), 2u);
  }
  EXPECT_TRUE((*jobs)[1].instances[1].reset_done());
  ExpectSameJob((*jobs)[2], later);
}

TEST_P(JobStoreContractTest, EveryNonTerminalStateIsUnfinished) {
  const JobState states[] = {
      resetd::v1::JOB_STATE_UNSPECIFIED,      resetd::v1::JOB_STATE_QUEUED,
      resetd::v1::JOB_STATE_RUNNING,          resetd::v1::JOB_STATE_SUCCEEDED,
      resetd::v1::JOB_STATE_PARTIALLY_FAILED, resetd::v1::JOB_STATE_FAILED,
      resetd::v1::JOB_STATE_CANCELLED};
  int n = 0;
  for (JobState s : states) {
    StoredJob job = MakeJob("j" + std::to_string(n), n);
    job.state = s;
    Insert(job);
    ++n;
  }
  auto jobs = store_->LoadUnfinished();
  ASSERT_TRUE(jobs.ok());
  EXPECT_THAT(Ids(*jobs), ElementsAre("j0", "j1", "j2"));
}

TEST_P(JobStoreContractTest, ListJobsNewestFirstWithFiltersAndPages) {
  for (int i = 0; i < 6; ++i) Insert(MakeJob("j" + std::to_string(i), i));
  Insert(MakeJob("j5b", 5));
  ASSERT_TRUE(
      store_->UpdateJob("j2", resetd::v1::JOB_STATE_FAILED, false, T(9), false)
          .ok());
  ASSERT_TRUE(
      store_
          ->UpdateJob("j4", resetd::v1::JOB_STATE_SUCCEEDED, false, T(9), false)
          .ok());
  EXPECT_THAT(List({}), ElementsAre("j5b", "j5", "j4", "j3", "j2", "j1", "j0"));
  JobFilter ended;
  ended.states = {resetd::v1::JOB_STATE_SUCCEEDED,
                  resetd::v1::JOB_STATE_FAILED};
  EXPECT_THAT(List(ended), ElementsAre("j4", "j2"));
  JobFilter window;
  window.created_after = T(1);   // inclusive
  window.created_before = T(4);  // exclusive
  EXPECT_THAT(List(window), ElementsAre("j3", "j2", "j1"));
  window.states = {resetd::v1::JOB_STATE_QUEUED};
  EXPECT_THAT(List(window), ElementsAre("j3", "j1"));
  JobFilter page;
  page.limit = 3;
  EXPECT_THAT(List(page), ElementsAre("j5b", "j5", "j4"));
  page.offset = 3;
  EXPECT_THAT(List(page), ElementsAre("j3", "j2", "j1"));
  page.offset = 6;
  EXPECT_THAT(List(page), ElementsAre("j0"));
  page.offset = 7;
  EXPECT_TRUE(List(page).empty());
  page.offset = 0;
  page.limit = 0;
  EXPECT_TRUE(List(page).empty());
}

TEST_P(JobStoreContractTest, ListJobsFiltersByCreator) {
  for (int i = 0; i < 4; ++i) {
    StoredJob job = MakeJob("j" + std::to_string(i), i);
    job.creator = i % 2 ? "bob" : "alice";
    Insert(job);
  }
  JobFilter bob;
  bob.creator = "bob";
  EXPECT_THAT(List(bob), ElementsAre("j3", "j1"));
  bob.states = {resetd::v1::JOB_STATE_QUEUED};
  bob.limit = 1;
  EXPECT_THAT(List(bob), ElementsAre("j3"));
  JobFilter nobody;
  nobody.creator = "carol";
  EXPECT_TRUE(List(nobody).empty());
}

// A job is in scope when every one of its (provider, region) targets is
// covered by some grant.
TEST_P(JobStoreContractTest, ListJobsFiltersByScope) {
  auto job = [](const std::string& id, int at,
                std::vector<std::pair<std::string, std::string>> targets) {
    StoredJob j = MakeJob(id, at);
    j.spec.clear_targets();
    for (const auto& [provider, region] : targets) {
      auto* t = j.spec.add_targets();
      t->set_provider(provider);
      t->set_region(region);
      t->add_instance_ids("ins-" + id);
    }
    return j;
  };
  Insert(job("tx-gz", 0, {{"tencent", "gz"}}));
  Insert(job("tx-sh", 1, {{"tencent", "sh"}}));
  Insert(job("ali-hz", 2, {{"aliyun", "hz"}}));
  Insert(job("both", 3, {{"tencent", "gz"}, {"aliyun", "hz"}}));
  JobFilter f;
  f.scope = std::vector<ScopeGrant>{{{"tencent"}, {}}};
  EXPECT_THAT(List(f), ElementsAre("tx-sh", "tx-gz"));
  f.scope = std::vector<ScopeGrant>{{{"tencent"}, {"gz"}}};
  EXPECT_THAT(List(f), ElementsAre("tx-gz"));
  f.scope = std::vector<ScopeGrant>{{{}, {"gz", "hz"}}};
  EXPECT_THAT(List(f), ElementsAre("both", "ali-hz", "tx-gz"));
  // The union of grants: each target covered by one of them.
  f.scope = std::vector<ScopeGrant>{{{"tencent"}, {"gz"}}, {{"aliyun"}, {}}};
  EXPECT_THAT(List(f), ElementsAre("both", "ali-hz", "tx-gz"));
  f.scope = std::vector<ScopeGrant>{};
  EXPECT_TRUE(List(f).empty());
  f.scope = std::nullopt;
  EXPECT_EQ(List(f).size(), 4u);
  f.scope = std::vector<ScopeGrant>{{{"tencent"}, {}}};
  f.creator = "creator-of-tx-gz";
  EXPECT_THAT(List(f), ElementsAre("tx-gz"));
}

TEST_P(JobStoreContractTest, ListJobsReturnsNoPasswordNorInstances) {
  StoredJob job = MakeJob("j1", 0);
  Insert(job);
  auto jobs = store_->ListJobs({});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  ExpectSameJob(jobs->front(), job);
  EXPECT_TRUE(jobs->front().password.empty());
  EXPECT_TRUE(jobs->front().instances.empty());
}

TEST_P(JobStoreContractTest, PruneEndedDeletesOnlyOldEndedJobs) {
  Insert(MakeJob("old-ended", 0));
  Insert(MakeJob("new-ended", 0));
  Insert(MakeJob("old-running", 0));
  Insert(MakeJob("at-cutoff", 0));
  ASSERT_TRUE(store_->Write({MakeStep("old-ended", "b1", "Stop", 1)}, {}).ok());
  ASSERT_TRUE(store_
                  ->UpdateJob("old-ended", resetd::v1::JOB_STATE_CANCELLED,
                              true, T(10), true)
                  .ok());
  ASSERT_TRUE(store_
                  ->UpdateJob("new-ended", resetd::v1::JOB_STATE_SUCCEEDED,
                              false, T(200), true)
                  .ok());
  ASSERT_TRUE(store_
                  ->UpdateJob("at-cutoff", resetd::v1::JOB_STATE_FAILED, false,
                              T(100), true)
                  .ok());
  auto pruned = store_->PruneEnded(T(100));
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(store_->GetJob("old-ended", true).status().code(),
            absl::StatusCode::kNotFound);
  auto steps = store_->Steps("old-ended");
  ASSERT_TRUE(steps.ok());
  EXPECT_TRUE(steps->empty());
  EXPECT_THAT(List({}), ::testing::UnorderedElementsAre(
                            "new-ended", "old-running", "at-cutoff"));
  // Its request id is free again, and the new job has only its own rows.
  StoredJob again = MakeJob("old-ended", 50, 1);
  ASSERT_TRUE(store_->InsertJob(again).ok());
  auto got = store_->GetJob("old-ended", true);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->instances.size(), 1u);
  EXPECT_TRUE(store_->Steps("old-ended")->empty());
  EXPECT_EQ(*store_->PruneEnded(T(100)), 0);
}

TEST_P(JobStoreContractTest, ConcurrentWritersAreSerialised) {
  constexpr int kThreads = 8, kJobsEach = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kJobsEach; ++k) {
        const std::string id =
            "t" + std::to_string(t) + "-" + std::to_string(k);
        EXPECT_TRUE(store_->InsertJob(MakeJob(id, k)).ok());
        EXPECT_TRUE(
            store_->Write({MakeStep(id, "b", "Stop", k)}, {MakeInstance(id, 0)})
                .ok());
        EXPECT_TRUE(store_->GetJob(id, true).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  JobFilter all;
  all.limit = 1000;
  EXPECT_EQ(List(all).size(), static_cast<size_t>(kThreads * kJobsEach));
}


// ---- Claims: an instance belongs to at most one active job ----

// A job whose instances all claim their key in `scope`.
StoredJob MakeClaimingJob(const std::string& job_id, int created,
                          int instances = 2,
                          const std::string& scope = "tencent:key:1") {
  StoredJob job = MakeJob(job_id, created, instances);
  for (auto& i : job.instances) {
    i.set_claim_scope(scope);
    i.set_claim(resetd::v1::CLAIM_STATE_HELD);
  }
  return job;
}

ClaimKey Key(int index, const std::string& scope = "tencent:key:1") {
  return ClaimKey{scope, "ap-guangzhou", "ins-" + std::to_string(100000 + index)};
}

class ClaimsContractTest : public JobStoreContractTest {
 protected:
  std::vector<std::optional<ClaimHolder>> Holders(std::vector<ClaimKey> keys) {
    auto got = store_->FindClaims(keys);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::vector<std::optional<ClaimHolder>>();
  }
  std::optional<ClaimHolder> Holder(const ClaimKey& key) {
    auto got = Holders({key});
    return got.empty() ? std::nullopt : got.front();
  }
};

TEST_P(ClaimsContractTest, ClaimsAreTakenWithTheJob) {
  Insert(MakeClaimingJob("j1", 0, 3));
  auto holders = Holders({Key(0), Key(2), Key(3), Key(0, "aliyun:key:1")});
  ASSERT_EQ(holders.size(), 4u);
  EXPECT_EQ(holders[0], (ClaimHolder{"j1", 0}));
  EXPECT_EQ(holders[1], (ClaimHolder{"j1", 2}));
  EXPECT_EQ(holders[2], std::nullopt);  // not in the job
  EXPECT_EQ(holders[3], std::nullopt);  // same id, another account
}

TEST_P(ClaimsContractTest, OverlappingJobIsAbortedAndLeavesNothing) {
  Insert(MakeClaimingJob("j1", 0, 2));
  StoredJob overlapping = MakeClaimingJob("j2", 1, 3);  // shares 0 and 1
  EXPECT_EQ(store_->InsertJob(overlapping).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->GetJob("j2", false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Holder(Key(2)), std::nullopt);  // its free instance: not kept
  EXPECT_EQ(Holder(Key(1)), (ClaimHolder{"j1", 1}));
  // The same instances in another account are another fleet.
  Insert(MakeClaimingJob("j3", 2, 3, "huawei:key:9"));
  EXPECT_EQ(Holder(Key(0, "huawei:key:9")), (ClaimHolder{"j3", 0}));
}

TEST_P(ClaimsContractTest, InstancesWithoutClaimClaimNothing) {
  Insert(MakeClaimingJob("j1", 0, 2));
  Insert(MakeJob("dry", 1, 2));  // a dry run: records with no claim
  EXPECT_EQ(Holder(Key(0)), (ClaimHolder{"j1", 0}));
  StoredJob waiting = MakeClaimingJob("j2", 2, 2);
  for (auto& i : waiting.instances) {
    i.set_claim(resetd::v1::CLAIM_STATE_WAITING);
    i.set_wait_job_id("j1");
    i.set_wait_index(i.index());
  }
  Insert(waiting);
  EXPECT_EQ(Holder(Key(1)), (ClaimHolder{"j1", 1}));
  auto back = store_->GetInstance("j2", 1);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->claim(), resetd::v1::CLAIM_STATE_WAITING);
  EXPECT_EQ(back->wait_job_id(), "j1");
}

TEST_P(ClaimsContractTest, DoneInstanceReleasesItsClaim) {
  StoredJob job = MakeClaimingJob("j1", 0, 2);
  Insert(job);
  resetd::v1::StoredInstance done = job.instances[0];
  done.set_done(true);
  ASSERT_TRUE(store_->Write({}, {done}).ok());
  EXPECT_EQ(Holder(Key(0)), std::nullopt);
  EXPECT_EQ(Holder(Key(1)), (ClaimHolder{"j1", 1}));
  // A record not done keeps its claim.
  ASSERT_TRUE(store_->Write({}, {job.instances[1]}).ok());
  EXPECT_EQ(Holder(Key(1)), (ClaimHolder{"j1", 1}));
}

TEST_P(ClaimsContractTest, JobEndReleasesEveryClaim) {
  for (auto state : {resetd::v1::JOB_STATE_SUCCEEDED,
                     resetd::v1::JOB_STATE_PARTIALLY_FAILED,
                     resetd::v1::JOB_STATE_FAILED}) {
    const std::string id = "j" + std::to_string(state);
    Insert(MakeClaimingJob(id, 0, 2));
    ASSERT_TRUE(store_->UpdateJob(id, resetd::v1::JOB_STATE_RUNNING, false,
                                  T(1), false)
                    .ok());
    EXPECT_EQ(Holder(Key(1)), (ClaimHolder{id, 1}));  // running: kept
    ASSERT_TRUE(store_->UpdateJob(id, state, false, T(2), true).ok());
    EXPECT_EQ(Holders({Key(0), Key(1)}),
              (std::vector<std::optional<ClaimHolder>>{std::nullopt,
                                                       std::nullopt}));
  }
}

TEST_P(ClaimsContractTest, CancelledJobReleasesEveryClaim) {
  Insert(MakeClaimingJob("j1", 0, 2));
  // Cancelling is first a flag on a running job: claims stay until it ends
  // (its stopped instances are being started again).
  ASSERT_TRUE(store_->UpdateJob("j1", resetd::v1::JOB_STATE_RUNNING, true,
                                T(1), false)
                  .ok());
  EXPECT_EQ(Holder(Key(0)), (ClaimHolder{"j1", 0}));
  ASSERT_TRUE(store_->UpdateJob("j1", resetd::v1::JOB_STATE_CANCELLED, true,
                                T(2), true)
                  .ok());
  EXPECT_EQ(Holder(Key(0)), std::nullopt);
  Insert(MakeClaimingJob("j2", 3, 2));  // the instances are free again
  EXPECT_EQ(Holder(Key(0)), (ClaimHolder{"j2", 0}));
}

TEST_P(ClaimsContractTest, TakeClaimsTakesWhatIsFreeAndNamesTheHolders) {
  Insert(MakeClaimingJob("j1", 0, 1));  // holds 0
  Insert(MakeJob("j2", 1, 3));          // claims nothing yet
  auto taken = store_->TakeClaims({{Key(0), {"j2", 0}},
                                   {Key(1), {"j2", 1}},
                                   {Key(0), {"j1", 0}}});
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(*taken, (std::vector<std::optional<ClaimHolder>>{
                        ClaimHolder{"j1", 0}, std::nullopt, std::nullopt}));
  EXPECT_EQ(Holder(Key(1)), (ClaimHolder{"j2", 1}));
  // Taking again what one holds is a no-op, not a conflict.
  auto again = store_->TakeClaims({{Key(1), {"j2", 1}}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->front(), std::nullopt);
  auto unknown = store_->TakeClaims({{Key(2), {"nope", 0}}});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Holder(Key(2)), std::nullopt);
}

TEST_P(ClaimsContractTest, ClaimsSurviveReopen) {
  if (!GetParam().reopen) {
    GTEST_SKIP() << GetParam().name << " keeps nothing across a restart";
  }
  StoredJob job = MakeClaimingJob("j1", 0, 2);
  Insert(job);
  store_.reset();
  store_ = GetParam().reopen(path_);
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(Holder(Key(0)), (ClaimHolder{"j1", 0}));
  EXPECT_EQ(store_->InsertJob(MakeClaimingJob("j2", 1, 1)).code(),
            absl::StatusCode::kAborted);
  resetd::v1::StoredInstance done = job.instances[0];
  done.set_done(true);
  ASSERT_TRUE(store_->Write({}, {done}).ok());
  store_.reset();
  store_ = GetParam().reopen(path_);
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(Holder(Key(0)), std::nullopt);
  EXPECT_EQ(Holder(Key(1)), (ClaimHolder{"j1", 1}));
}

TEST_P(ClaimsContractTest, GetInstanceReadsOneRecord) {
  StoredJob job = MakeClaimingJob("j1", 0, 3);
  job.instances[2].set_original_power_state(resetd::v1::POWER_STATE_STOPPED);
  Insert(job);
  auto got = store_->GetInstance("j1", 2);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*got, job.instances[2]));
  EXPECT_EQ(store_->GetInstance("j1", 3).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetInstance("nope", 0).status().code(),
            absl::StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, JobStoreContractTest,
    ::testing::ValuesIn(AllStores()), StoreName);

INSTANTIATE_TEST_SUITE_P(
    Stores, ClaimsContractTest,
    ::testing::ValuesIn(AllStores()), StoreName);

}  // namespace
}  // namespace resetd::workflow
