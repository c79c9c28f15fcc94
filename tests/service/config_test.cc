#include "service/config.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::service {
namespace {

using ::testing::HasSubstr;

std::string WriteTemp(const std::string& text) {
  std::string path =
      ::testing::TempDir() + "/resetd_config_test_" +
      std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
  std::ofstream(path) << text;
  return path;
}

constexpr char kMinimal[] = R"({
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
  auto config = ParseConfig(R"({
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

TEST(ConfigTest, StoreProblemsAreAllReported) {
  auto config = ParseConfig(R"({
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
  auto config = ParseConfig(R"({
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
      R"({"providers": [{"name": "a", "kind": "aws_ec2"}]})", "c.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("providers[0].kind: unknown kind \"aws_ec2\" "
                        "(known: tencent_cvm)"));
}

TEST(ConfigTest, CollectsEveryProblem) {
  auto config = ParseConfig(R"({
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
        "use one of Describe, Stop, Start, Reboot, ResetPassword, *, "
        "DescribeInstances, StopInstances",
        "providers[1].name: duplicate \"t\"", "providers[2].name: must be set",
        "providers[2].max_batch", "engine.rate_headroom", "log_level"}) {
    EXPECT_THAT(message, HasSubstr(expected));
  }
}

TEST(ConfigTest, ProtoFieldNamesAreAcceptedToo) {
  auto config = ParseConfig(
      R"({"grpc_listen": "[::]:0", "providers": [{"name": "t", "kind": "tencent_cvm", "max_batch": 7}]})",
      "c.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->providers(0).max_batch(), 7);
}

}  // namespace
}  // namespace resetd::service
