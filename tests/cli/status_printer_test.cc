#include "cli/status_printer.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace resetd::cli {
namespace {

using ::testing::HasSubstr;

grpc::Status WithDetails(grpc::StatusCode code, const std::string& message,
                         const google::rpc::Status& rich) {
  return grpc::Status(code, message, rich.SerializeAsString());
}

TEST(StatusPrinterTest, CodeAndMessage) {
  EXPECT_EQ(
      FormatRpcError(grpc::Status(grpc::StatusCode::NOT_FOUND, "no job x")),
      "error: NOT_FOUND: no job x\n");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAUTHENTICATED),
            "UNAUTHENTICATED");
  EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(42)), "CODE(42)");
}

TEST(StatusPrinterTest, BadRequestFieldViolations) {
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("targets[0].instance_ids[1]");
  v->set_description("'ins_x' is not a Tencent instance id");
  v = bad.add_field_violations();
  v->set_field("password");
  v->set_description("must contain 3 of: lower, upper, digit, symbol");
  google::rpc::Status rich;
  rich.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  rich.set_message("invalid request");
  rich.add_details()->PackFrom(bad);
  EXPECT_EQ(
      FormatRpcError(WithDetails(grpc::StatusCode::INVALID_ARGUMENT,
                                 "invalid request", rich)),
      "error: INVALID_ARGUMENT: invalid request\n"
      "  targets[0].instance_ids[1]: 'ins_x' is not a Tencent instance id\n"
      "  password: must contain 3 of: lower, upper, digit, symbol\n");
}

TEST(StatusPrinterTest, OtherDetails) {
  google::rpc::Status rich;
  google::rpc::ErrorInfo info;
  info.set_reason("RATE_LIMITED");
  info.set_domain("resetd");
  rich.add_details()->PackFrom(info);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(2);
  rich.add_details()->PackFrom(retry);
  google::rpc::RequestInfo request;
  request.set_request_id("r-1");
  rich.add_details()->PackFrom(request);
  rich.add_details()->set_type_url("type.googleapis.com/some.Other");
  std::string s = FormatRpcError(
      WithDetails(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down", rich));
  EXPECT_THAT(s, HasSubstr("error: RESOURCE_EXHAUSTED: slow down\n"));
  EXPECT_THAT(s, HasSubstr("  reason: RATE_LIMITED (resetd)\n"));
  EXPECT_THAT(s, HasSubstr("  retry after: 2 s\n"));
  EXPECT_THAT(s, HasSubstr("  request id: r-1\n"));
  EXPECT_THAT(s,
              HasSubstr("  (detail of type type.googleapis.com/some.Other)\n"));
}

TEST(StatusPrinterTest, GarbageDetailsDoNotCrash) {
  grpc::Status status(grpc::StatusCode::INTERNAL, "boom",
                      std::string("\xff\xff\xff", 3));
  EXPECT_THAT(FormatRpcError(status), HasSubstr("error: INTERNAL: boom\n"));
}

}  // namespace
}  // namespace resetd::cli
