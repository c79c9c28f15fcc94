// End to end, over real HTTP and gRPC: fakecloud (Tencent CVM stand-in) and
// resetd run as processes; the test drives resetd's gRPC API and checks what
// the "cloud" saw through fakecloud's admin endpoints.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/crypto.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "resetd/v1/reset_service.grpc.pb.h"
#include "tests/e2e/harness.h"

namespace resetd {
namespace {

using nlohmann::json;
using resetd::testing::FakeCloud;
using resetd::testing::Resetd;
using resetd::v1::PasswordResetService;

constexpr char kPassword[] = "E2e-Passw0rd!Strong";
constexpr char kSecretId[] = "AKIDe2eTESTsecretid";
constexpr char kSecretKey[] = "e2e-secret-key-value";
constexpr int kInstances = 300;
constexpr int kForbidden = 6;

class TencentE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = resetd::testing::MakeTempDir("resetd-e2e");
    const std::map<std::string, std::string> env = {
        {"TENCENTCLOUD_SECRET_ID", kSecretId},
        {"TENCENTCLOUD_SECRET_KEY", kSecretKey}};
    cloud_ = new FakeCloud({"--instances", std::to_string(kInstances),
                            "--running-fraction", "0.6", "--windows-fraction",
                            "0.2", "--forbidden", std::to_string(kForbidden),
                            "--seed", "1234", "--transition-ms", "300:900",
                            "--reset-ms", "200:600"},
                           env, dir);
    ASSERT_TRUE(cloud_->ok()) << cloud_->Output();
    json config = {
        {"grpcListen", "127.0.0.1:0"},
        {"insecure", true},
        {"metricsListen", "127.0.0.1:0"},
        {"providers",
         {{{"name", "tencent"},
           {"kind", "tencent_cvm"},
           {"endpoint", cloud_->address()},
           {"scheme", "http"},
           {"regions", {"ap-guangzhou"}}}}},
        {"engine", {{"lingerMs", 200}, {"pollIntervalMs", 500}}},
        {"audit", {{"file", dir + "/audit.jsonl"}}}};
    *audit_path_ = dir + "/audit.jsonl";
    resetd_ = new Resetd(config, env, dir);
    ASSERT_TRUE(resetd_->Start()) << resetd_->Output();
  }

  static void TearDownTestSuite() {
    delete resetd_;
    delete cloud_;
  }

  static PasswordResetService::Stub& stub() { return resetd_->stub(); }

  // Creates a job and follows it to its end; returns the FULL view.
  static resetd::testing::FullJob RunJob(const v1::CreateResetJobRequest& request) {
    grpc::ClientContext ctx;
    v1::ResetJob created;
    grpc::Status s = stub().CreateResetJob(&ctx, request, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    *responses_ += created.SerializeAsString() + created.DebugString();
    return resetd::testing::WatchToEnd(stub(), created.job_id(), responses_);
  }

  static v1::CreateResetJobRequest Request(const std::vector<std::string>& ids,
                                           const std::string& request_id) {
    v1::CreateResetJobRequest r;
    r.set_request_id(request_id);
    auto* t = r.add_targets();
    t->set_provider("tencent");
    t->set_region("ap-guangzhou");
    for (const auto& id : ids) t->add_instance_ids(id);
    r.set_password(kPassword);
    return r;
  }

  static inline FakeCloud* cloud_;
  static inline Resetd* resetd_;
  static inline std::string* responses_ = new std::string();
  static inline std::string* audit_path_ = new std::string();
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The audit file's lines of `kind` (about `job_id`, when given).
std::vector<json> AuditLines(const std::string& path, const std::string& kind,
                             const std::string& job_id = "") {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.is_discarded() || j["kind"] != kind) continue;
    if (job_id.empty() || j["job_id"] == job_id) out.push_back(j);
  }
  return out;
}

// A side effect as fakecloud and the audit trail should both tell it:
// API action, sorted ids, request id, result.
using Effect =
    std::tuple<std::string, std::vector<std::string>, std::string, std::string>;

