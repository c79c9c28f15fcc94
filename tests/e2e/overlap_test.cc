// "One instance, one active job", end to end: resetd on a SQLite store
// against fakecloud (a fleet of Linux Tencent CVM instances, 60% running).
// Job A resets every instance; while it runs, job B names the same
// instances with another password, and is refused (REJECT), waits for A
// (WAIT: each instance as soon as A releases it) or skips what A holds
// (SKIP). Then WAIT with resetd killed by SIGKILL between the two creates
// and during the overlap, a claim that outlives a SIGKILL, and dry runs,
// which claim nothing.
//
// Synchronisation is by condition (a call the cloud has seen, a phase a job
// reports), never by sleeping. Passwords are compared by their digests and
// never printed.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace resetd {
namespace {

using nlohmann::json;
using resetd::testing::FakeCloud;
using resetd::testing::FullJob;
using resetd::testing::Resetd;

constexpr int kInstances = 270;
// A fixed test key (base64 of 32 bytes); never a production key.
constexpr char kStoreKey[] = "q7b3Qm5sZXNzLWtleS1mb3ItdGVzdHMtb25seS0xMjM=";
constexpr char kPasswordA[] = "Overlap-A-Passw0rd!";
constexpr char kPasswordB[] = "Overlap-B-Passw0rd!";
constexpr char kRegion[] = "ap-guangzhou";
// How a violation names an instance: provider name / region / id.
constexpr char kSubjectPrefix[] = "tencent/ap-guangzhou/";
constexpr char kHeldType[] = "INSTANCE_HELD_BY_ACTIVE_JOB";

bool Ended(v1::JobState s) {
  return s == v1::JOB_STATE_SUCCEEDED || s == v1::JOB_STATE_FAILED ||
         s == v1::JOB_STATE_PARTIALLY_FAILED || s == v1::JOB_STATE_CANCELLED;
}

v1::PowerState PowerStateOf(const json& instance) {
  if (instance["state"] == "RUNNING") return v1::POWER_STATE_RUNNING;
  if (instance["state"] == "STOPPED") return v1::POWER_STATE_STOPPED;
  return v1::POWER_STATE_UNSPECIFIED;
}

int CountPhase(const FullJob& job, const std::string& phase) {
  int n = 0;
  for (const auto& r : job.instances()) n += r.phase() == phase ? 1 : 0;
  return n;
}

// The PreconditionFailure in a status's details (empty if there is none).
google::rpc::PreconditionFailure ConflictDetails(const grpc::Status& s) {
  google::rpc::Status status;
  google::rpc::PreconditionFailure out;
  if (!status.ParseFromString(s.error_details())) return out;
  for (const auto& any : status.details()) {
    if (any.UnpackTo(&out)) break;
  }
  return out;
}

// Checks that `s` refuses a job because job `holder` holds instances among
// `ids`, and returns how many conflicting instances it reports (listed
// ones plus those the summary violation counts).
int ExpectHeldBy(const grpc::Status& s, const std::string& holder,
                 const std::set<std::string>& ids) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_NE(s.error_message().find(holder), std::string::npos)
      << s.error_message();
  const google::rpc::PreconditionFailure details = ConflictDetails(s);
  EXPECT_GT(details.violations_size(), 0) << "no PreconditionFailure";
  int listed = 0, more = 0;
  for (const auto& v : details.violations()) {
    EXPECT_EQ(v.type(), kHeldType);
    if (v.subject() == "*") {
      EXPECT_EQ(std::sscanf(v.description().c_str(), "and %d more", &more), 1)
          << v.description();
      continue;
    }
    ++listed;
    EXPECT_EQ(v.description(), "held by job " + holder);
    const std::string subject = v.subject();
    const bool prefixed = subject.rfind(kSubjectPrefix, 0) == 0;
    EXPECT_TRUE(prefixed) << subject;
    EXPECT_TRUE(prefixed &&
                ids.count(subject.substr(sizeof(kSubjectPrefix) - 1)))
        << subject;
  }
  EXPECT_LE(listed, 20);
  if (more > 0) {
    EXPECT_EQ(listed, 20);
  }
  // The message leads with the total.
  EXPECT_EQ(std::atoi(s.error_message().c_str()), listed + more)
      << s.error_message();
  return listed + more;
}

