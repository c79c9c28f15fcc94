#include "clients/huawei/huawei_wire.h"

#include <optional>
#include <string>

#include "clients/provider_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::huawei {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using C = absl::StatusCode;

struct StateCase {
  const char* status;
  const char* task_state;
  bool locked;
  PowerState expected;
};

class HuaweiPowerStateTest : public ::testing::TestWithParam<StateCase> {};

TEST_P(HuaweiPowerStateTest, MapsStatusTaskStateAndLock) {
  const StateCase& c = GetParam();
  EXPECT_EQ(HuaweiPowerState(c.status, c.task_state, c.locked), c.expected)
      << c.status << "/" << c.task_state << (c.locked ? " locked" : "");
}

INSTANTIATE_TEST_SUITE_P(
    StateTable, HuaweiPowerStateTest,
    ::testing::Values(
        StateCase{"ACTIVE", "", false, PowerState::kRunning},
        StateCase{"ACTIVE", "powering-off", false, PowerState::kStopping},
        StateCase{"ACTIVE", "rebooting", false, PowerState::kRebooting},
        StateCase{"ACTIVE", "reboot_started_hard", false,
                  PowerState::kRebooting},
        StateCase{"ACTIVE", "deleting", false, PowerState::kTerminating},
        StateCase{"ACTIVE", "migrating", false, PowerState::kMigrating},
        StateCase{"ACTIVE", "resize_prep", false, PowerState::kMigrating},
        StateCase{"ACTIVE", "shelving", false, PowerState::kShutdown},
        StateCase{"ACTIVE", "image_snapshot", false, PowerState::kRunning},
        StateCase{"ACTIVE", "powering-on", false, PowerState::kRunning},
        StateCase{"SHUTOFF", "", false, PowerState::kStopped},
        StateCase{"SHUTOFF", "powering-on", false, PowerState::kStarting},
        StateCase{"SHUTOFF", "powering-off", false, PowerState::kStopped},
        StateCase{"SHUTOFF", "rebuild_spawning", false, PowerState::kPending},
        StateCase{"REBOOT", "rebooting", false, PowerState::kRebooting},
        StateCase{"HARD_REBOOT", "", false, PowerState::kRebooting},
        StateCase{"BUILD", "spawning", false, PowerState::kPending},
        StateCase{"REBUILD", "", false, PowerState::kPending},
        StateCase{"ERROR", "", false, PowerState::kLaunchFailed},
        StateCase{"DELETED", "", false, PowerState::kTerminating},
        StateCase{"SHELVED", "", false, PowerState::kShutdown},
        StateCase{"SHELVED_OFFLOADED", "", false, PowerState::kShutdown},
        StateCase{"MIGRATING", "", false, PowerState::kMigrating},
        StateCase{"RESIZE", "", false, PowerState::kMigrating},
        StateCase{"VERIFY_RESIZE", "", false, PowerState::kMigrating},
        StateCase{"REVERT_RESIZE", "", false, PowerState::kMigrating},
        StateCase{"UNKNOWN", "", false, PowerState::kUnknown},
        StateCase{"SOMETHING_NEW", "", false, PowerState::kUnknown},
        StateCase{"", "", false, PowerState::kUnknown},
        StateCase{"ACTIVE", "", true, PowerState::kShutdown},
        StateCase{"SHUTOFF", "", true, PowerState::kShutdown},
        StateCase{"DELETED", "", true, PowerState::kTerminating}));

struct ErrorCase {
  const char* code;
  int http_status;
  C expected;
};

class HuaweiErrorCodeTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(HuaweiErrorCodeTest, MapsCodeThenHttpStatus) {
  const ErrorCase& c = GetParam();
  EXPECT_EQ(HuaweiErrorCode(c.code, c.http_status), c.expected)
      << c.code << " HTTP " << c.http_status;
}

