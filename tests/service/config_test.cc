#include "service/config.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/provider_kinds.h"

namespace resetd::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string WriteTemp(const std::string& text) {
  std::string path =
      ::testing::TempDir() + "/resetd_config_test_" +
      std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
  std::ofstream(path) << text;
  return path;
}

constexpr char kMinimal[] = R"({
  "insecure": true,
  "providers": [{"name": "tencent", "kind": "tencent_cvm"}]
})";

TEST(ConfigTest, AppliesDefaults) {
  auto config = ParseConfig(kMinimal, "test.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc_listen(), "0.0.0.0:50051");
  EXPECT_EQ(config->metrics_listen(), "0.0.0.0:9464");
  EXPECT_EQ(config->log_level(), "info");
  const auto& p = config->providers(0);
  EXPECT_EQ(p.endpoint(), "cvm.tencentcloudapi.com");
  EXPECT_EQ(p.scheme(), "https");
  EXPECT_EQ(p.account(), "tencent");
  EXPECT_EQ(p.max_batch(), 100);
  EXPECT_EQ(p.request_timeout_ms(), 10000);
  EXPECT_EQ(p.connect_timeout_ms(), 3000);
  EXPECT_EQ(p.credentials().secret_id_env(), "TENCENTCLOUD_SECRET_ID");
  EXPECT_EQ(p.credentials().secret_key_env(), "TENCENTCLOUD_SECRET_KEY");
  const workflow::EngineOptions defaults;
  const auto options = EngineOptionsFromConfig(*config);
  EXPECT_EQ(options.linger, defaults.linger);
  EXPECT_EQ(options.poll_interval, defaults.poll_interval);
  EXPECT_EQ(options.min_poll_interval, defaults.min_poll_interval);
  EXPECT_EQ(options.transition_timeout, defaults.transition_timeout);
  EXPECT_EQ(options.max_retries, defaults.max_retries);
  EXPECT_EQ(options.worker_threads, defaults.worker_threads);
  EXPECT_DOUBLE_EQ(options.rate_headroom, defaults.rate_headroom);
  EXPECT_EQ(options.retention, defaults.retention);
  EXPECT_EQ(config->store().retention_hours(), 168);
  EXPECT_EQ(config->store().path(), "");
  EXPECT_EQ(config->store().keys_size(), 0);
  EXPECT_EQ(config->shutdown_grace_s(), 20);
}

TEST(ConfigTest, StoreAndShutdownValuesAreKept) {
  auto config = ParseConfig(R"({"insecure": true, 
    "providers": [{"name": "t", "kind": "tencent_cvm"}],
    "store": {"path": "/var/lib/resetd/jobs.db", "retentionHours": 24,
              "keys": [{"id": "k2", "file": "/etc/resetd/k2"},
                       {"id": "k1", "env": "OLD_KEY"}]},
    "shutdownGraceS": 25
  })",
                            "t.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->store().path(), "/var/lib/resetd/jobs.db");
  EXPECT_EQ(config->store().keys(0).id(), "k2");
  EXPECT_EQ(config->store().keys(1).env(), "OLD_KEY");
  EXPECT_EQ(config->shutdown_grace_s(), 25);
  EXPECT_EQ(EngineOptionsFromConfig(*config).retention, absl::Hours(24));
}

TEST(ConfigTest, PollIntervalsAreBoundedByEachOther) {
  // The shortest poll interval defaults to 100 ms, or poll_interval_ms when
  // that is shorter.
  auto config = ParseConfig(R"({"insecure": true,
    "providers": [{"name": "t", "kind": "tencent_cvm"}],
    "engine": {"pollIntervalMs": 50}})",
                            "t.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(EngineOptionsFromConfig(*config).min_poll_interval,
            absl::Milliseconds(50));
  config = ParseConfig(R"({"insecure": true,
    "providers": [{"name": "t", "kind": "tencent_cvm"}],
    "engine": {"pollIntervalMs": 500, "minPollIntervalMs": 800}})",
                       "t.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("engine.min_poll_interval_ms: must be > 0 and <= "
                        "poll_interval_ms"));
}

