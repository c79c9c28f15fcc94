#include "clients/aliyun/aliyun_wire.h"

#include <string>
#include <utility>
#include <vector>

#include "clients/provider_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::aliyun {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using C = absl::StatusCode;

http::HttpResponse Response(int status, std::string body) {
  return http::JsonResponse(std::move(body), status);
}

TEST(AliyunWireTest, PowerStateOfEveryDocumentedStatus) {
  const std::vector<std::pair<std::string, PowerState>> cases = {
      {"Pending", PowerState::kPending},   {"Running", PowerState::kRunning},
      {"Starting", PowerState::kStarting}, {"Stopping", PowerState::kStopping},
      {"Stopped", PowerState::kStopped},   {"RUNNING", PowerState::kUnknown},
      {"", PowerState::kUnknown},          {"Deleted", PowerState::kUnknown},
  };
  for (const auto& [word, state] : cases) {
    EXPECT_EQ(AliyunPowerState(word), state) << word;
  }
}

// Codes from the ECS API reference (error tables of ModifyInstanceAttribute,
// ModifyInstanceVncPasswd, Stop/Start/RebootInstances) and the common
// error codes, with the HTTP status they come with.
TEST(AliyunWireTest, ErrorTable) {
  const std::vector<std::tuple<std::string, int, C>> cases = {
      {"Throttling", 400, C::kResourceExhausted},
      {"Throttling.User", 400, C::kResourceExhausted},
      {"Throttling.Api", 400, C::kResourceExhausted},
      {"Anything", 429, C::kResourceExhausted},
      {"InvalidInstanceId.NotFound", 404, C::kNotFound},
      {"NoSuchResource", 404, C::kNotFound},
      {"InvalidAccessKeyId.NotFound", 404, C::kUnauthenticated},
      {"InvalidAccessKeyId.Inactive", 400, C::kUnauthenticated},
      {"SignatureDoesNotMatch", 400, C::kUnauthenticated},
      {"IncompleteSignature", 400, C::kUnauthenticated},
      {"InvalidTimeStamp.Expired", 400, C::kUnauthenticated},
      {"InvalidSecurityToken.Expired", 400, C::kUnauthenticated},
      {"Forbidden.AccessKeyDisabled", 403, C::kUnauthenticated},
      {"Forbidden.RAM", 403, C::kPermissionDenied},
      {"Forbidden.SubUser", 403, C::kPermissionDenied},
      {"NoPermission", 403, C::kPermissionDenied},
      {"InvalidUser.Unauthorized", 403, C::kPermissionDenied},
      {"InvalidUserData.Forbidden", 403, C::kPermissionDenied},
      {"IncorrectInstanceStatus", 403, C::kUnavailable},
      {"IncorrectInstanceStatus.Initializing", 403, C::kUnavailable},
      {"OperationConflict", 409, C::kUnavailable},
      {"InstanceNotReady", 403, C::kUnavailable},
      {"ServiceUnavailable", 503, C::kUnavailable},
      {"ServiceUnavailable.RegionMaintaining", 503, C::kUnavailable},
      {"InternalError", 500, C::kUnavailable},
      {"UnknownError", 400, C::kUnavailable},
      {"LastTokenProcessing", 403, C::kUnavailable},
      {"SignatureNonceUsed", 400, C::kUnavailable},
      {"InstanceLockedForSecurity", 403, C::kFailedPrecondition},
      {"InvalidStatus.InstanceStatus", 403, C::kFailedPrecondition},
      {"InvalidInstanceStatus.NotRunning", 400, C::kFailedPrecondition},
      {"InvalidOperation.InvalidEcsState", 400, C::kFailedPrecondition},
      {"OperationDenied", 403, C::kFailedPrecondition},
      {"ChargeTypeViolation", 403, C::kFailedPrecondition},
      {"InsufficientBalance", 400, C::kFailedPrecondition},
      {"InvalidPassword.Malformed", 400, C::kInvalidArgument},
      {"InvalidHostPassword.Malformed", 400, C::kInvalidArgument},
      {"IncorrectVncPassword.Malformed", 400, C::kInvalidArgument},
      {"InvalidParameter", 400, C::kInvalidArgument},
      {"InvalidParameter.IsNull", 400, C::kInvalidArgument},
      {"InvalidParamater", 400, C::kInvalidArgument},
      {"MissingParameter", 400, C::kInvalidArgument},
      {"MissingParameter.InstanceId", 400, C::kInvalidArgument},
      {"UnsupportedParameter", 400, C::kInvalidArgument},
      {"InvalidInstanceId.MalFormed", 400, C::kInvalidArgument},
      {"InvalidRegionId.NotFound", 404, C::kInvalidArgument},
      {"InvalidAction", 403, C::kInvalidArgument},
      {"InvalidHostName.Malformed", 400, C::kInvalidArgument},
      {"SomethingNew", 500, C::kUnavailable},
      {"SomethingNew", 502, C::kUnavailable},
      {"SomethingNew", 400, C::kUnknown},
      {"", 0, C::kUnknown},
  };
  for (const auto& [code, http_status, want] : cases) {
    EXPECT_EQ(AliyunErrorCode(code, http_status), want)
        << code << " HTTP " << http_status;
  }
}

