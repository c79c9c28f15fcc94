#include "fakecloud/fleet.h"

#include <string>
#include <vector>

#include "common/crypto.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace resetd::fakecloud {
namespace {

using resetd::testing::FakeClock;

InstanceSpec Spec(const std::string& id, const std::string& state,
                  OsType os = OsType::kLinux,
                  const std::string& region = "ap-guangzhou") {
  InstanceSpec s;
  s.instance_id = id;
  s.region = region;
  s.zone = region + "-1";
  s.os_type = os;
  s.state = state;
  return s;
}

class FleetTest : public ::testing::Test {
 protected:
  FleetTest()
      : fleet_(
            clock_,
            FleetOptions{{absl::Seconds(2), absl::Seconds(2)},
                         {absl::Seconds(1), absl::Seconds(1)},
                         7},
            {Spec("ins-running1", "RUNNING"), Spec("ins-running2", "RUNNING"),
             Spec("ins-stopped1", "STOPPED"), Spec("ins-stopped2", "STOPPED"),
             Spec("ins-windows1", "STOPPED", OsType::kWindows),
             Spec("ins-shanghai", "RUNNING", OsType::kLinux, "ap-shanghai")}) {}

  InstanceView Get(const std::string& id) {
    std::vector<InstanceView> v = fleet_.Describe("ap-guangzhou", {id});
    EXPECT_EQ(v.size(), 1u) << id;
    return v.empty() ? InstanceView{} : v[0];
  }

  std::string Code(const std::optional<ApiError>& e) {
    return e ? e->code : "OK";
  }

  std::string Power(PowerAction a, std::vector<std::string> ids) {
    return Code(fleet_.Power(a, "ap-guangzhou", ids, "req-1"));
  }

  std::string Reset(std::vector<std::string> ids, const std::string& password,
                    bool force = false) {
    return Code(fleet_.ResetPassword("ap-guangzhou", ids, Secret(password),
                                     force, "req-reset"));
  }

  FakeClock clock_;
  Fleet fleet_;
};

TEST_F(FleetTest, StopGoesThroughStoppingAtTheScheduledTime) {
  EXPECT_EQ(Power(PowerAction::kStop, {"ins-running1"}), "OK");
  InstanceView v = Get("ins-running1");
  EXPECT_EQ(v.state, "STOPPING");
  EXPECT_EQ(v.latest_operation, "StopInstances");
  EXPECT_EQ(v.latest_operation_state, "OPERATING");
  EXPECT_EQ(v.latest_operation_request_id, "req-1");
  clock_.Advance(absl::Milliseconds(1999));
  EXPECT_EQ(Get("ins-running1").state, "STOPPING");
  clock_.Advance(absl::Milliseconds(1));
  v = Get("ins-running1");
  EXPECT_EQ(v.state, "STOPPED");
  EXPECT_EQ(v.latest_operation_state, "SUCCESS");
}

TEST_F(FleetTest, StartAndReboot) {
  EXPECT_EQ(Power(PowerAction::kStart, {"ins-stopped1"}), "OK");
  EXPECT_EQ(Get("ins-stopped1").state, "STARTING");
  EXPECT_EQ(Power(PowerAction::kReboot, {"ins-running1"}), "OK");
  EXPECT_EQ(Get("ins-running1").state, "REBOOTING");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Get("ins-stopped1").state, "RUNNING");
  EXPECT_EQ(Get("ins-running1").state, "RUNNING");
  EXPECT_EQ(Get("ins-running1").latest_operation, "RebootInstances");
}

TEST_F(FleetTest, BusyAddsUpTheOperationsBegunOnAnInstance) {
  EXPECT_EQ(Get("ins-running1").busy, absl::ZeroDuration());
  EXPECT_EQ(Power(PowerAction::kStop, {"ins-running1"}), "OK");
  EXPECT_EQ(Get("ins-running1").busy, absl::Seconds(2));
  clock_.Advance(absl::Seconds(5));  // idle time is not busy
  EXPECT_EQ(Reset({"ins-running1"}, "Xy7!newPassw0rd"), "OK");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Power(PowerAction::kStart, {"ins-running1"}), "OK");
  EXPECT_EQ(Get("ins-running1").busy, absl::Seconds(5));  // 2 + 1 + 2
  EXPECT_EQ(Get("ins-running2").busy, absl::ZeroDuration());
}