// Per instance, the cloud calls that changed it (Describe* and failed calls
// aside), in the cloud's order, as "label:action", where label names the job
// whose steps on that instance carry the call's request id (one call may
// batch instances of several jobs); "?" for a call no step names, e.g. one
// whose answer a SIGKILL lost.
std::map<std::string, std::vector<std::string>> CallsByJob(
    const json& calls, const std::map<std::string, FullJob>& jobs) {
  std::map<std::pair<std::string, std::string>, std::string> owner;
  for (const auto& [label, job] : jobs) {
    for (const auto& r : job.instances()) {
      for (const auto& step : r.steps()) {
        if (step.request_id().empty()) continue;
        owner[{step.request_id(), r.instance_id()}] = label;
      }
    }
  }
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& c : calls) {
    const std::string action = c["action"];
    if (action.rfind("Describe", 0) == 0 || c["result"] != "OK") continue;
    for (const auto& id : c["instance_ids"]) {
      auto it = owner.find({c["request_id"].get<std::string>(), id});
      const std::string label = it == owner.end() ? "?" : it->second;
      out[id.get<std::string>()].push_back(label + ":" + action);
    }
  }
  return out;
}

// Instances on which a call of a later job (labels in job order) came
// before a call of an earlier one: two jobs acted on it at once.
std::vector<std::string> Interleaved(
    const std::map<std::string, std::vector<std::string>>& per_instance) {
  std::vector<std::string> out;
  for (const auto& [id, entries] : per_instance) {
    std::string last;
    for (const auto& e : entries) {
      const std::string label = e.substr(0, e.find(':'));
      if (label == "?") continue;
      if (label < last) {
        out.push_back(id);
        break;
      }
      last = label;
    }
  }
  return out;
}

// An ended SKIP job's instances in job order: those it skipped because
// `holder` held them (checked: CANCELLED, HeldByActiveJob, the holder named)
// and those it reset (checked: SUCCEEDED).
struct SkipSplit {
  std::vector<std::string> skipped, done;
};
SkipSplit SplitSkipped(const FullJob& job, const std::string& holder) {
  SkipSplit out;
  const std::string phase = "skipped: held by job " + holder;
  for (const auto& r : job.instances()) {
    const std::string& id = r.instance_id();
    if (r.state() != v1::INSTANCE_STATE_CANCELLED) {
      EXPECT_EQ(r.state(), v1::INSTANCE_STATE_SUCCEEDED) << id;
      out.done.push_back(id);
      continue;
    }
    EXPECT_EQ(r.error().code(), "HeldByActiveJob") << id;
    EXPECT_NE(r.error().message().find(holder), std::string::npos) << id;
    EXPECT_EQ(r.phase(), phase) << id;
    out.skipped.push_back(id);
  }
  EXPECT_EQ(job.counts().cancelled(), static_cast<int>(out.skipped.size()));
  EXPECT_EQ(job.counts().succeeded(), static_cast<int>(out.done.size()));
  return out;
}

class OverlapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = resetd::testing::MakeTempDir("resetd-overlap");
    env_ = {{"TENCENTCLOUD_SECRET_ID", "AKIDoverlapTEST"},
            {"TENCENTCLOUD_SECRET_KEY", "overlap-secret-key"},
            {"RESETD_STORE_KEY", kStoreKey}};
    // Transitions of at least 400 ms: a running instance that job A has
    // just stopped stays A's for well over a second (stop, reset, start).
    cloud_ = std::make_unique<FakeCloud>(
        std::vector<std::string>{
            "--instances", std::to_string(kInstances), "--running-fraction",
            "0.6", "--windows-fraction", "0", "--forbidden", "0", "--seed",
            "2718", "--transition-ms", "400:900", "--reset-ms", "200:500",
            "--latency-ms", "10:40"},
        env_, dir_);
    ASSERT_TRUE(cloud_->ok()) << cloud_->Output();
    store_path_ = dir_ + "/jobs.db";
    json config = {{"grpcListen", "127.0.0.1:0"},
                   {"insecure", true},
                   {"metricsListen", "127.0.0.1:0"},
                   {"providers",
                    {{{"name", "tencent"},
                      {"kind", "tencent_cvm"},
                      {"endpoint", cloud_->address()},
                      {"scheme", "http"}}}},
                   {"engine", {{"lingerMs", 100}, {"pollIntervalMs", 300}}},
                   {"store", {{"path", store_path_}}},
                   {"shutdownGraceS", 10}};
    resetd_ = std::make_unique<Resetd>(config, env_, dir_);
    ASSERT_TRUE(resetd_->Start()) << resetd_->Output();
    SplitFleet();
  }

  // No password in resetd's or fakecloud's output, resetd's metrics or the
  // store (file and WAL).
  void TearDown() override {
    if (!resetd_ || !cloud_) return;
    const std::string metrics = resetd_->running() ? resetd_->Metrics() : "";
    const std::string store = resetd::testing::ReadFile(store_path_) +
                              resetd::testing::ReadFile(store_path_ + "-wal");
    for (const char* password : {kPasswordA, kPasswordB}) {
      EXPECT_EQ(resetd_->Output().find(password), std::string::npos);
      EXPECT_EQ(cloud_->Output().find(password), std::string::npos);
      EXPECT_EQ(metrics.find(password), std::string::npos);
      EXPECT_EQ(store.find(password), std::string::npos);
    }
  }

  void SplitFleet() {
    before_ = cloud_->Instances();
    ASSERT_EQ(before_.size(), static_cast<size_t>(kInstances));
    for (const auto& [id, i] : before_) {
      all_ids_.push_back(id);
      ASSERT_NE(PowerStateOf(i), v1::POWER_STATE_UNSPECIFIED) << id;
      (i["state"] == "RUNNING" ? running_ids_ : stopped_ids_).push_back(id);
    }
    ASSERT_GT(running_ids_.size(), 100u);
    ASSERT_GT(stopped_ids_.size(), 50u);
  }

  static v1::CreateResetJobRequest Request(
      const std::string& request_id, const std::string& password,
      v1::OnConflict on_conflict, const std::vector<std::string>& ids) {
    v1::CreateResetJobRequest r;
    r.set_request_id(request_id);
    auto* t = r.add_targets();
    t->set_provider("tencent");
    t->set_region(kRegion);
    t->set_os_type(v1::OS_TYPE_LINUX);
    for (const auto& id : ids) t->add_instance_ids(id);
    r.set_password(password);
    r.set_on_conflict(on_conflict);
    return r;
  }

  static v1::CreateResetJobRequest DryRun(v1::CreateResetJobRequest r) {
    r.set_dry_run(true);
    return r;
  }

  grpc::Status TryCreate(const v1::CreateResetJobRequest& r,
                         v1::ResetJob* job) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    return resetd_->stub().CreateResetJob(&ctx, r, job);
  }

  // Creates a job that must be accepted; returns its id ("" if it was not).
  std::string Create(const v1::CreateResetJobRequest& r) {
    v1::ResetJob job;
    grpc::Status s = TryCreate(r, &job);
    EXPECT_TRUE(s.ok()) << r.request_id() << ": " << s.error_message();
    return job.job_id();
  }

  // Creates job A (on_conflict unset) and returns its id once its first
  // StopInstances has reached the cloud: A holds every instance it has not
  // finished, and no running one can finish before its reset and start.
  std::string StartJobA(const std::vector<std::string>& ids) {
    EXPECT_TRUE(cloud_->Post("/_fake/reset-calls"));
    const std::string a = Create(
        Request("overlap-a", kPasswordA, v1::ON_CONFLICT_UNSPECIFIED, ids));
    if (a.empty()) return a;
    EXPECT_TRUE(AwaitCall("StopInstances", absl::Seconds(30)));
    return a;
  }

  // Waits (bounded) until the cloud has seen a call of `action`.
  bool AwaitCall(const std::string& action, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      for (const auto& c : cloud_->Calls()) {
        if (c["action"] == action) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  FullJob GetJob(const std::string& job_id) {
    return resetd::testing::GetJob(resetd_->stub(), job_id);
  }

  // Polls the job's FULL view until `done` holds; false on timeout.
  bool AwaitJob(const std::string& job_id,
                const std::function<bool(const FullJob&)>& done,
                absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (done(GetJob(job_id))) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Follows the job (through whichever resetd runs now) until it ends.
  FullJob AwaitEnd(const std::string& job_id) {
    const absl::Time deadline = absl::Now() + absl::Minutes(2);
    FullJob job;
    while (absl::Now() < deadline) {
      job = resetd::testing::WatchToEnd(resetd_->stub(), job_id);
      if (Ended(job.state())) return job;
    }
    return job;
  }

  // Request id -> job id of every job resetd lists.
  std::map<std::string, std::string> ListedJobs() {
    grpc::ClientContext ctx;
    v1::ListResetJobsResponse list;
    EXPECT_TRUE(resetd_->stub()
                    .ListResetJobs(&ctx, v1::ListResetJobsRequest(), &list)
                    .ok());
    std::map<std::string, std::string> out;
    for (const auto& j : list.jobs()) out[j.request_id()] = j.job_id();
    return out;
  }

  // resetd_instance_conflicts_total{outcome=`outcome`} now; -1 if absent.
  double Conflicts(const std::string& outcome) {
    const std::string series =
        "\nresetd_instance_conflicts_total{outcome=\"" + outcome + "\"} ";
    const std::string text = "\n" + resetd_->Metrics();
    const size_t pos = text.find(series);
    if (pos == std::string::npos) return -1;
    return std::atof(text.c_str() + pos + series.size());
  }

  // Checks that each of `ids` has `password` and the power state it had
  // before any job; returns how many that were RUNNING are not now.
  int CheckFleet(const std::string& label, const std::vector<std::string>& ids,
                 const std::string& password) {
    auto after = cloud_->Instances();
    const std::string digest = Sha256Hex(password);
    int left_stopped = 0;
    for (const auto& id : ids) {
      const json& b = before_.at(id);
      EXPECT_EQ(after[id]["password_digest"], digest) << label << " " << id;
      EXPECT_EQ(after[id]["state"], b["state"]) << label << " " << id;
      if (b["state"] == "RUNNING" && after[id]["state"] != "RUNNING") {
        ++left_stopped;
      }
    }
    return left_stopped;
  }

  // Checks the cloud's calls: nothing throttled, no instance stopped twice
  // without a start in between, and no instance acted on by two jobs at
  // once (`jobs` by label, in the order they ran).
  void CheckCalls(const std::string& label,
                  const std::map<std::string, FullJob>& jobs) {
    const json calls = cloud_->Calls();
    for (const auto& c : calls) {
      EXPECT_NE(c["result"], "RequestLimitExceeded") << label;
    }
    EXPECT_EQ(resetd::testing::StoppedTwiceInARow(calls),
              std::vector<std::string>())
        << label;
    EXPECT_EQ(Interleaved(CallsByJob(calls, jobs)), std::vector<std::string>())
        << label;
  }

  // Checks what a WAIT run of A then B on every instance left: both
  // succeeded, every instance has B's password and its power state from
  // before A (B inherited A's original power states), nothing was stopped
  // twice without a start in between and the jobs never overlapped on an
  // instance. Returns how many instances were left stopped that had run.
  int CheckBRanLast(const std::string& label, const FullJob& a,
                    const FullJob& b) {
    EXPECT_EQ(a.state(), v1::JOB_STATE_SUCCEEDED) << label;
    EXPECT_EQ(a.counts().succeeded(), kInstances) << label;
    EXPECT_EQ(b.state(), v1::JOB_STATE_SUCCEEDED) << label;
    EXPECT_EQ(b.counts().succeeded(), kInstances) << label;
    EXPECT_EQ(b.instances_size(), kInstances) << label;
    for (const auto& r : b.instances()) {
      EXPECT_EQ(r.original_power_state(),
                PowerStateOf(before_.at(r.instance_id())))
          << label << " " << r.instance_id();
      EXPECT_EQ(r.final_power_state(), r.original_power_state())
          << label << " " << r.instance_id();
    }
    CheckCalls(label, {{"A", a}, {"B", b}});
    return CheckFleet(label, all_ids_, kPasswordB);
  }

  std::string dir_;
  std::string store_path_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<FakeCloud> cloud_;
  std::unique_ptr<Resetd> resetd_;
  std::map<std::string, json> before_;  // the fleet before any job
  std::vector<std::string> all_ids_, running_ids_, stopped_ids_;
};

TEST_F(OverlapTest, RejectRefusesTheOverlappingJobAndCreatesNothing) {
  const std::string a = StartJobA(all_ids_);
  ASSERT_FALSE(a.empty());
  v1::ResetJob b;
  grpc::Status s = TryCreate(
      Request("overlap-b", kPasswordB, v1::ON_CONFLICT_REJECT, all_ids_), &b);
  const std::set<std::string> ids(all_ids_.begin(), all_ids_.end());
  const int conflicts = ExpectHeldBy(s, a, ids);
  // Refused while A ran; A had not finished a single running instance.
  EXPECT_FALSE(Ended(GetJob(a).state()));
  EXPECT_GE(conflicts, static_cast<int>(running_ids_.size()));
  EXPECT_LE(conflicts, kInstances);
  EXPECT_TRUE(b.job_id().empty());
  EXPECT_EQ(ListedJobs(),
            (std::map<std::string, std::string>{{"overlap-a", a}}));

  const FullJob done = AwaitEnd(a);
  EXPECT_EQ(done.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(done.counts().succeeded(), kInstances);
  EXPECT_EQ(CheckFleet("reject", all_ids_, kPasswordA), 0);
  CheckCalls("reject", {{"A", done}});
  EXPECT_EQ(Conflicts("rejected"), conflicts);
  EXPECT_EQ(Conflicts("waited"), 0);
  EXPECT_EQ(Conflicts("skipped"), 0);
}

TEST_F(OverlapTest, WaitRunsBOnEachInstanceAfterAReleasesIt) {
  const std::string a = StartJobA(all_ids_);
  ASSERT_FALSE(a.empty());
  const std::string b =
      Create(Request("overlap-b", kPasswordB, v1::ON_CONFLICT_WAIT, all_ids_));
  ASSERT_FALSE(b.empty());
  const int waiting = CountPhase(GetJob(b), "wait:job " + a);
  EXPECT_FALSE(Ended(GetJob(a).state())) << "B's waits were seen while A ran";
  EXPECT_GE(waiting, static_cast<int>(running_ids_.size()));

  const FullJob a_end = AwaitEnd(a);
  const FullJob b_end = AwaitEnd(b);
  EXPECT_EQ(CheckBRanLast("wait", a_end, b_end), 0);
  // Exactly A's recipe, then B's, on every instance.
  const auto per_instance =
      CallsByJob(cloud_->Calls(), {{"A", a_end}, {"B", b_end}});
  const std::vector<std::string> running_twice = {
      "A:StopInstances", "A:ResetInstancesPassword", "A:StartInstances",
      "B:StopInstances", "B:ResetInstancesPassword", "B:StartInstances"};
  const std::vector<std::string> stopped_twice = {"A:ResetInstancesPassword",
                                                  "B:ResetInstancesPassword"};
  for (const auto& id : running_ids_) {
    EXPECT_EQ(per_instance.at(id), running_twice) << id;
  }
  for (const auto& id : stopped_ids_) {
    EXPECT_EQ(per_instance.at(id), stopped_twice) << id;
  }
  // Every instance that waited was claimed after A, and counted once.
  const std::string log = resetd_->Output();
  int claimed = 0;
  const std::string line = "event=instance_claimed job_id=" + b;
  for (size_t p = log.find(line); p != std::string::npos;
       p = log.find(line, p + 1)) {
    ++claimed;
  }
  EXPECT_GE(claimed, waiting);
  EXPECT_EQ(Conflicts("waited"), claimed);
  EXPECT_EQ(Conflicts("rejected"), 0);
  EXPECT_EQ(Conflicts("skipped"), 0);
}

// A claim released by a job of this process reaches the instance waiting
// for it at once, not with the periodic sweep (every 5 s). (It used to wait
// for the sweep: the waiters were offered the released keys before the done
// record that deletes the claim row was written.)
TEST_F(OverlapTest, WaitTakesAnInstanceAsSoonAsAReleasesIt) {
  const std::string a = StartJobA(all_ids_);
  ASSERT_FALSE(a.empty());
  const std::string b =
      Create(Request("overlap-b", kPasswordB, v1::ON_CONFLICT_WAIT, all_ids_));
  ASSERT_FALSE(b.empty());
  const std::string wait_phase = "wait:job " + a;
  std::set<std::string> waiting;
  const FullJob b_created = GetJob(b);
  for (const auto& r : b_created.instances()) {
    if (r.phase() == wait_phase) waiting.insert(r.instance_id());
  }
  // The first instance A finishes that B waits for.
  std::string released;
  ASSERT_TRUE(AwaitJob(
      a,
      [&](const FullJob& job) {
        for (const auto& r : job.instances()) {
          if (r.state() == v1::INSTANCE_STATE_SUCCEEDED &&
              waiting.count(r.instance_id())) {
            released = r.instance_id();
            return true;
          }
        }
        return false;
      },
      absl::Seconds(30)));
  // Well under the 5 s sweep, well over a poll interval.
  const bool taken = AwaitJob(
      b,
      [&](const FullJob& job) {
        for (const auto& r : job.instances()) {
          if (r.instance_id() == released) return r.phase() != wait_phase;
        }
        return false;
      },
      absl::Seconds(2));
  EXPECT_TRUE(taken) << released << " still waits 2 s after A released it";
  EXPECT_EQ(AwaitEnd(a).state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(AwaitEnd(b).state(), v1::JOB_STATE_SUCCEEDED);
}

TEST_F(OverlapTest, SkipCancelsWhatAHoldsAndRunsTheRest) {
  // A leaves 10 running and 10 stopped instances free.
  std::set<std::string> free(running_ids_.begin(), running_ids_.begin() + 10);
  free.insert(stopped_ids_.begin(), stopped_ids_.begin() + 10);
  std::vector<std::string> a_ids, a_running;
  for (const auto& id : all_ids_) {
    if (free.count(id)) continue;
    a_ids.push_back(id);
    if (before_.at(id)["state"] == "RUNNING") a_running.push_back(id);
  }
  const std::string a = StartJobA(a_ids);
  ASSERT_FALSE(a.empty());
  const std::string b =
      Create(Request("overlap-b", kPasswordB, v1::ON_CONFLICT_SKIP, all_ids_));
  // C names only instances A cannot have finished yet: all skipped.
  v1::ResetJob c_created;
  ASSERT_TRUE(TryCreate(Request("overlap-c", kPasswordB, v1::ON_CONFLICT_SKIP,
                                a_running),
                        &c_created)
                  .ok());
  EXPECT_EQ(c_created.state(), v1::JOB_STATE_CANCELLED);
  ASSERT_FALSE(b.empty());

  const FullJob a_end = AwaitEnd(a);
  const FullJob b_end = AwaitEnd(b);
  const FullJob c_end = AwaitEnd(c_created.job_id());
  EXPECT_EQ(a_end.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(a_end.counts().succeeded(), static_cast<int>(a_ids.size()));
  EXPECT_EQ(c_end.state(), v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(SplitSkipped(c_end, a).skipped, a_running);

  // B: what A held is skipped and keeps A's password; the rest is B's.
  const SkipSplit b_split = SplitSkipped(b_end, a);
  const std::set<std::string> skipped(b_split.skipped.begin(),
                                      b_split.skipped.end());
  for (const auto& id : a_running) EXPECT_TRUE(skipped.count(id)) << id;
  for (const auto& id : free) EXPECT_FALSE(skipped.count(id)) << id;
  EXPECT_EQ(b_end.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(CheckFleet("skip A", b_split.skipped, kPasswordA), 0);
  EXPECT_EQ(CheckFleet("skip B", b_split.done, kPasswordB), 0);
  CheckCalls("skip", {{"A", a_end}, {"B", b_end}});
  EXPECT_EQ(Conflicts("skipped"),
            static_cast<double>(b_split.skipped.size() + a_running.size()));
  EXPECT_EQ(Conflicts("waited"), 0);
  EXPECT_EQ(Conflicts("rejected"), 0);
}

TEST_F(OverlapTest, WaitSurvivesSigkillBetweenCreatesAndDuringTheOverlap) {
  const std::string a = StartJobA(all_ids_);
  ASSERT_FALSE(a.empty());
  // Killed between the two creates: A is recovered from the store.
  EXPECT_NE(resetd_->Stop(SIGKILL), -1);
  ASSERT_TRUE(resetd_->Start()) << resetd_->Output();
  const std::string b =
      Create(Request("overlap-b", kPasswordB, v1::ON_CONFLICT_WAIT, all_ids_));
  ASSERT_FALSE(b.empty());
  const std::string wait_phase = "wait:job " + a;
  EXPECT_GE(CountPhase(GetJob(b), wait_phase),
            static_cast<int>(running_ids_.size()));
  // Killed during the overlap: A has released some instances and B still
  // waits for others.
  const bool overlapping = AwaitJob(
      a,
      [&](const FullJob& job) {
        return job.counts().succeeded() > 0 &&
               CountPhase(GetJob(b), wait_phase) > 0;
      },
      absl::Seconds(30));
  ASSERT_TRUE(overlapping) << "A released nothing while B waited";
  EXPECT_NE(resetd_->Stop(SIGKILL), -1);
  ASSERT_TRUE(resetd_->Start()) << resetd_->Output();
  const std::string log = resetd_->Output();
  EXPECT_NE(log.find("event=job_recovered job_id=" + a), std::string::npos);
  EXPECT_NE(log.find("event=job_recovered job_id=" + b), std::string::npos);

  const FullJob a_end = AwaitEnd(a);
  const FullJob b_end = AwaitEnd(b);
  EXPECT_EQ(CheckBRanLast("wait+sigkill", a_end, b_end), 0);
}

TEST_F(OverlapTest, ClaimOutlivesSigkillAndIsReleasedWhenTheJobEnds) {
  const std::string a = StartJobA(all_ids_);
  ASSERT_FALSE(a.empty());
  EXPECT_NE(resetd_->Stop(SIGKILL), -1);
  ASSERT_TRUE(resetd_->Start()) << resetd_->Output();
  // on_conflict unset = REJECT; C names only A's running instances.
  const auto request = Request("overlap-c", kPasswordB,
                               v1::ON_CONFLICT_UNSPECIFIED, running_ids_);
  v1::ResetJob c;
  const int conflicts = ExpectHeldBy(
      TryCreate(request, &c), a,
      std::set<std::string>(running_ids_.begin(), running_ids_.end()));
  EXPECT_FALSE(Ended(GetJob(a).state())) << "refused while A ran";
  EXPECT_EQ(conflicts, static_cast<int>(running_ids_.size()));
  EXPECT_EQ(ListedJobs().count("overlap-c"), 0u);
  EXPECT_EQ(Conflicts("rejected"), conflicts);

  const FullJob a_end = AwaitEnd(a);
  EXPECT_EQ(a_end.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(CheckFleet("claim A", all_ids_, kPasswordA), 0);
  // A has ended: its claims are gone, the same request is accepted.
  grpc::Status s = TryCreate(request, &c);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const FullJob c_end = AwaitEnd(c.job_id());
  EXPECT_EQ(c_end.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(c_end.counts().succeeded(), static_cast<int>(running_ids_.size()));
  EXPECT_EQ(CheckFleet("claim C", running_ids_, kPasswordB), 0);
  EXPECT_EQ(CheckFleet("claim A kept", stopped_ids_, kPasswordA), 0);
  CheckCalls("claim", {{"A", a_end}, {"C", c_end}});
}

TEST_F(OverlapTest, DryRunsClaimNothingAndReportTheHolder) {
  // A dry run holds nothing: a real job on the same instances right after
  // it is accepted.
  const std::string dry = Create(DryRun(Request(
      "overlap-dry", kPasswordB, v1::ON_CONFLICT_UNSPECIFIED, all_ids_)));
  ASSERT_FALSE(dry.empty());
  const std::string a = StartJobA(all_ids_);
  ASSERT_FALSE(a.empty());

  // While A runs: a REJECT dry run is refused like a real job ...
  v1::ResetJob refused;
  ExpectHeldBy(TryCreate(DryRun(Request("overlap-dry-reject", kPasswordB,
                                        v1::ON_CONFLICT_REJECT, all_ids_)),
                         &refused),
               a, std::set<std::string>(all_ids_.begin(), all_ids_.end()));
  // ... and a WAIT dry run plans after A without waiting for it.
  const std::string planned = Create(DryRun(
      Request("overlap-dry-wait", kPasswordB, v1::ON_CONFLICT_WAIT, all_ids_)));
  ASSERT_FALSE(planned.empty());
  const FullJob plan = AwaitEnd(planned);
  EXPECT_EQ(plan.state(), v1::JOB_STATE_SUCCEEDED);
  const std::string after_a = "dry-run: after job " + a + " releases it: ";
  const std::set<std::string> running(running_ids_.begin(), running_ids_.end());
  for (const auto& r : plan.instances()) {
    if (!running.count(r.instance_id())) continue;
    EXPECT_EQ(r.phase().rfind(after_a, 0), 0u)
        << r.instance_id() << ": " << r.phase();
  }

  const FullJob a_end = AwaitEnd(a);
  EXPECT_EQ(a_end.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(CheckFleet("dry", all_ids_, kPasswordA), 0);
  // Dry runs count no conflict.
  EXPECT_EQ(Conflicts("rejected"), 0);
  EXPECT_EQ(Conflicts("waited"), 0);
  EXPECT_EQ(Conflicts("skipped"), 0);
}

}  // namespace
}  // namespace resetd