TEST(AliyunWireTest, SuccessReturnsTheBody) {
  auto body = ParseAliyunResponse(
      "StartInstances", Response(200, R"({"RequestId":"r-1","X":1})"));
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ((*body)["RequestId"], "r-1");
}

TEST(AliyunWireTest, HttpErrorKeepsCodeMessageAndRequestId) {
  auto body = ParseAliyunResponse(
      "ModifyInstanceAttribute",
      Response(403, R"({"RequestId":"8A1AF1A8","HostId":"ecs.aliyuncs.com",
        "Code":"IncorrectInstanceStatus","Message":"The current status of the resource does not support this operation.",
        "Recommend":"https://x"})"));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), C::kUnavailable);
  EXPECT_THAT(body.status().message(),
              HasSubstr("ModifyInstanceAttribute: IncorrectInstanceStatus"));
  EXPECT_THAT(body.status().message(), HasSubstr("8A1AF1A8"));
  auto error = GetProviderError(body.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "IncorrectInstanceStatus");
  EXPECT_EQ(error->request_id, "8A1AF1A8");
  EXPECT_EQ(error->http_status, 403);
  EXPECT_THAT(error->message, HasSubstr("does not support this operation"));
}

TEST(AliyunWireTest, LowerCaseKeysAndRequestIdHeaderAreAccepted) {
  http::HttpResponse response =
      Response(400, R"({"code":"Throttling.User","message":"slow down"})");
  response.headers.emplace_back("x-acs-request-id", "hdr-req");
  auto body = ParseAliyunResponse("StopInstances", response);
  EXPECT_EQ(body.status().code(), C::kResourceExhausted);
  auto error = GetProviderError(body.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "Throttling.User");
  EXPECT_EQ(error->message, "slow down");
  EXPECT_EQ(error->request_id, "hdr-req");
}

TEST(AliyunWireTest, XmlErrorBodyIsParsed) {
  http::HttpResponse response;
  response.status = 404;
  response.headers = {{"content-type", "text/xml;charset=utf-8"}};
  response.body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><RequestId>x-1"
      "</RequestId><HostId>ecs.aliyuncs.com</HostId><Code>"
      "InvalidInstanceId.NotFound</Code><Message>The specified InstanceId "
      "does not exist.</Message></Error>";
  auto body = ParseAliyunResponse("DescribeInstances", response);
  EXPECT_EQ(body.status().code(), C::kNotFound);
  auto error = GetProviderError(body.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "InvalidInstanceId.NotFound");
  EXPECT_EQ(error->request_id, "x-1");
}

TEST(AliyunWireTest, ErrorWithoutBodyMapsOnStatus) {
  auto unavailable =
      ParseAliyunResponse("StartInstances", Response(502, "<html>"));
  EXPECT_EQ(unavailable.status().code(), C::kUnavailable);
  EXPECT_THAT(unavailable.status().message(), HasSubstr("HTTP 502"));
  EXPECT_THAT(unavailable.status().message(), Not(HasSubstr("<html>")));
  auto unknown = ParseAliyunResponse("StartInstances", Response(418, ""));
  EXPECT_EQ(unknown.status().code(), C::kUnknown);
  EXPECT_EQ(GetProviderError(unknown.status())->http_status, 418);
}

TEST(AliyunWireTest, Http200WithErrorCodeIsAnError) {
  auto body = ParseAliyunResponse(
      "ModifyInstanceAttribute",
      Response(200, R"({"Code":"InvalidPassword.Malformed","Message":"bad",
                        "RequestId":"r-2"})"));
  EXPECT_EQ(body.status().code(), C::kInvalidArgument);
  EXPECT_EQ(GetProviderError(body.status())->request_id, "r-2");
  EXPECT_TRUE(ParseAliyunResponse(
                  "X", Response(200, R"({"Code":"200","RequestId":"r"})"))
                  .ok());
}

