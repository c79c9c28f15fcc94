// What only Lighthouse does. The cases it shares with CVM run for both
// products in tests/clients/tencent/api3_instance_client_test.cc.
#include "clients/lighthouse/lighthouse_client.h"

#include <string>
#include <utility>
#include <vector>

#include "clients/tencent/credentials.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/clients/tencent/api3_test_harness.h"

namespace resetd::clients::lighthouse {
namespace {

using testing::Accepted;
using testing::InstanceSet;
using testing::kApi3Region;

class LighthouseClientTest : public ::testing::Test,
                             public testing::Api3Harness {
 protected:
  LighthouseClientTest() : Api3Harness(testing::Lighthouse()) {}
};

// Every InstanceState of the Lighthouse reference, through Describe.
TEST_F(LighthouseClientTest, DescribeMapsEveryDocumentedState) {
  const std::vector<std::pair<std::string, PowerState>> states = {
      {"PENDING", PowerState::kPending},
      {"LAUNCH_FAILED", PowerState::kLaunchFailed},
      {"RUNNING", PowerState::kRunning},
      {"STOPPED", PowerState::kStopped},
      {"STARTING", PowerState::kStarting},
      {"STOPPING", PowerState::kStopping},
      {"REBOOTING", PowerState::kRebooting},
      {"SHUTDOWN", PowerState::kShutdown},
      {"TERMINATING", PowerState::kTerminating},
      {"DELETING", PowerState::kTerminating},
      {"FREEZING", PowerState::kShutdown},
      {"ENTER_RESCUE_MODE", PowerState::kRescue},
      {"RESCUE_MODE", PowerState::kRescue},
      {"EXIT_RESCUE_MODE", PowerState::kRescue},
      {"SOMETHING_NEW", PowerState::kUnknown},
  };
  std::vector<nlohmann::json> set;
  const std::vector<std::string> ids = Ids(static_cast<int>(states.size()));
  for (size_t i = 0; i < states.size(); ++i) {
    set.push_back(Instance(ids[i], states[i].first));
  }
  transport_->Push(InstanceSet(set));
  auto result = Client()->Describe(kApi3Region, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  for (size_t i = 0; i < states.size(); ++i) {
    EXPECT_EQ((*result)[i].state, states[i].second) << states[i].first;
    EXPECT_EQ((*result)[i].provider_state, states[i].first);
  }
}

TEST_F(LighthouseClientTest, ResetNeverSendsForceStopAndOmitsEmptyUserName) {
  ResetPasswordParams params = Params("");
  params.force_stop = true;  // Lighthouse has none: the reset shuts down
  transport_->Push(Accepted());
  ASSERT_TRUE(Client()->ResetPassword(kApi3Region, Ids(1), params).ok());
  EXPECT_EQ(transport_->requests()[0].body,
            R"({"InstanceIds":["lhins-00000001"],)"
            R"("Password":"Fake-Passw0rd!2024"})");
}

TEST_F(LighthouseClientTest, CredentialsComeFromTheTencentVariables) {
  // Lighthouse uses a Tencent Cloud API key: the CVM loader's defaults.
  tencent::CredentialSources sources;
  EXPECT_EQ(sources.secret_id_env, "TENCENTCLOUD_SECRET_ID");
  EXPECT_EQ(sources.secret_key_env, "TENCENTCLOUD_SECRET_KEY");
}

}  // namespace
}  // namespace resetd::clients::lighthouse
