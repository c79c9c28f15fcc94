#include "service/provider_setup.h"

#include <fstream>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "service/config.h"

namespace resetd::service {
namespace {

// A client that is never called: the registry only holds it.
class NullClient : public clients::CloudClient {
 public:
  const clients::Capabilities& capabilities() const override { return caps_; }
  absl::StatusOr<std::vector<clients::InstanceStatus>> Describe(
      std::string_view, absl::Span<const std::string>) override {
    return absl::UnimplementedError("null");
  }
  absl::StatusOr<clients::CallResult> Stop(std::string_view,
                                           absl::Span<const std::string>,
                                           clients::StopMode) override {
    return absl::UnimplementedError("null");
  }
  absl::StatusOr<clients::CallResult> Start(
      std::string_view, absl::Span<const std::string>) override {
    return absl::UnimplementedError("null");
  }
  absl::StatusOr<clients::CallResult> Reboot(std::string_view,
                                             absl::Span<const std::string>,
                                             clients::StopMode) override {
    return absl::UnimplementedError("null");
  }
  absl::StatusOr<clients::CallResult> ResetPassword(
      std::string_view, absl::Span<const std::string>,
      const clients::ResetPasswordParams&) override {
    return absl::UnimplementedError("null");
  }

 private:
  clients::Capabilities caps_;
};

TEST(ProviderSetupTest, BuildsEntriesWithRatesAndBatch) {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "a", "kind": "tencent_cvm", "account": "acct-1", "maxBatch": 50,
       "rateLimits": [{"action": "ResetInstancesPassword", "requestsPerSecond": 2},
                      {"action": "Describe", "requestsPerSecond": 20},
                      {"action": "*", "requestsPerSecond": 8}]},
      {"name": "b", "kind": "tencent_cvm"}]})",
                            "t");
  ASSERT_TRUE(config.ok()) << config.status();
  std::vector<std::string> built;
  auto registry = BuildProviderRegistry(
      *config,
      [&](const resetd::v1::ProviderConfig& p)
          -> absl::StatusOr<std::shared_ptr<clients::CloudClient>> {
        built.push_back(p.name());
        return std::shared_ptr<clients::CloudClient>(
            std::make_shared<NullClient>());
      });
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ(built, (std::vector<std::string>{"a", "b"}));
  const auto& a = registry->at("a");
  EXPECT_EQ(a.account, "acct-1");
  EXPECT_EQ(a.max_batch, 50);
  EXPECT_NE(a.client, nullptr);
  EXPECT_DOUBLE_EQ(a.rate_per_second.at("*"), 8);
  // Keyed by the engine's action names, whichever way the config spells them.
  EXPECT_EQ(a.rate_per_second,
            (std::map<std::string, double>{
                {"*", 8}, {"Describe", 20}, {"ResetPassword", 2}}));
  const auto& b = registry->at("b");
  EXPECT_EQ(b.account, "b");
  EXPECT_EQ(b.max_batch, 100);
  // Tencent publishes DescribeInstances at 40/s; "*" in a's config set
  // every action it did not name, the published one too.
  EXPECT_EQ(b.rate_per_second,
            (std::map<std::string, double>{{"*", 10.0}, {"Describe", 40.0}}));
}