TEST(ConfigTest, StoreProblemsAreAllReported) {
  auto config = ParseConfig(R"({"insecure": true, 
    "providers": [{"name": "t", "kind": "tencent_cvm"}],
    "store": {"path": "/x.db", "retentionHours": -1,
              "keys": [{"id": "a", "file": "/k", "env": "K"},
                       {"id": "a", "env": "K2"},
                       {"id": "bad id", "env": "K3"},
                       {"id": "b"}]},
    "shutdownGraceS": -5
  })",
                            "t.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m(config.status().message());
  EXPECT_THAT(m, HasSubstr("store.retention_hours: must be > 0"));
  EXPECT_THAT(m, HasSubstr("store.keys[0]: set exactly one of file and env"));
  EXPECT_THAT(m, HasSubstr("store.keys[1].id: duplicate \"a\""));
  EXPECT_THAT(m, HasSubstr("store.keys[2].id: must be 1-32 characters"));
  EXPECT_THAT(m, HasSubstr("store.keys[3]: set exactly one of file and env"));
  EXPECT_THAT(m, HasSubstr("shutdown_grace_s: must be > 0"));
}

TEST(ConfigTest, KeepsExplicitValues) {
  auto config = ParseConfig(R"({"insecure": true, 
    "grpcListen": "127.0.0.1:0",
    "providers": [{"name": "t", "kind": "tencent_cvm", "scheme": "http",
                   "endpoint": "127.0.0.1:8080", "maxBatch": 20,
                   "rateLimits": [{"action": "*", "requestsPerSecond": 5}]}],
    "engine": {"lingerMs": 50, "workerThreads": 4}
  })",
                            "t.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc_listen(), "127.0.0.1:0");
  EXPECT_EQ(config->providers(0).max_batch(), 20);
  EXPECT_EQ(config->providers(0).scheme(), "http");
  EXPECT_EQ(EngineOptionsFromConfig(*config).linger, absl::Milliseconds(50));
  EXPECT_EQ(config->engine().worker_threads(), 4);
}

TEST(ConfigTest, LoadsFile) {
  auto config = LoadConfigFile(WriteTemp(kMinimal));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->providers(0).name(), "tencent");
}

TEST(ConfigTest, MissingFileIsNotFoundAndNamed) {
  auto config = LoadConfigFile("/nonexistent/resetd.json");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("/nonexistent/resetd.json"));
}

TEST(ConfigTest, UnknownFieldIsRejectedNamingTheFile) {
  const std::string path =
      WriteTemp(R"({"providers": [], "grpcListenn": "0.0.0.0:1"})");
  auto config = LoadConfigFile(path);
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("grpcListenn"));
}

TEST(ConfigTest, MalformedJsonIsRejected) {
  auto config = ParseConfig("{", "broken.json");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("broken.json"));
}

TEST(ConfigTest, UnknownKindIsRejected) {
  auto config = ParseConfig(
      R"({"insecure": true, "providers": [{"name": "a", "kind": "aws_ec2"}]})", "c.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("providers[0].kind: unknown kind \"aws_ec2\" "
                        "(known: tencent_cvm, tencent_lighthouse, aliyun_ecs, "
                        "huawei_ecs)"));
}

TEST(ConfigTest, CollectsEveryProblem) {
  auto config = ParseConfig(R"({"insecure": true, 
    "providers": [
      {"name": "t", "kind": "tencent_cvm", "scheme": "ftp", "maxBatch": 101,
       "rateLimits": [{"action": "StopInstances", "requestsPerSecond": 0},
                      {"action": "Stop", "requestsPerSecond": 1},
                      {"action": "StopInstance", "requestsPerSecond": 1}]},
      {"name": "t", "kind": "tencent_cvm"},
      {"name": "", "kind": "tencent_cvm", "maxBatch": -1}
    ],
    "engine": {"rateHeadroom": 1.5},
    "logLevel": "loud"
  })",
                            "c.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(config.status().message());
  for (const char* expected :
       {"providers[0].scheme", "providers[0].max_batch: must be 1 to 100",
        "providers[0].rate_limits[0].requests_per_second: must be > 0",
        "providers[0].rate_limits[1].action: duplicate \"Stop\"",
        "providers[0].rate_limits[2].action: unknown action \"StopInstance\"; "
        "use one of Describe, Stop, Start, Reboot, ResetPassword, "
        "ResetVncPassword, *, "
        "DescribeInstances, StopInstances",
        "providers[1].name: duplicate \"t\"", "providers[2].name: must be set",
        "providers[2].max_batch", "engine.rate_headroom", "log_level"}) {
    EXPECT_THAT(message, HasSubstr(expected));
  }
}