Effect MakeEffect(std::string action, std::vector<std::string> ids,
                  std::string request_id, std::string result) {
  std::sort(ids.begin(), ids.end());
  return {std::move(action), std::move(ids), std::move(request_id),
          std::move(result)};
}

// The Tencent API name of an engine action.
std::string TencentAction(const std::string& action) {
  if (action == "ResetPassword") return "ResetInstancesPassword";
  return action + "Instances";  // Stop, Start, Reboot
}

// Every side effect fakecloud saw has exactly one audit line, and the other
// way round (one job only: one line per call).
void ExpectAuditAgreesWithCloud(const json& calls,
                                const std::vector<json>& audit) {
  std::multiset<Effect> cloud_saw, audited;
  for (const auto& c : calls) {
    if (c["action"] == "DescribeInstances") continue;
    cloud_saw.insert(MakeEffect(c["action"], c["instance_ids"], c["request_id"],
                                c["result"]));
  }
  for (const auto& a : audit) {
    EXPECT_EQ(a["schema_version"], 1);
    EXPECT_EQ(a["provider"], "tencent");
    EXPECT_EQ(a["account"], "tencent");
    EXPECT_EQ(a["region"], "ap-guangzhou");
    audited.insert(MakeEffect(TencentAction(a["action"]), a["instance_ids"],
                              a["provider_request_id"], a["outcome"]));
  }
  EXPECT_FALSE(audited.empty());
  EXPECT_TRUE(audited == cloud_saw)
      << audited.size() << " audited, " << cloud_saw.size() << " seen";
}

bool Forbidden(const std::string& state) {
  return state != "RUNNING" && state != "STOPPED";
}

TEST_F(TencentE2eTest, InvalidInputIsRejectedWithFieldDetailsAndCreatesNothing) {
  cloud_->Post("/_fake/reset-calls");
  auto request = Request({"ins-bad", "ins-aaaaaaaa", "ins-aaaaaaaa"}, "e2e-bad");
  request.set_password("short");
  request.set_username(std::string(65, 'u'));
  request.add_targets()->set_provider("nosuchcloud");
  grpc::ClientContext ctx;
  v1::ResetJob job;
  grpc::Status s = stub().CreateResetJob(&ctx, request, &job);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  google::rpc::BadRequest bad;
  bool found = false;
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&bad)) found = true;
  }
  ASSERT_TRUE(found);
  std::set<std::string> fields;
  for (const auto& v : bad.field_violations()) fields.insert(v.field());
  EXPECT_TRUE(fields.count("targets[0].instance_ids[0]"));
  EXPECT_TRUE(fields.count("targets[0].instance_ids[2]"));  // duplicate
  EXPECT_TRUE(fields.count("targets[1].provider"));
  EXPECT_TRUE(fields.count("username"));
  EXPECT_TRUE(fields.count("password"));
  EXPECT_EQ(s.error_message().find("short"), std::string::npos);
  EXPECT_EQ(s.error_details().find("short"), std::string::npos);

  grpc::ClientContext list_ctx;
  v1::ListResetJobsResponse list;
  ASSERT_TRUE(
      stub().ListResetJobs(&list_ctx, v1::ListResetJobsRequest(), &list).ok());
  for (const auto& j : list.jobs()) EXPECT_NE(j.request_id(), "e2e-bad");
  EXPECT_TRUE(cloud_->Calls().empty()) << "nothing reached the cloud";
}