// Each kind defaults to its provider's published rates (README, Providers);
// a config lowers any of them by name.
TEST(ProviderSetupTest, PublishedRatesAreTheDefaults) {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "cvm", "kind": "tencent_cvm"},
      {"name": "lh", "kind": "tencent_lighthouse"},
      {"name": "lh-shared", "kind": "tencent_lighthouse",
       "rateLimits": [{"action": "DescribeInstances", "requestsPerSecond": 5}]},
      {"name": "ali", "kind": "aliyun_ecs"},
      {"name": "hw", "kind": "huawei_ecs", "regions": ["cn-north-4"],
       "projectIds": {"cn-north-4": "0a1b2c3d4e5f40718293a4b5c6d7e8f9"}}]})",
                            "t");
  ASSERT_TRUE(config.ok()) << config.status();
  auto registry = BuildProviderRegistry(
      *config, [](const resetd::v1::ProviderConfig&)
                   -> absl::StatusOr<std::shared_ptr<clients::CloudClient>> {
        return std::shared_ptr<clients::CloudClient>(
            std::make_shared<NullClient>());
      });
  ASSERT_TRUE(registry.ok()) << registry.status();
  using Rates = std::map<std::string, double>;
  EXPECT_EQ(registry->at("cvm").rate_per_second,
            (Rates{{"*", 10}, {"Describe", 40}}));
  EXPECT_EQ(registry->at("lh").rate_per_second,
            (Rates{{"*", 10}, {"Describe", 100}, {"ResetPassword", 20}}));
  EXPECT_EQ(registry->at("lh-shared").rate_per_second,
            (Rates{{"*", 10}, {"Describe", 5}, {"ResetPassword", 20}}));
  EXPECT_EQ(registry->at("ali").rate_per_second, (Rates{{"*", 10}}));
  EXPECT_EQ(registry->at("hw").rate_per_second, (Rates{{"*", 10}}));
}

// Every kind reaches the factory with its defaults and options, and its
// rate limits are keyed by the engine's action names.
TEST(ProviderSetupTest, BuildsEveryKind) {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "cvm", "kind": "tencent_cvm",
       "rateLimits": [{"action": "ResetInstancesPassword", "requestsPerSecond": 2}]},
      {"name": "lh", "kind": "tencent_lighthouse",
       "rateLimits": [{"action": "ResetInstancesPassword", "requestsPerSecond": 20},
                      {"action": "DescribeInstances", "requestsPerSecond": 50}]},
      {"name": "ali", "kind": "aliyun_ecs", "account": "ali-prod",
       "rateLimits": [{"action": "ModifyInstanceAttribute", "requestsPerSecond": 4},
                      {"action": "ModifyInstanceVncPasswd", "requestsPerSecond": 3},
                      {"action": "RebootInstances", "requestsPerSecond": 6}]},
      {"name": "hw", "kind": "huawei_ecs", "regions": ["cn-north-4"],
       "projectIds": {"cn-north-4": "0a1b2c3d4e5f40718293a4b5c6d7e8f9"},
       "batchReset": true, "maxBatch": 80,
       "credentials": {"secretIdFile": "/s/ak", "secretKeyFile": "/s/sk"},
       "rateLimits": [{"action": "ListServersDetails", "requestsPerSecond": 9},
                      {"action": "BatchStopServers", "requestsPerSecond": 7},
                      {"action": "ResetServerPassword", "requestsPerSecond": 5}]}]})",
                            "t");
  ASSERT_TRUE(config.ok()) << config.status();
  std::map<std::string, resetd::v1::ProviderConfig> seen;
  auto registry = BuildProviderRegistry(
      *config,
      [&](const resetd::v1::ProviderConfig& p)
          -> absl::StatusOr<std::shared_ptr<clients::CloudClient>> {
        seen[p.name()] = p;
        return std::shared_ptr<clients::CloudClient>(
            std::make_shared<NullClient>());
      });
  ASSERT_TRUE(registry.ok()) << registry.status();
  ASSERT_EQ(registry->size(), 4u);
  EXPECT_EQ(seen.at("cvm").kind(), "tencent_cvm");
  EXPECT_EQ(seen.at("lh").endpoint(), "lighthouse.tencentcloudapi.com");
  EXPECT_EQ(seen.at("lh").credentials().secret_id_env(),
            "TENCENTCLOUD_SECRET_ID");
  EXPECT_EQ(seen.at("ali").endpoint(), "ecs.aliyuncs.com");
  EXPECT_EQ(seen.at("ali").credentials().secret_key_env(),
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  const auto& hw = seen.at("hw");
  EXPECT_EQ(hw.endpoint(), "");
  EXPECT_EQ(hw.project_ids().at("cn-north-4"),
            "0a1b2c3d4e5f40718293a4b5c6d7e8f9");
  EXPECT_TRUE(hw.batch_reset());
  EXPECT_EQ(hw.credentials().secret_id_file(), "/s/ak");
  EXPECT_EQ(hw.credentials().secret_id_env(), "HUAWEICLOUD_SDK_AK");

  using Rates = std::map<std::string, double>;
  EXPECT_EQ(registry->at("cvm").rate_per_second,
            (Rates{{"*", 10}, {"Describe", 40}, {"ResetPassword", 2}}));
  EXPECT_EQ(registry->at("lh").rate_per_second,
            (Rates{{"*", 10}, {"Describe", 50}, {"ResetPassword", 20}}));
  EXPECT_EQ(registry->at("ali").account, "ali-prod");
  EXPECT_EQ(registry->at("ali").rate_per_second,
            (Rates{{"*", 10},
                   {"Reboot", 6},
                   {"ResetPassword", 4},
                   {"ResetVncPassword", 3}}));
  EXPECT_EQ(registry->at("hw").max_batch, 80);
  EXPECT_EQ(
      registry->at("hw").rate_per_second,
      (Rates{{"*", 10}, {"Describe", 9}, {"ResetPassword", 5}, {"Stop", 7}}));
}

