#include "service/status_mapping.h"

#include <string>

#include "absl/strings/cord.h"
#include "clients/provider_error.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace resetd::service {
namespace {

google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  return details;
}

TEST(StatusMappingTest, OkIsOk) {
  grpc::Status s = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(s.error_details().empty());
}

TEST(StatusMappingTest, KeepsCodeAndMessage) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status in(static_cast<absl::StatusCode>(code), "boom");
    grpc::Status out = ToGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(out.error_code()), code);
    EXPECT_EQ(out.error_message(), "boom");
    google::rpc::Status details = Details(out);
    EXPECT_EQ(details.code(), code);
    EXPECT_EQ(details.message(), "boom");
    EXPECT_EQ(details.details_size(), 0);
  }
}

TEST(StatusMappingTest, BadRequestTravelsInDetails) {
  google::rpc::BadRequest bad_request;
  auto* v = bad_request.add_field_violations();
  v->set_field("targets[0].instance_ids[3]");
  v->set_description("not a valid id");
  grpc::Status out = ToGrpcStatus(
      InvalidArgumentWithViolations("invalid request", bad_request));
  EXPECT_EQ(out.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details = Details(out);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest decoded;
  ASSERT_TRUE(details.details(0).UnpackTo(&decoded));
  ASSERT_EQ(decoded.field_violations_size(), 1);
  EXPECT_EQ(decoded.field_violations(0).field(), "targets[0].instance_ids[3]");
  EXPECT_EQ(decoded.field_violations(0).description(), "not a valid id");
}

TEST(StatusMappingTest, ProviderErrorBecomesErrorInfo) {
  clients::ProviderError error;
  error.code = "OperationDenied.InstanceOperationInProgress";
  error.message = "An operation is in progress";
  error.request_id = "6b2f-11";
  absl::Status in =
      clients::MakeProviderStatus(absl::StatusCode::kFailedPrecondition, error);
  grpc::Status out = ToGrpcStatus(in);
  EXPECT_EQ(out.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  google::rpc::Status details = Details(out);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "OperationDenied.InstanceOperationInProgress");
  EXPECT_EQ(info.domain(), "resetd");
  EXPECT_EQ(info.metadata().at("request_id"), "6b2f-11");
}

TEST(StatusMappingTest, PreconditionFailureTravelsInDetails) {
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type("INSTANCE_HELD_BY_ACTIVE_JOB");
  v->set_subject("tencent/ap-guangzhou/ins-abcdefgh");
  v->set_description("held by job rj-1");
  absl::Status in = absl::FailedPreconditionError("held by other jobs");
  in.SetPayload("type.googleapis.com/google.rpc.PreconditionFailure",
                absl::Cord(failure.SerializeAsString()));
  grpc::Status out = ToGrpcStatus(in);
  EXPECT_EQ(out.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  google::rpc::Status details = Details(out);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::PreconditionFailure decoded;
  ASSERT_TRUE(details.details(0).UnpackTo(&decoded));
  ASSERT_EQ(decoded.violations_size(), 1);
  EXPECT_EQ(decoded.violations(0).subject(),
            "tencent/ap-guangzhou/ins-abcdefgh");
  EXPECT_EQ(decoded.violations(0).description(), "held by job rj-1");
}

TEST(StatusMappingTest, HugeViolationListIsTrimmedWithSummary) {
  google::rpc::BadRequest bad_request;
  for (int i = 0; i < 5000; ++i) {
    auto* v = bad_request.add_field_violations();
    v->set_field("targets[0].instance_ids[" + std::to_string(i) + "]");
    v->set_description("not a valid tencent_cvm instance id: expected ...");
  }
  grpc::Status out =
      ToGrpcStatus(InvalidArgumentWithViolations("x", bad_request));
  EXPECT_LE(out.error_details().size(), kMaxStatusDetailsBytes);
  google::rpc::BadRequest decoded;
  ASSERT_TRUE(Details(out).details(0).UnpackTo(&decoded));
  ASSERT_GT(decoded.field_violations_size(), 10);
  const auto& last =
      decoded.field_violations(decoded.field_violations_size() - 1);
  EXPECT_EQ(last.field(), "*");
  EXPECT_EQ(last.description(),
            "and " +
                std::to_string(5000 - decoded.field_violations_size() + 1) +
                " more field violations not shown");
  EXPECT_EQ(decoded.field_violations(0).field(), "targets[0].instance_ids[0]");
}

TEST(StatusMappingTest, GetBadRequestRoundTrips) {
  EXPECT_FALSE(GetBadRequest(absl::InternalError("x")).has_value());
  google::rpc::BadRequest bad_request;
  bad_request.add_field_violations()->set_field("request_id");
  auto got = GetBadRequest(InvalidArgumentWithViolations("m", bad_request));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->field_violations(0).field(), "request_id");
}

}  // namespace
}  // namespace resetd::service
