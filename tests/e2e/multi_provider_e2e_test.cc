// One job across every seed provider — Tencent CVM, Tencent Lighthouse,
// Alibaba ECS and Huawei ECS — in running and stopped states, run by resetd
// against fakecloud over real HTTP and gRPC. Each provider's recipe comes
// from its client's capabilities; the test checks what the "cloud" saw.
#include <grpcpp/grpcpp.h>

#include <map>
#include <set>
#include <string>
#include <tuple>

#include "common/crypto.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace resetd {
namespace {

using nlohmann::json;
using resetd::testing::FakeCloud;
using resetd::testing::Resetd;

// Satisfies every provider's rule: 8-26 characters, upper, lower, digit and
// specials every provider accepts; contains neither "root" nor any three
// letters in a row of "Administrator".
constexpr char kPassword[] = "Mx7-Qa9.Zk2_Lp4";

// Provider kind in fakecloud -> resetd provider name (the config's `name`).
const std::map<std::string, std::string>& Names() {
  static const auto* names = new std::map<std::string, std::string>{
      {"tencent_cvm", "cvm"},
      {"tencent_lighthouse", "lighthouse"},
      {"aliyun_ecs", "aliyun"},
      {"huawei_ecs", "huawei"}};
  return *names;
}

TEST(MultiProviderE2eTest, OneJobAcrossEveryProviderKeepsEveryInvariant) {
  const std::string dir = resetd::testing::MakeTempDir("resetd-multi");
  const std::map<std::string, std::string> env = {
      {"TENCENTCLOUD_SECRET_ID", "AKIDmultiTEST"},
      {"TENCENTCLOUD_SECRET_KEY", "multi-tencent-key"},
      {"ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAImultiTEST"},
      {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "multi-aliyun-secret"},
      {"HUAWEICLOUD_SDK_AK", "HWMULTITESTAK0000000"},
      {"HUAWEICLOUD_SDK_SK", "multi-huawei-secret"}};
  FakeCloud cloud({"--instances", "80", "--mix",
                   "tencent_cvm=0.25,tencent_lighthouse=0.25,aliyun_ecs=0.25,"
                   "huawei_ecs=0.25",
                   "--running-fraction", "0.6", "--windows-fraction", "0.2",
                   "--forbidden", "8", "--seed", "4242", "--transition-ms",
                   "200:500", "--reset-ms", "150:300"},
                  env, dir);
  ASSERT_TRUE(cloud.ok()) << cloud.Output();
  const json projects = cloud.Get("/_fake/huawei/projects");
  ASSERT_TRUE(projects.is_object()) << cloud.Output();

  json providers = json::array();
  for (const auto& [kind, name] : Names()) {
    json p = {{"name", name},
              {"kind", kind},
              {"endpoint", cloud.address()},
              {"scheme", "http"}};
    if (kind == "huawei_ecs") p["projectIds"] = projects;
    providers.push_back(p);
  }
  Resetd resetd({{"grpcListen", "127.0.0.1:0"},
                 {"insecure", true},
                 {"metricsListen", "127.0.0.1:0"},
                 {"providers", providers},
                 {"engine", {{"lingerMs", 100}, {"pollIntervalMs", 300}}}},
                env, dir);
  ASSERT_TRUE(resetd.Start()) << resetd.Output();

  // One target per (provider, region, OS).
  const auto before = cloud.Instances();
  std::map<std::tuple<std::string, std::string, std::string>,
           std::vector<std::string>>
      groups;
  std::set<std::string> kinds_seen, states_seen;
  for (const auto& [id, i] : before) {
    groups[{i["provider"], i["region"], i["os_type"]}].push_back(id);
    kinds_seen.insert(i["provider"].get<std::string>());
    states_seen.insert(i["provider"].get<std::string>() + "/" +
                       i["state"].get<std::string>());
  }
  ASSERT_EQ(kinds_seen.size(), 4u);
  v1::CreateResetJobRequest request;
  request.set_request_id("multi-1");
  request.set_password(kPassword);
  for (const auto& [key, ids] : groups) {
    const auto& [kind, region, os] = key;
    auto* t = request.add_targets();
    t->set_provider(Names().at(kind));
    t->set_region(region);
    t->set_os_type(os == "WINDOWS" ? v1::OS_TYPE_WINDOWS : v1::OS_TYPE_LINUX);
    for (const auto& id : ids) t->add_instance_ids(id);
  }
  grpc::ClientContext ctx;
  v1::ResetJob created;
  grpc::Status s = resetd.stub().CreateResetJob(&ctx, request, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::string seen;
  resetd::testing::FullJob job =
      resetd::testing::WatchToEnd(resetd.stub(), created.job_id(), &seen);

  // Instances in states that forbid a reset fail untouched; all others
  // succeed.
  EXPECT_EQ(job.state(), v1::JOB_STATE_PARTIALLY_FAILED);
  EXPECT_EQ(job.counts().failed(), 8);
  std::set<std::string> forbidden;
  const std::string digest = Sha256Hex(kPassword);
  const auto after = cloud.Instances();
  std::map<std::string, const v1::InstanceResult*> results;
  for (const auto& r : job.instances()) results[r.instance_id()] = &r;
  for (const auto& [id, b] : before) {
    const json& a = after.at(id);
    const std::string kind = b["provider"];
    EXPECT_EQ(a["state"], b["state"]) << kind << " " << id;
    ASSERT_TRUE(results.count(id)) << id;
    if (b["state"] != "RUNNING" && b["state"] != "STOPPED") {
      forbidden.insert(id);
      EXPECT_EQ(results[id]->state(), v1::INSTANCE_STATE_FAILED) << id;
      EXPECT_NE(a["password_digest"], digest) << id;
      continue;
    }
    // A next-boot provider's stopped instance holds the password staged:
    // it takes effect at its next start.
    const bool applied = a["password_digest"] == digest;
    const bool staged = a["staged_password_digest"] == digest;
    EXPECT_TRUE(applied || (staged && b["state"] == "STOPPED"))
        << kind << " " << id << " " << b["state"];
    EXPECT_EQ(results[id]->state(), v1::INSTANCE_STATE_SUCCEEDED) << id;
    EXPECT_EQ(results[id]->verification(),
              kind == "huawei_ecs" ? v1::RESET_VERIFICATION_UNVERIFIABLE
                                   : v1::RESET_VERIFICATION_VERIFIED)
        << kind << " " << id;
  }

  // What the cloud saw, per provider: batches within the limit, no action
  // over its rate in any second, nothing throttled or rejected.
  const json calls = cloud.Calls();
  std::map<std::string, json> per_provider;
  for (const auto& c : calls) {
    EXPECT_LE(c["instance_ids"].size(), 100u) << c.dump();
    EXPECT_EQ(c["result"], "OK") << c.dump();
    if (c["action"].get<std::string>().find("Describe") == std::string::npos &&
        c["action"] != "ListServersDetails") {
      for (const auto& id : c["instance_ids"]) {
        EXPECT_FALSE(forbidden.count(id)) << c["action"] << " touched " << id;
      }
    }
    per_provider[c["provider"].get<std::string>()].push_back(c);
  }
  EXPECT_EQ(per_provider.size(), 4u);
  for (const auto& [kind, list] : per_provider) {
    for (const auto& [action, most] :
         resetd::testing::MaxCallsPerSecond(list)) {
      EXPECT_LE(most, resetd::testing::DefaultRate(kind, action))
          << kind << " " << action;
    }
    EXPECT_TRUE(resetd::testing::StoppedTwiceInARow(list).empty()) << kind;
  }
  EXPECT_EQ(seen.find(kPassword), std::string::npos);
  EXPECT_EQ(resetd.Output().find(kPassword), std::string::npos);
  EXPECT_EQ(cloud.Output().find(kPassword), std::string::npos);
  EXPECT_EQ(calls.dump().find(kPassword), std::string::npos);
}

}  // namespace
}  // namespace resetd