TEST(ProviderSetupTest, FactoryErrorNamesProvider) {
  auto config = ParseConfig(
      R"({"insecure": true, "providers": [{"name": "a", "kind": "tencent_cvm"}]})", "t");
  ASSERT_TRUE(config.ok());
  auto registry = BuildProviderRegistry(
      *config,
      [](const resetd::v1::ProviderConfig&)
          -> absl::StatusOr<std::shared_ptr<clients::CloudClient>> {
        return absl::FailedPreconditionError(
            "TENCENTCLOUD_SECRET_KEY is not set");
      });
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(registry.status().message(),
            "provider a: TENCENTCLOUD_SECRET_KEY is not set");
}

// Entries that reach one account claim the same instances: the scope is
// the cloud and a digest of the API key id, never the key id itself.
TEST(ProviderSetupTest, ClaimScopeIsTheAccountsKeyNotTheEntryName) {
  const std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& value) {
    std::ofstream(dir + "/" + name) << value << "\n";
    return dir + "/" + name;
  };
  const std::string key1 = write("scope_key1", "AKIDscopeTESTone");
  const std::string key2 = write("scope_key2", "AKIDscopeTESTtwo");
  auto config = ParseConfig(
      R"({"insecure": true, "providers": [
      {"name": "cvm", "kind": "tencent_cvm",
       "credentials": {"secretIdFile": ")" + key1 + R"("}},
      {"name": "lighthouse", "kind": "tencent_lighthouse",
       "credentials": {"secretIdFile": ")" + key1 + R"("}},
      {"name": "cvm-other", "kind": "tencent_cvm",
       "credentials": {"secretIdFile": ")" + key2 + R"("}},
      {"name": "ali", "kind": "aliyun_ecs",
       "credentials": {"secretIdFile": ")" + key1 + R"("}}]})",
      "t");
  ASSERT_TRUE(config.ok()) << config.status();
  auto registry = BuildProviderRegistry(
      *config, [](const resetd::v1::ProviderConfig&)
                   -> absl::StatusOr<std::shared_ptr<clients::CloudClient>> {
        return std::shared_ptr<clients::CloudClient>(
            std::make_shared<NullClient>());
      });
  ASSERT_TRUE(registry.ok()) << registry.status();
  const auto& r = *registry;
  EXPECT_EQ(r.at("cvm").claim_scope, r.at("lighthouse").claim_scope);
  EXPECT_NE(r.at("cvm").claim_scope, r.at("cvm-other").claim_scope);
  EXPECT_NE(r.at("cvm").claim_scope, r.at("ali").claim_scope);
  EXPECT_EQ(r.at("cvm").claim_scope.rfind("tencent:key:", 0), 0u);
  for (const auto& [name, entry] : r) {
    EXPECT_EQ(entry.claim_scope.find("AKID"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace resetd::service
