// The fleet's provider scopes and its three reset modes, on a fake clock
// (transitions 2 s, password writes 1 s).
#include <string>
#include <vector>

#include "common/crypto.h"
#include "fakecloud/fleet.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace resetd::fakecloud {
namespace {

using resetd::testing::FakeClock;

constexpr char kRegion[] = "ap-guangzhou";
constexpr char kPassword[] = "Abcdef12!x";

InstanceSpec Spec(Provider provider, const std::string& id,
                  const std::string& state, bool reset_fails = false) {
  InstanceSpec s;
  s.provider = provider;
  s.instance_id = id;
  s.region = kRegion;
  s.zone = "ap-guangzhou-1";
  s.state = state;
  s.reset_fails = reset_fails;
  return s;
}

class ResetModesTest : public ::testing::Test {
 protected:
  ResetModesTest()
      : fleet_(
            clock_,
            FleetOptions{{absl::Seconds(2), absl::Seconds(2)},
                         {absl::Seconds(1), absl::Seconds(1)},
                         7},
            {Spec(Provider::kTencentCvm, "ins-running1", "RUNNING"),
             Spec(Provider::kTencentLighthouse, "lhins-running1", "RUNNING"),
             Spec(Provider::kTencentLighthouse, "lhins-stopped1", "STOPPED"),
             Spec(Provider::kTencentLighthouse, "lhins-failing1", "RUNNING",
                  true),
             Spec(Provider::kAliyunEcs, "i-running00000000001", "RUNNING"),
             Spec(Provider::kAliyunEcs, "i-stopped00000000001", "STOPPED"),
             Spec(Provider::kAliyunEcs, "i-starting0000000001", "STARTING")}) {}

  static Provider ProviderOf(const std::string& id) {
    if (id.rfind("lhins-", 0) == 0) return Provider::kTencentLighthouse;
    if (id.rfind("i-", 0) == 0) return Provider::kAliyunEcs;
    return Provider::kTencentCvm;
  }
  static Scope ScopeOf(const std::string& id) {
    return Scope{ProviderOf(id), kRegion};
  }
  InstanceView Get(const std::string& id) {
    std::vector<InstanceView> v = fleet_.Describe(ScopeOf(id), {id});
    EXPECT_EQ(v.size(), 1u) << id;
    return v.empty() ? InstanceView{} : v[0];
  }
  static std::string Code(const std::optional<ApiError>& e) {
    return e ? e->code : "OK";
  }
  std::string Reset(const std::string& id, ResetMode mode) {
    ResetOptions options;
    options.mode = mode;
    return Code(fleet_.ResetPassword(ScopeOf(id), {id}, Secret(kPassword),
                                     options, "req-reset"));
  }
  std::string Power(PowerAction action, const std::string& id) {
    return Code(fleet_.Power(action, ScopeOf(id), {id}, "req-power"));
  }

  const std::string digest_ = Sha256Hex(kPassword);
  FakeClock clock_;
  Fleet fleet_;
};

TEST_F(ResetModesTest, ProvidersSeeOnlyTheirOwnInstances) {
  EXPECT_EQ(fleet_.Describe(kRegion, {}).size(), 1u);  // CVM only
  EXPECT_EQ(
      fleet_.Describe(Scope{Provider::kTencentLighthouse, kRegion}, {}).size(),
      3u);
  EXPECT_TRUE(fleet_.Describe(kRegion, {"lhins-running1"}).empty());
  auto error =
      fleet_.Power(PowerAction::kStop, kRegion, {"lhins-running1"}, "r");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "InvalidInstanceId.NotFound");
  ASSERT_EQ(error->subjects.size(), 1u);
  EXPECT_EQ(error->subjects[0].first, "lhins-running1");
  EXPECT_EQ(Get("lhins-running1").state, "RUNNING");  // untouched
}

TEST_F(ResetModesTest, SelfStoppingShutsARunningInstanceDownAndLeavesIt) {
  ASSERT_EQ(Reset("lhins-running1", ResetMode::kSelfStopping), "OK");
  InstanceView v = Get("lhins-running1");
  EXPECT_EQ(v.state, "STOPPING");
  EXPECT_EQ(v.latest_operation, "ResetInstancesPassword");
  EXPECT_EQ(v.latest_operation_state, "OPERATING");
  clock_.Advance(absl::Seconds(2));
  v = Get("lhins-running1");
  EXPECT_EQ(v.state, "STOPPED");
  EXPECT_EQ(v.latest_operation_state, "OPERATING");
  EXPECT_EQ(v.password_digest, "");
  clock_.Advance(absl::Seconds(1));
  v = Get("lhins-running1");
  EXPECT_EQ(v.state, "STOPPED");  // not started again
  EXPECT_EQ(v.latest_operation_state, "SUCCESS");
  EXPECT_EQ(v.password_digest, digest_);
  clock_.Advance(absl::Seconds(60));
  EXPECT_EQ(Get("lhins-running1").state, "STOPPED");
}

