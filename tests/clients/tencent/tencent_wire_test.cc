#include "clients/tencent/tencent_wire.h"

#include <string>
#include <vector>

#include "clients/provider_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::clients::tencent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(TencentWireTest, PowerStateOfEveryDocumentedInstanceState) {
  const std::vector<std::pair<std::string, PowerState>> cases = {
      {"PENDING", PowerState::kPending},
      {"LAUNCH_FAILED", PowerState::kLaunchFailed},
      {"RUNNING", PowerState::kRunning},
      {"STOPPED", PowerState::kStopped},
      {"STARTING", PowerState::kStarting},
      {"STOPPING", PowerState::kStopping},
      {"REBOOTING", PowerState::kRebooting},
      {"SHUTDOWN", PowerState::kShutdown},
      {"TERMINATING", PowerState::kTerminating},
      {"ENTER_RESCUE_MODE", PowerState::kRescue},
      {"RESCUE_MODE", PowerState::kRescue},
      {"EXIT_RESCUE_MODE", PowerState::kRescue},
      {"ENTER_SERVICE_LIVE_MIGRATE", PowerState::kMigrating},
      {"SERVICE_LIVE_MIGRATE", PowerState::kMigrating},
      {"EXIT_SERVICE_LIVE_MIGRATE", PowerState::kMigrating},
      {"running", PowerState::kUnknown},
      {"", PowerState::kUnknown},
      {"HIBERNATED", PowerState::kUnknown},
  };
  for (const auto& [word, state] : cases) {
    EXPECT_EQ(TencentPowerState(word), state) << word;
  }
}

TEST(TencentWireTest, StopTypes) {
  EXPECT_EQ(TencentStopType(StopMode::kSoft), "SOFT");
  EXPECT_EQ(TencentStopType(StopMode::kSoftThenForce), "SOFT_FIRST");
  EXPECT_EQ(TencentStopType(StopMode::kForce), "HARD");
}

TEST(TencentWireTest, IdsNamedInMessageMatchesWholeIdsOnly) {
  const std::vector<std::string> ids = {"ins-1", "ins-12", "ins-3"};
  EXPECT_THAT(IdsNamedInMessage("The instance `ins-12` is not found.", ids),
              ElementsAre("ins-12"));
  EXPECT_THAT(IdsNamedInMessage(
                  "The instances `['ins-3', 'ins-1']` are not found", ids),
              ElementsAre("ins-1", "ins-3"));
  EXPECT_THAT(IdsNamedInMessage("实例`ins-3`不存在", ids),
              ElementsAre("ins-3"));
  EXPECT_THAT(IdsNamedInMessage("ins-123 and ins-1x", ids), IsEmpty());
  EXPECT_THAT(IdsNamedInMessage("The instance is not found.", ids), IsEmpty());
}

TEST(TencentWireTest, ParseSuccessReturnsResponseObject) {
  http::HttpResponse response;
  response.status = 200;
  response.body = R"({"Response":{"RequestId":"abc","TotalCount":0}})";
  auto parsed = ParseTencentResponse("DescribeInstances", response);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)["RequestId"], "abc");
}

TEST(TencentWireTest, UnparseableBodyIsNotQuoted) {
  http::HttpResponse response;
  response.status = 200;
  response.body = "secret-looking-garbage";
  absl::Status s = ParseTencentResponse("StartInstances", response).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("unparseable"));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("garbage")));
}

}  // namespace
}  // namespace resetd::clients::tencent