TEST_F(FleetTest, InvalidTransitionsGetTheStateCode) {
  EXPECT_EQ(Power(PowerAction::kStop, {"ins-stopped1"}),
            "UnsupportedOperation.InstanceStateStopped");
  EXPECT_EQ(Power(PowerAction::kStart, {"ins-running1"}),
            "UnsupportedOperation.InstanceStateRunning");
  EXPECT_EQ(Power(PowerAction::kReboot, {"ins-stopped1"}),
            "UnsupportedOperation.InstanceStateStopped");
  ASSERT_EQ(Power(PowerAction::kStop, {"ins-running1"}), "OK");
  EXPECT_EQ(Power(PowerAction::kStop, {"ins-running1"}),
            "UnsupportedOperation.InstanceStateStopping");
  EXPECT_EQ(Reset({"ins-running1"}, "Abcdef1!", true),
            "UnsupportedOperation.InstanceStateStopping");
}

TEST_F(FleetTest, ForbiddenStatesRefuseEveryOperation) {
  for (const char* state : {"TERMINATING", "SHUTDOWN", "LAUNCH_FAILED",
                            "RESCUE_MODE", "PENDING", "ENTER_RESCUE_MODE"}) {
    ASSERT_TRUE(
        fleet_.Patch("ins-running1", {state, std::nullopt, std::nullopt}));
    std::string code = UnsupportedStateCode(state);
    EXPECT_EQ(Power(PowerAction::kStop, {"ins-running1"}), code);
    EXPECT_EQ(Power(PowerAction::kStart, {"ins-running1"}), code);
    EXPECT_EQ(Power(PowerAction::kReboot, {"ins-running1"}), code);
    EXPECT_EQ(Reset({"ins-running1"}, "Abcdef1!", true), code);
  }
}

TEST(UnsupportedStateCodeTest, MatchesTheReferenceNames) {
  EXPECT_EQ(UnsupportedStateCode("TERMINATING"),
            "UnsupportedOperation.InstanceStateTerminating");
  EXPECT_EQ(UnsupportedStateCode("SHUTDOWN"),
            "UnsupportedOperation.InstanceStateShutdown");
  EXPECT_EQ(UnsupportedStateCode("LAUNCH_FAILED"),
            "UnsupportedOperation.InstanceStateLaunchFailed");
  EXPECT_EQ(UnsupportedStateCode("ENTER_SERVICE_LIVE_MIGRATE"),
            "UnsupportedOperation.InstanceStateEnterServiceLiveMigrate");
}

TEST_F(FleetTest, BatchFailsAsAWhole) {
  EXPECT_EQ(Power(PowerAction::kStop, {"ins-running1", "ins-stopped1"}),
            "UnsupportedOperation.InstanceStateStopped");
  InstanceView v = Get("ins-running1");
  EXPECT_EQ(v.state, "RUNNING");
  EXPECT_EQ(v.latest_operation, "");
}

TEST_F(FleetTest, UnknownOrOtherRegionIsNotFoundAndNamed) {
  auto e = fleet_.Power(PowerAction::kStop, "ap-guangzhou",
                        {"ins-running1", "ins-aaaaaaaa", "ins-shanghai"}, "r");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "InvalidInstanceId.NotFound");
  EXPECT_NE(e->message.find("ins-aaaaaaaa"), std::string::npos);
  EXPECT_NE(e->message.find("ins-shanghai"), std::string::npos);
  EXPECT_EQ(Get("ins-running1").state, "RUNNING");
}

TEST_F(FleetTest, DescribeSkipsUnknownAndFiltersRegion) {
  EXPECT_EQ(fleet_.Describe("ap-guangzhou", {"ins-aaaaaaaa"}).size(), 0u);
  EXPECT_EQ(fleet_.Describe("ap-guangzhou", {}).size(), 5u);
  EXPECT_EQ(fleet_.Describe("ap-shanghai", {}).size(), 1u);
  auto v = fleet_.Describe("ap-guangzhou",
                           {"ins-stopped1", "ins-running1", "ins-stopped1"});
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].spec.instance_id, "ins-stopped1");
}

TEST_F(FleetTest, ResetOfAStoppedInstance) {
  EXPECT_EQ(Reset({"ins-stopped1"}, "Abcdef1!"), "OK");
  InstanceView v = Get("ins-stopped1");
  EXPECT_EQ(v.state, "STOPPED");
  EXPECT_EQ(v.latest_operation, "ResetInstancesPassword");
  EXPECT_EQ(v.latest_operation_state, "OPERATING");
  EXPECT_EQ(v.password_digest, "");
  EXPECT_EQ(Reset({"ins-stopped1"}, "Abcdef1!"),
            "OperationDenied.InstanceOperationInProgress");
  EXPECT_EQ(Power(PowerAction::kStart, {"ins-stopped1"}),
            "OperationDenied.InstanceOperationInProgress");
  clock_.Advance(absl::Seconds(1));
  v = Get("ins-stopped1");
  EXPECT_EQ(v.latest_operation_state, "SUCCESS");
  EXPECT_EQ(v.latest_operation_request_id, "req-reset");
  EXPECT_EQ(v.password_digest, Sha256Hex("Abcdef1!"));
}

