#include "clients/lighthouse/lighthouse_wire.h"

#include <string>

#include "clients/provider_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::clients::lighthouse {
namespace {

TEST(LighthouseWireTest, StatesBeyondCvm) {
  EXPECT_EQ(LighthousePowerState("DELETING"), PowerState::kTerminating);
  EXPECT_EQ(LighthousePowerState("FREEZING"), PowerState::kShutdown);
  EXPECT_EQ(LighthousePowerState("RUNNING"), PowerState::kRunning);
  EXPECT_EQ(LighthousePowerState("running"), PowerState::kUnknown);
  EXPECT_EQ(LighthousePowerState(""), PowerState::kUnknown);
}

TEST(LighthouseWireTest, ToLighthouseStatusRemapsApiErrorsOnly) {
  ProviderError api;
  api.code = "ResourceNotFound.InstanceIdNotFound";
  api.message = "no such instance";
  api.request_id = "req-1";
  api.http_status = 200;
  absl::Status in = MakeProviderStatus(absl::StatusCode::kUnknown, api);
  absl::Status out = ToLighthouseStatus(in);
  EXPECT_EQ(out.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(out.message(), in.message());
  ASSERT_TRUE(GetProviderError(out).has_value());
  EXPECT_EQ(GetProviderError(out)->request_id, "req-1");

  // An HTTP-level error keeps the code its status gave it.
  ProviderError http = api;
  http.http_status = 503;
  absl::Status gateway =
      MakeProviderStatus(absl::StatusCode::kUnavailable, http);
  EXPECT_EQ(ToLighthouseStatus(gateway), gateway);
  // Statuses without a payload pass through.
  absl::Status plain = absl::UnavailableError("connection refused");
  EXPECT_EQ(ToLighthouseStatus(plain), plain);
}

TEST(LighthouseWireTest, ParseInstanceMapsLighthouseStates) {
  nlohmann::json instance = {{"InstanceId", "lhins-1"},
                             {"InstanceState", "FREEZING"},
                             {"LatestOperation", nullptr}};
  InstanceStatus status = ParseLighthouseInstance(instance);
  EXPECT_EQ(status.instance_id, "lhins-1");
  EXPECT_EQ(status.provider_state, "FREEZING");
  EXPECT_EQ(status.state, PowerState::kShutdown);
  EXPECT_EQ(status.latest_operation, "");
}

}  // namespace
}  // namespace resetd::clients::lighthouse