TEST(ConfigTest, DefaultsPerKind) {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "cvm", "kind": "tencent_cvm"},
      {"name": "lh", "kind": "tencent_lighthouse"},
      {"name": "ali", "kind": "aliyun_ecs"},
      {"name": "hw", "kind": "huawei_ecs",
       "projectIds": {"cn-north-4": "0a1b2c3d4e5f40718293a4b5c6d7e8f9"}}]})",
                            "t.json");
  ASSERT_TRUE(config.ok()) << config.status();
  struct Expected {
    const char* endpoint;
    const char* id_env;
    const char* key_env;
  };
  const Expected expected[] = {
      {"cvm.tencentcloudapi.com", "TENCENTCLOUD_SECRET_ID",
       "TENCENTCLOUD_SECRET_KEY"},
      {"lighthouse.tencentcloudapi.com", "TENCENTCLOUD_SECRET_ID",
       "TENCENTCLOUD_SECRET_KEY"},
      {"ecs.aliyuncs.com", "ALIBABA_CLOUD_ACCESS_KEY_ID",
       "ALIBABA_CLOUD_ACCESS_KEY_SECRET"},
      // Huawei: no endpoint; the client uses ecs.{region}.myhuaweicloud.com.
      {"", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"},
  };
  for (int i = 0; i < 4; ++i) {
    const auto& p = config->providers(i);
    EXPECT_EQ(p.endpoint(), expected[i].endpoint) << p.name();
    EXPECT_EQ(p.credentials().secret_id_env(), expected[i].id_env) << p.name();
    EXPECT_EQ(p.credentials().secret_key_env(), expected[i].key_env)
        << p.name();
    EXPECT_EQ(p.max_batch(), 100) << p.name();
    EXPECT_EQ(p.scheme(), "https") << p.name();
  }
  EXPECT_EQ(config->providers(3).project_ids().at("cn-north-4"),
            "0a1b2c3d4e5f40718293a4b5c6d7e8f9");
  EXPECT_FALSE(config->providers(3).batch_reset());
}

TEST(ConfigTest, HuaweiOptionsAreKept) {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "hw", "kind": "huawei_ecs", "endpoint": "127.0.0.1:8080",
       "scheme": "http", "regions": ["cn-north-4", "ap-southeast-1"],
       "project_ids": {"cn-north-4": "p1", "ap-southeast-1": "p_2-x"},
       "batchReset": true, "maxBatch": 50}]})",
                            "t.json");
  ASSERT_TRUE(config.ok()) << config.status();
  const auto& p = config->providers(0);
  EXPECT_EQ(p.endpoint(), "127.0.0.1:8080");
  EXPECT_EQ(p.project_ids().size(), 2u);
  EXPECT_EQ(p.project_ids().at("ap-southeast-1"), "p_2-x");
  EXPECT_TRUE(p.batch_reset());
  EXPECT_EQ(p.max_batch(), 50);
}

TEST(ConfigTest, HuaweiNeedsAProjectIdPerRegion) {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "a", "kind": "huawei_ecs",
       "regions": ["cn-north-4", "ap-southeast-1"],
       "projectIds": {"cn-north-4": "0a1b2c3d4e5f40718293a4b5c6d7e8f9"}},
      {"name": "b", "kind": "huawei_ecs"},
      {"name": "c", "kind": "huawei_ecs",
       "projectIds": {"cn-north-4": "../../v2", "": "p"}}]})",
                            "c.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m(config.status().message());
  EXPECT_THAT(m, HasSubstr("providers[0].project_ids: no project id for "
                           "region \"ap-southeast-1\" (listed in regions)"));
  EXPECT_THAT(m, Not(HasSubstr("region \"cn-north-4\" (listed")));
  EXPECT_THAT(m, HasSubstr("providers[1].project_ids: must map each region "
                           "jobs may target to its project id"));
  EXPECT_THAT(m, HasSubstr("providers[2].project_ids[\"cn-north-4\"]: must "
                           "be 1-64 characters of A-Z a-z 0-9 _ -"));
  EXPECT_THAT(m, HasSubstr("providers[2].project_ids: empty region"));
  // Huawei needs no endpoint; the others do (when emptied explicitly, the
  // default fills it, so no error for them either).
  EXPECT_THAT(m, Not(HasSubstr("endpoint")));
}

TEST(ConfigTest, KindOnlyOptionsAreRefusedElsewhere) {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "t", "kind": "tencent_cvm", "projectIds": {"ap-guangzhou": "p"}},
      {"name": "a", "kind": "aliyun_ecs", "batchReset": true},
      {"name": "l", "kind": "tencent_lighthouse", "batchReset": true}]})",
                            "c.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m(config.status().message());
  EXPECT_THAT(m, HasSubstr("providers[0].project_ids is not used by kind "
                           "\"tencent_cvm\""));
  EXPECT_THAT(m, HasSubstr("providers[1].batch_reset is not used by kind "
                           "\"aliyun_ecs\""));
  EXPECT_THAT(m, HasSubstr("providers[2].batch_reset is not used by kind "
                           "\"tencent_lighthouse\""));
}

