#include "service/provider_setup.h"

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
  auto config = ParseConfig(R"({"providers": [
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
  EXPECT_EQ(b.rate_per_second, (std::map<std::string, double>{{"*", 10.0}}));
}

TEST(ProviderSetupTest, FactoryErrorNamesProvider) {
  auto config = ParseConfig(
      R"({"providers": [{"name": "a", "kind": "tencent_cvm"}]})", "t");
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

}  // namespace
}  // namespace resetd::service