TEST_F(ResetModesTest, SelfStoppingOnAStoppedInstanceStaysStopped) {
  ASSERT_EQ(Reset("lhins-stopped1", ResetMode::kSelfStopping), "OK");
  EXPECT_EQ(Get("lhins-stopped1").state, "STOPPED");
  EXPECT_EQ(Reset("lhins-stopped1", ResetMode::kSelfStopping),
            "OperationDenied.InstanceOperationInProgress");
  clock_.Advance(absl::Seconds(1));
  InstanceView v = Get("lhins-stopped1");
  EXPECT_EQ(v.state, "STOPPED");
  EXPECT_EQ(v.latest_operation_state, "SUCCESS");
  EXPECT_EQ(v.password_digest, digest_);
}

TEST_F(ResetModesTest, SelfStoppingFailureStillLeavesTheInstanceStopped) {
  ASSERT_EQ(Reset("lhins-failing1", ResetMode::kSelfStopping), "OK");
  clock_.Advance(absl::Seconds(3));
  InstanceView v = Get("lhins-failing1");
  EXPECT_EQ(v.state, "STOPPED");
  EXPECT_EQ(v.latest_operation_state, "FAILED");
  EXPECT_EQ(v.password_digest, "");
}

TEST_F(ResetModesTest, RequiresStoppedRefusesARunningInstanceUnlessForced) {
  EXPECT_EQ(Reset("lhins-running1", ResetMode::kRequiresStopped),
            "UnsupportedOperation.InstanceStateRunning");
  EXPECT_EQ(Get("lhins-running1").latest_operation, "");
}

TEST_F(ResetModesTest, NextBootOnARunningInstanceAppliesAtTheReboot) {
  ASSERT_EQ(Reset("i-running00000000001", ResetMode::kAppliesAtNextBoot), "OK");
  InstanceView v = Get("i-running00000000001");
  EXPECT_EQ(v.state, "RUNNING");  // no power change
  EXPECT_EQ(v.latest_operation_state, "OPERATING");
  clock_.Advance(absl::Seconds(1));
  v = Get("i-running00000000001");
  EXPECT_EQ(v.state, "RUNNING");
  EXPECT_EQ(v.latest_operation_state, "SUCCESS");
  EXPECT_EQ(v.password_digest, "");  // accepted, not yet in effect
  EXPECT_EQ(v.staged_password_digest, digest_);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(Get("i-running00000000001").password_digest, "");
  ASSERT_EQ(Power(PowerAction::kReboot, "i-running00000000001"), "OK");
  EXPECT_EQ(Get("i-running00000000001").password_digest, "");  // REBOOTING
  clock_.Advance(absl::Seconds(2));
  v = Get("i-running00000000001");
  EXPECT_EQ(v.state, "RUNNING");
  EXPECT_EQ(v.password_digest, digest_);
  EXPECT_EQ(v.staged_password_digest, "");
}

TEST_F(ResetModesTest, NextBootOnAStoppedInstanceAppliesAtTheStart) {
  ASSERT_EQ(Reset("i-stopped00000000001", ResetMode::kAppliesAtNextBoot), "OK");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Get("i-stopped00000000001").state, "STOPPED");
  EXPECT_EQ(Get("i-stopped00000000001").password_digest, "");
  ASSERT_EQ(Power(PowerAction::kStart, "i-stopped00000000001"), "OK");
  clock_.Advance(absl::Seconds(2));
  InstanceView v = Get("i-stopped00000000001");
  EXPECT_EQ(v.state, "RUNNING");
  EXPECT_EQ(v.password_digest, digest_);
}

TEST_F(ResetModesTest, NextBootIsNotAppliedByAStop) {
  ASSERT_EQ(Reset("i-running00000000001", ResetMode::kAppliesAtNextBoot), "OK");
  clock_.Advance(absl::Seconds(1));
  ASSERT_EQ(Power(PowerAction::kStop, "i-running00000000001"), "OK");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Get("i-running00000000001").state, "STOPPED");
  EXPECT_EQ(Get("i-running00000000001").password_digest, "");
  ASSERT_EQ(Power(PowerAction::kStart, "i-running00000000001"), "OK");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Get("i-running00000000001").password_digest, digest_);
}

TEST_F(ResetModesTest, NextBootRefusesTransitionalStates) {
  EXPECT_EQ(Reset("i-starting0000000001", ResetMode::kAppliesAtNextBoot),
            "UnsupportedOperation.InstanceStateStarting");
}

TEST_F(ResetModesTest, PasswordCheckIsTheModesChoice) {
  ResetOptions options;
  options.mode = ResetMode::kAppliesAtNextBoot;
  const Scope scope{Provider::kAliyunEcs, kRegion};
  EXPECT_EQ(Code(fleet_.ResetPassword(scope, {"i-stopped00000000001"},
                                      Secret("weak"), options, "r")),
            "InvalidParameterValue.InvalidPassword");
  options.check = nullptr;  // Huawei: no check at all
  options.operation = "os-reset-password";
  EXPECT_EQ(Code(fleet_.ResetPassword(scope, {"i-stopped00000000001"},
                                      Secret("weak"), options, "r")),
            "OK");
  EXPECT_EQ(Get("i-stopped00000000001").latest_operation, "os-reset-password");
}

}  // namespace
}  // namespace resetd::fakecloud