// Rate limits may name engine actions or each kind's own API action names.
TEST(ConfigTest, RateLimitActionNamesPerKind) {
  struct Row {
    const char* kind;
    const char* action;
    const char* engine;  // "" = not accepted
  };
  const Row rows[] = {
      {"tencent_cvm", "ResetInstancesPassword", "ResetPassword"},
      {"tencent_cvm", "ModifyInstanceAttribute", ""},
      {"tencent_cvm", "ResetVncPassword", "ResetVncPassword"},
      {"tencent_lighthouse", "DescribeInstances", "Describe"},
      {"tencent_lighthouse", "StopInstances", "Stop"},
      {"tencent_lighthouse", "StartInstances", "Start"},
      {"tencent_lighthouse", "RebootInstances", "Reboot"},
      {"tencent_lighthouse", "ResetInstancesPassword", "ResetPassword"},
      {"aliyun_ecs", "DescribeInstances", "Describe"},
      {"aliyun_ecs", "StopInstances", "Stop"},
      {"aliyun_ecs", "StartInstances", "Start"},
      {"aliyun_ecs", "RebootInstances", "Reboot"},
      {"aliyun_ecs", "ModifyInstanceAttribute", "ResetPassword"},
      {"aliyun_ecs", "ModifyInstanceVncPasswd", "ResetVncPassword"},
      {"aliyun_ecs", "ResetInstancesPassword", ""},
      {"huawei_ecs", "ListServersDetails", "Describe"},
      {"huawei_ecs", "BatchStopServers", "Stop"},
      {"huawei_ecs", "BatchStartServers", "Start"},
      {"huawei_ecs", "BatchRebootServers", "Reboot"},
      {"huawei_ecs", "ResetServerPassword", "ResetPassword"},
      {"huawei_ecs", "BatchResetServersPassword", "ResetPassword"},
      {"huawei_ecs", "DescribeInstances", ""},
      {"huawei_ecs", "ResetVncPassword", "ResetVncPassword"},
      {"huawei_ecs", "*", "*"},
  };
  for (const Row& row : rows) {
    const ProviderKind* kind = FindProviderKind(row.kind);
    ASSERT_NE(kind, nullptr) << row.kind;
    EXPECT_EQ(EngineActionFor(*kind, row.action), row.engine)
        << row.kind << " " << row.action;
    const std::string extra = std::string(row.kind) == "huawei_ecs"
                                  ? R"(, "projectIds": {"cn-north-4": "p"})"
                                  : "";
    auto config = ParseConfig(
        std::string(R"({"insecure": true, "providers": [{"name": "p", "kind": ")") + row.kind +
            R"(", "rateLimits": [{"action": ")" + row.action +
            R"(", "requestsPerSecond": 3}])" + extra + "}]}",
        "c.json");
    EXPECT_EQ(config.ok(), *row.engine != '\0')
        << row.kind << " " << row.action << ": " << config.status();
  }
}

TEST(ConfigTest, UnknownActionListsTheKindsNames) {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "a", "kind": "aliyun_ecs",
       "rateLimits": [{"action": "ResetInstancesPassword",
                       "requestsPerSecond": 1}]}]})",
                            "c.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(config.status().message()),
      HasSubstr("unknown action \"ResetInstancesPassword\"; use one of "
                "Describe, Stop, Start, Reboot, ResetPassword, "
                "ResetVncPassword, *, DescribeInstances, StopInstances, "
                "StartInstances, RebootInstances, "
                "ModifyInstanceAttribute, ModifyInstanceVncPasswd"));
}

TEST(ConfigTest, MultiProviderExampleLoads) {
  auto config =
      LoadConfigFile(std::string(RESETD_EXAMPLES_DIR) + "/resetd-multi.json");
  ASSERT_TRUE(config.ok()) << config.status();
  std::set<std::string> kinds;
  for (const auto& p : config->providers()) kinds.insert(p.kind());
  EXPECT_EQ(kinds, (std::set<std::string>{"tencent_cvm", "tencent_lighthouse",
                                          "aliyun_ecs", "huawei_ecs"}));
}

TEST(ConfigTest, ProtoFieldNamesAreAcceptedToo) {
  auto config = ParseConfig(
      R"({"insecure": true, "grpc_listen": "[::]:0", "providers": [{"name": "t", "kind": "tencent_cvm", "max_batch": 7}]})",
      "c.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->providers(0).max_batch(), 7);
}

}  // namespace
}  // namespace resetd::service