TEST(AliyunWireTest, UnparseableSuccessIsInternalWithoutQuotingTheBody) {
  auto body = ParseAliyunResponse("DescribeInstances",
                                  Response(200, "not json secret-ish"));
  EXPECT_EQ(body.status().code(), C::kInternal);
  EXPECT_THAT(body.status().message(), Not(HasSubstr("secret-ish")));
  EXPECT_EQ(ParseAliyunResponse("X", Response(302, "{}")).status().code(),
            C::kInternal);
}

TEST(AliyunWireTest, AllInstanceResponsesSucceeded) {
  const nlohmann::json body = nlohmann::json::parse(R"({"RequestId":"r",
    "InstanceResponses":{"InstanceResponse":[
      {"InstanceId":"i-1","Code":"200","Message":"success",
       "PreviousStatus":"Running","CurrentStatus":"Stopping"},
      {"InstanceId":"i-2","Code":"200","Message":"success"}]}})");
  EXPECT_TRUE(CheckInstanceResponses("StopInstances", body).ok());
  EXPECT_TRUE(
      CheckInstanceResponses("StopInstances",
                             nlohmann::json::parse(R"({"RequestId":"r"})"))
          .ok());
}

TEST(AliyunWireTest, PartialFailureNamesFirstCodeAndListsEveryFailure) {
  const nlohmann::json body = nlohmann::json::parse(R"({"RequestId":"req-b",
    "InstanceResponses":{"InstanceResponse":[
      {"InstanceId":"i-1","Code":"200","Message":"success"},
      {"InstanceId":"i-2","Code":"IncorrectInstanceStatus",
       "Message":"The current status of the resource does not support this operation."},
      {"InstanceId":"i-3","Code":"InvalidInstanceId.NotFound",
       "Message":"The specified InstanceId does not exist."}]}})");
  absl::Status s = CheckInstanceResponses("StopInstances", body);
  EXPECT_EQ(s.code(), C::kUnavailable);  // per the first failure
  auto error = GetProviderError(s);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "IncorrectInstanceStatus");
  EXPECT_EQ(error->request_id, "req-b");
  EXPECT_EQ(error->http_status, 200);
  EXPECT_THAT(error->message, HasSubstr("2 of 3 instances failed"));
  EXPECT_THAT(error->message, HasSubstr("i-2 IncorrectInstanceStatus"));
  EXPECT_THAT(error->message,
              HasSubstr("i-3 InvalidInstanceId.NotFound: The specified"));
  EXPECT_THAT(error->message, Not(HasSubstr("i-1")));
  EXPECT_THAT(s.message(), HasSubstr("StopInstances: IncorrectInstanceStatus"));
}

TEST(AliyunWireTest, ParseInstance) {
  InstanceStatus s = ParseAliyunInstance(nlohmann::json::parse(
      R"({"InstanceId":"i-1","Status":"Stopped","OSType":"linux"})"));
  EXPECT_EQ(s.instance_id, "i-1");
  EXPECT_EQ(s.provider_state, "Stopped");
  EXPECT_EQ(s.state, PowerState::kStopped);
  InstanceStatus odd =
      ParseAliyunInstance(nlohmann::json::parse(R"({"InstanceId":null})"));
  EXPECT_EQ(odd.instance_id, "");
  EXPECT_EQ(odd.state, PowerState::kUnknown);
}

TEST(AliyunWireTest, OperationLockMeansLeaveItAlone) {
  InstanceStatus s = ParseAliyunInstance(nlohmann::json::parse(
      R"({"InstanceId":"i-1","Status":"Stopped",
          "OperationLocks":{"LockReason":[{"LockReason":"financial"}]}})"));
  EXPECT_EQ(s.state, PowerState::kShutdown);
  EXPECT_EQ(s.provider_state, "Stopped (locked: financial)");
  InstanceStatus unlocked = ParseAliyunInstance(nlohmann::json::parse(
      R"({"InstanceId":"i-2","Status":"Running",
          "OperationLocks":{"LockReason":[]}})"));
  EXPECT_EQ(unlocked.state, PowerState::kRunning);
}

}  // namespace
}  // namespace resetd::clients::aliyun