TEST_F(TencentE2eTest, FullJobKeepsEveryInvariant) {
  auto before = cloud_->Instances();
  ASSERT_EQ(before.size(), static_cast<size_t>(kInstances));
  std::vector<std::string> ids;
  for (const auto& [id, i] : before) ids.push_back(id);
  cloud_->Post("/_fake/reset-calls");

  resetd::testing::FullJob job = RunJob(Request(ids, "e2e-full"));
  EXPECT_EQ(job.state(), v1::JOB_STATE_PARTIALLY_FAILED);
  EXPECT_EQ(job.counts().failed(), kForbidden);
  EXPECT_EQ(job.counts().succeeded(), kInstances - kForbidden);

  // Every instance ends in its original power state, with the new password
  // unless its state forbade touching it.
  auto after = cloud_->Instances();
  const std::string digest = Sha256Hex(kPassword);
  std::set<std::string> forbidden;
  for (const auto& [id, b] : before) {
    const std::string state = b["state"];
    EXPECT_EQ(after[id]["state"], state) << id;
    if (Forbidden(state)) {
      forbidden.insert(id);
      EXPECT_NE(after[id]["password_digest"], digest) << id;
    } else {
      EXPECT_EQ(after[id]["password_digest"], digest) << id;
    }
  }
  ASSERT_EQ(forbidden.size(), static_cast<size_t>(kForbidden));
  for (const auto& r : job.instances()) {
    if (forbidden.count(r.instance_id())) {
      EXPECT_EQ(r.state(), v1::INSTANCE_STATE_FAILED);
      EXPECT_EQ(r.error().code().rfind("InstanceState.", 0), 0u)
          << r.error().code();
    } else {
      EXPECT_EQ(r.state(), v1::INSTANCE_STATE_SUCCEEDED) << r.instance_id();
      EXPECT_EQ(r.final_power_state(), r.original_power_state());
    }
  }

  // What the cloud saw: batches of at most 100, no action over its rate in
  // any one-second window, nothing throttled, forbidden instances never
  // touched, and stop -> reset -> start for running ones.
  json calls = cloud_->Calls();
  ASSERT_FALSE(calls.empty());
  std::map<std::string, std::vector<std::string>> per_instance;
  for (const auto& c : calls) {
    const std::string action = c["action"];
    EXPECT_LE(c["instance_ids"].size(), 100u) << action;
    EXPECT_NE(c["result"], "RequestLimitExceeded");
    EXPECT_EQ(c["result"], "OK") << action;
    if (action == "DescribeInstances") continue;
    for (const auto& id : c["instance_ids"]) {
      EXPECT_FALSE(forbidden.count(id)) << action << " touched " << id;
      per_instance[id].push_back(action);
    }
  }
  for (const auto& [action, most] : resetd::testing::MaxCallsPerSecond(calls)) {
    EXPECT_LE(most, resetd::testing::DefaultRate("tencent_cvm", action))
        << action;
  }
  EXPECT_TRUE(resetd::testing::StoppedTwiceInARow(calls).empty());
  for (const auto& [id, b] : before) {
    if (b["state"] == "RUNNING") {
      EXPECT_EQ(per_instance[id],
                (std::vector<std::string>{"StopInstances",
                                          "ResetInstancesPassword",
                                          "StartInstances"}))
          << id;
    } else if (b["state"] == "STOPPED") {
      EXPECT_EQ(per_instance[id],
                (std::vector<std::string>{"ResetInstancesPassword"}))
          << id;
    }
  }
  EXPECT_NE(resetd_->Metrics().find("resetd_instances_held_stopped 0"),
            std::string::npos);
  ExpectAuditAgreesWithCloud(
      calls, AuditLines(*audit_path_, "side_effect", job.job_id()));
  auto rpcs = AuditLines(*audit_path_, "rpc", job.job_id());
  ASSERT_FALSE(rpcs.empty());
  EXPECT_EQ(rpcs.front()["method"], "CreateResetJob");
  EXPECT_EQ(rpcs.front()["request_id"], "e2e-full");
  EXPECT_EQ(rpcs.front()["code"], "OK");
  EXPECT_EQ(rpcs.front()["peer"].get<std::string>().rfind("ipv4:127.0.0.1:", 0),
            0u);
}