INSTANTIATE_TEST_SUITE_P(
    ErrorTable, HuaweiErrorCodeTest,
    ::testing::Values(ErrorCase{"APIGW.0308", 429, C::kResourceExhausted},
                      ErrorCase{"APIG.0308", 429, C::kResourceExhausted},
                      ErrorCase{"Common.1503", 429, C::kResourceExhausted},
                      ErrorCase{"Common.0024", 202, C::kResourceExhausted},
                      ErrorCase{"APIGW.0301", 401, C::kUnauthenticated},
                      ErrorCase{"APIGW.0307", 401, C::kUnauthenticated},
                      ErrorCase{"Common.0013", 401, C::kUnauthenticated},
                      ErrorCase{"APIGW.0302", 403, C::kPermissionDenied},
                      ErrorCase{"APIGW.0306", 403, C::kPermissionDenied},
                      ErrorCase{"Ecs.0003", 403, C::kPermissionDenied},
                      ErrorCase{"Ecs.0067", 403, C::kPermissionDenied},
                      ErrorCase{"Pdp.0001", 403, C::kPermissionDenied},
                      ErrorCase{"APIGW.0101", 404, C::kInvalidArgument},
                      ErrorCase{"APIGW.0201", 400, C::kInvalidArgument},
                      ErrorCase{"Ecs.0005", 400, C::kInvalidArgument},
                      ErrorCase{"Ecs.0011", 400, C::kInvalidArgument},
                      ErrorCase{"Ecs.0118", 400, C::kInvalidArgument},
                      ErrorCase{"Ecs.0114", 404, C::kNotFound},
                      ErrorCase{"Ecs.0114", 400, C::kNotFound},
                      ErrorCase{"Ecs.0614", 404, C::kNotFound},
                      ErrorCase{"Ecs.0100", 400, C::kFailedPrecondition},
                      ErrorCase{"Ecs.0605", 400, C::kFailedPrecondition},
                      ErrorCase{"Ecs.0030", 400, C::kFailedPrecondition},
                      ErrorCase{"Ecs.0023", 400, C::kFailedPrecondition},
                      ErrorCase{"Common.0018", 400, C::kFailedPrecondition},
                      ErrorCase{"Ecs.0603", 501, C::kUnavailable},
                      ErrorCase{"Ecs.0002", 400, C::kUnavailable},
                      ErrorCase{"Ecs.0226", 400, C::kUnavailable},
                      ErrorCase{"Ecs.1000", 400, C::kUnavailable},
                      ErrorCase{"Ecs.1300", 400, C::kUnavailable},
                      ErrorCase{"Common.0001", 500, C::kUnavailable},
                      // Ecs.0319 is "insufficient flavor capacity" (creation
                      // only): by status.
                      ErrorCase{"Ecs.0319", 400, C::kUnknown},
                      ErrorCase{"Ecs.0319", 403, C::kPermissionDenied},
                      ErrorCase{"", 401, C::kUnauthenticated},
                      ErrorCase{"", 403, C::kPermissionDenied},
                      ErrorCase{"", 409, C::kFailedPrecondition},
                      ErrorCase{"", 429, C::kResourceExhausted},
                      ErrorCase{"", 500, C::kUnavailable},
                      ErrorCase{"", 502, C::kUnavailable},
                      ErrorCase{"", 404, C::kUnknown},
                      ErrorCase{"Ecs.9999", 400, C::kUnknown}));

http::HttpResponse Response(int status, std::string body,
                            std::string request_id = "hdr-req-1") {
  http::HttpResponse r = http::JsonResponse(std::move(body), status);
  if (!request_id.empty()) r.headers.emplace_back("x-request-id", request_id);
  return r;
}

TEST(ParseHuaweiResponseTest, NestedErrorShapeKeepsCodeMessageAndHeaderId) {
  auto result = ParseHuaweiResponse(
      "BatchStopServers",
      Response(400, R"({"error":{"code":"Ecs.0114","message":"Invalid server )"
                    R"(ID."},"request_id":"body-id-ignored"})"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), C::kNotFound);
  std::optional<ProviderError> e = GetProviderError(result.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "Ecs.0114");
  EXPECT_EQ(e->message, "Invalid server ID.");
  EXPECT_EQ(e->request_id, "hdr-req-1");
  EXPECT_EQ(e->http_status, 400);
  EXPECT_THAT(result.status().message(),
              HasSubstr("BatchStopServers: HTTP 400 Ecs.0114"));
  EXPECT_THAT(result.status().message(), HasSubstr("hdr-req-1"));
  EXPECT_THAT(result.status().message(), Not(HasSubstr("body-id-ignored")));
}