TEST_F(FleetTest, ResetOfARunningInstanceNeedsForceStop) {
  EXPECT_EQ(Reset({"ins-running1"}, "Abcdef1!"),
            "UnsupportedOperation.InstanceStateRunning");
  EXPECT_EQ(Reset({"ins-running1"}, "Abcdef1!", true), "OK");
  EXPECT_EQ(Get("ins-running1").state, "STOPPING");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Get("ins-running1").state, "STOPPED");
  EXPECT_EQ(Get("ins-running1").password_digest, "");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Get("ins-running1").state, "STARTING");
  EXPECT_EQ(Get("ins-running1").password_digest, Sha256Hex("Abcdef1!"));
  EXPECT_EQ(Get("ins-running1").latest_operation_state, "OPERATING");
  clock_.Advance(absl::Seconds(2));
  InstanceView v = Get("ins-running1");
  EXPECT_EQ(v.state, "RUNNING");
  EXPECT_EQ(v.latest_operation_state, "SUCCESS");
}

TEST_F(FleetTest, FailingResetKeepsTheOldPassword) {
  ASSERT_TRUE(fleet_.Patch("ins-stopped1", {std::nullopt, std::nullopt, true}));
  EXPECT_EQ(Reset({"ins-stopped1"}, "Abcdef1!"), "OK");
  clock_.Advance(absl::Seconds(1));
  InstanceView v = Get("ins-stopped1");
  EXPECT_EQ(v.latest_operation_state, "FAILED");
  EXPECT_NE(v.latest_operation_error_msg, "");
  EXPECT_EQ(v.password_digest, "");
}

TEST_F(FleetTest, StuckInstanceNeverLeavesTheTransitionalState) {
  ASSERT_TRUE(fleet_.Patch("ins-running1", {std::nullopt, true, std::nullopt}));
  EXPECT_EQ(Power(PowerAction::kStop, {"ins-running1"}), "OK");
  clock_.Advance(absl::Hours(24));
  InstanceView v = Get("ins-running1");
  EXPECT_EQ(v.state, "STOPPING");
  EXPECT_EQ(v.latest_operation_state, "OPERATING");
}

TEST_F(FleetTest, PasswordRulesFollowTheStrictestOs) {
  EXPECT_EQ(Reset({"ins-stopped1", "ins-windows1"}, "Abcdef1!x"),
            "InvalidParameterValue.InvalidPassword");
  EXPECT_EQ(Reset({"ins-stopped1"}, "Abcdef1!x"), "OK");
  EXPECT_EQ(Reset({"ins-windows1"}, "Abcdef1!xyzw"), "OK");
}

TEST_F(FleetTest, NotFoundIsCheckedBeforeThePassword) {
  EXPECT_EQ(Reset({"ins-aaaaaaaa"}, "weak"), "InvalidInstanceId.NotFound");
}

TEST(FleetDelayTest, RandomDelaysStayInRange) {
  FakeClock clock;
  std::vector<InstanceSpec> specs;
  for (int i = 0; i < 20; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "ins-%08d", i);
    specs.push_back(Spec(id, "RUNNING"));
  }
  Fleet fleet(clock, FleetOptions{{absl::Seconds(1), absl::Seconds(3)}, {}, 42},
              specs);
  std::vector<std::string> ids;
  for (const InstanceSpec& s : specs) ids.push_back(s.instance_id);
  ASSERT_FALSE(fleet.Power(PowerAction::kStop, "ap-guangzhou", ids, "r"));
  clock.Advance(absl::Milliseconds(999));
  for (const InstanceView& v : fleet.Describe("ap-guangzhou", {})) {
    EXPECT_EQ(v.state, "STOPPING");
  }
  clock.Advance(absl::Milliseconds(2001));
  for (const InstanceView& v : fleet.Describe("ap-guangzhou", {})) {
    EXPECT_EQ(v.state, "STOPPED");
  }
}

}  // namespace
}  // namespace resetd::fakecloud