TEST_F(TencentE2eTest, SameRequestIdReturnsTheSameJob) {
  auto ids = std::vector<std::string>{cloud_->Instances().begin()->first};
  auto request = Request(ids, "e2e-idem");
  request.set_dry_run(true);
  grpc::ClientContext c1, c2, c3;
  v1::ResetJob a, b, c;
  ASSERT_TRUE(stub().CreateResetJob(&c1, request, &a).ok());
  ASSERT_TRUE(stub().CreateResetJob(&c2, request, &b).ok());
  EXPECT_EQ(a.job_id(), b.job_id());
  // Spelling out a default is the same content.
  request.set_power_policy(v1::POWER_POLICY_RESTORE_ORIGINAL);
  request.set_stop_mode(v1::STOP_MODE_SOFT);
  grpc::ClientContext c4;
  v1::ResetJob d;
  ASSERT_TRUE(stub().CreateResetJob(&c4, request, &d).ok());
  EXPECT_EQ(d.job_id(), a.job_id());
  request.set_max_unavailable(3);
  EXPECT_EQ(stub().CreateResetJob(&c3, request, &c).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

// A retry of a running job is not a conflict with itself: the instances it
// holds belong to the job the retry returns.
TEST_F(TencentE2eTest, RetryOfARunningJobReturnsItDespiteItsClaims) {
  auto ids = std::vector<std::string>{cloud_->Instances().begin()->first};
  auto request = Request(ids, "e2e-idem-running");
  grpc::ClientContext c1, c2;
  v1::ResetJob first, retried;
  ASSERT_TRUE(stub().CreateResetJob(&c1, request, &first).ok());
  request.set_on_conflict(v1::ON_CONFLICT_REJECT);  // the default, spelled out
  grpc::Status s = stub().CreateResetJob(&c2, request, &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(retried.job_id(), first.job_id());
  EXPECT_EQ(resetd::testing::WatchToEnd(stub(), first.job_id()).state(),
            v1::JOB_STATE_SUCCEEDED);
}

TEST_F(TencentE2eTest, ProviderFailureKeepsItsIdentityAndPowerIsRestored) {
  std::string victim;
  for (const auto& [id, i] : cloud_->Instances()) {
    if (i["state"] == "RUNNING") victim = id;
  }
  ASSERT_FALSE(victim.empty());
  cloud_->Post("/_fake/instances/" + victim, {{"reset_fails", true}});
  resetd::testing::FullJob job = RunJob(Request({victim}, "e2e-fail"));
  EXPECT_EQ(job.state(), v1::JOB_STATE_FAILED);
  ASSERT_EQ(job.instances_size(), 1);
  const auto& r = job.instances()[0];
  EXPECT_EQ(r.error().code(), "ResetFailed");
  EXPECT_FALSE(r.error().message().empty());
  EXPECT_FALSE(r.error().request_id().empty());
  EXPECT_EQ(r.final_power_state(), v1::POWER_STATE_RUNNING);
  EXPECT_EQ(cloud_->Instances()[victim]["state"], "RUNNING");
}

// Runs last (gtest keeps declaration order within a suite).
TEST_F(TencentE2eTest, PasswordAppearsInNoLogMetricOrResponse) {
  ASSERT_FALSE(responses_->empty());
  EXPECT_EQ(responses_->find(kPassword), std::string::npos);
  EXPECT_EQ(resetd_->Metrics().find(kPassword), std::string::npos);
  EXPECT_EQ(resetd_->Output().find(kPassword), std::string::npos);
  EXPECT_EQ(cloud_->Output().find(kPassword), std::string::npos);
  EXPECT_EQ(cloud_->Calls().dump().find(kPassword),
            std::string::npos);
  const std::string audit = ReadFile(*audit_path_);
  EXPECT_NE(audit.find(R"("kind":"side_effect")"), std::string::npos);
  EXPECT_EQ(audit.find(kPassword), std::string::npos);
  EXPECT_EQ(audit.find(kSecretKey), std::string::npos);
  EXPECT_NE(resetd_->Output().find("event=rpc"), std::string::npos)
      << "the log was captured";
}

}  // namespace
}  // namespace resetd