TEST(ParseHuaweiResponseTest, FlatErrorShape) {
  auto result = ParseHuaweiResponse(
      "ListServersDetails",
      Response(429, R"({"error_code":"APIGW.0308","error_msg":"The )"
                    R"(throttling threshold has been reached"})"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), C::kResourceExhausted);
  std::optional<ProviderError> e = GetProviderError(result.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "APIGW.0308");
  EXPECT_EQ(e->message, "The throttling threshold has been reached");
  EXPECT_EQ(e->request_id, "hdr-req-1");
  EXPECT_EQ(e->http_status, 429);
}

TEST(ParseHuaweiResponseTest, HtmlGatewayErrorIsUnavailableWithoutTheBody) {
  http::HttpResponse r = Response(502, "<html>bad gateway secret-page</html>");
  r.headers[0].second = "text/html";
  auto result = ParseHuaweiResponse("BatchStartServers", r);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), C::kUnavailable);
  std::optional<ProviderError> e = GetProviderError(result.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "");
  EXPECT_EQ(e->message, "HTTP 502");
  EXPECT_EQ(e->request_id, "hdr-req-1");
  EXPECT_THAT(result.status().message(), Not(HasSubstr("secret-page")));
}

TEST(ParseHuaweiResponseTest, SuccessBodies) {
  auto no_content =
      ParseHuaweiResponse("ResetServerPassword", Response(204, ""));
  ASSERT_TRUE(no_content.ok()) << no_content.status();
  EXPECT_TRUE(no_content->is_null());
  auto job = ParseHuaweiResponse("BatchStopServers",
                                 Response(200, R"({"job_id":"j-1"})"));
  ASSERT_TRUE(job.ok());
  EXPECT_EQ((*job)["job_id"], "j-1");
}

TEST(ParseHuaweiResponseTest, UnparseableSuccessIsInternalWithoutTheBody) {
  auto result =
      ParseHuaweiResponse("ListServersDetails", Response(200, "{not json"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), C::kInternal);
  EXPECT_THAT(result.status().message(), HasSubstr("unparseable response"));
  EXPECT_THAT(result.status().message(), Not(HasSubstr("not json")));
}

TEST(ParseHuaweiServerTest, ReadsIdStatusTaskStateAndLock) {
  nlohmann::json server = {{"id", "s-1"},
                           {"status", "ACTIVE"},
                           {"OS-EXT-STS:task_state", "powering-off"},
                           {"OS-EXT-STS:vm_state", "active"},
                           {"locked", false}};
  InstanceStatus s = ParseHuaweiServer(server);
  EXPECT_EQ(s.instance_id, "s-1");
  EXPECT_EQ(s.state, PowerState::kStopping);
  EXPECT_EQ(s.provider_state, "ACTIVE/powering-off");

  server["OS-EXT-STS:task_state"] = nullptr;
  server["locked"] = true;
  s = ParseHuaweiServer(server);
  EXPECT_EQ(s.state, PowerState::kShutdown);
  EXPECT_EQ(s.provider_state, "ACTIVE (locked)");

  s = ParseHuaweiServer(nlohmann::json{{"id", "s-2"}});
  EXPECT_EQ(s.state, PowerState::kUnknown);
  EXPECT_EQ(s.provider_state, "");
}

TEST(HuaweiStopTypeTest, OnlyForceIsHard) {
  EXPECT_EQ(HuaweiStopType(StopMode::kSoft), "SOFT");
  EXPECT_EQ(HuaweiStopType(StopMode::kSoftThenForce), "SOFT");
  EXPECT_EQ(HuaweiStopType(StopMode::kForce), "HARD");
}

}  // namespace
}  // namespace resetd::clients::huawei
