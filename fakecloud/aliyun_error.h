// The error half of an Alibaba Cloud ECS (RPC API 2014-05-26) answer as
// fakecloud returns it: an HTTP 4xx/5xx status and a JSON body
// {"RequestId","HostId","Code","Message","Recommend"} (the form openapi-core
// turns into ClientError/ServerError/ThrottlingError and pop-core into
// <Code>Error). Which code comes with which status is listed, with sources,
// in fakecloud/README.md ("Alibaba Cloud ECS API").
#pragma once

#include <string>

namespace resetd::fakecloud {

// One ECS error. Value type.
struct AliyunError {
  int http_status = 400;
  std::string code;
  std::string message;
};

namespace aliyun_codes {
// Gateway (authentication, routing, flow control).
inline constexpr char kIncompleteSignature[] = "IncompleteSignature";
inline constexpr char kSignatureDoesNotMatch[] = "SignatureDoesNotMatch";
inline constexpr char kInvalidAccessKeyIdNotFound[] =
    "InvalidAccessKeyId.NotFound";
inline constexpr char kTimeStampExpired[] = "InvalidTimeStamp.Expired";
inline constexpr char kTimeStampFormat[] = "InvalidTimeStamp.Format";
inline constexpr char kInvalidVersion[] = "InvalidVersion";
inline constexpr char kInvalidAction[] = "InvalidAction.NotFound";
inline constexpr char kMissingRegionId[] = "MissingRegionId";
inline constexpr char kInvalidRegionId[] = "InvalidRegionId.NotFound";
inline constexpr char kThrottling[] = "Throttling.User";
inline constexpr char kInternalError[] = "InternalError";
inline constexpr char kServiceUnavailable[] = "ServiceUnavailable";
// Parameters.
inline constexpr char kMissingParameter[] = "MissingParameter";
inline constexpr char kInvalidParameter[] = "InvalidParameter";
inline constexpr char kInvalidInstanceIdsMalformed[] =
    "InvalidInstanceIds.Malformed";
inline constexpr char kInvalidPassword[] = "InvalidPassword.Malformed";
inline constexpr char kInvalidVncPassword[] = "InvalidVncPassword.Malformed";
inline constexpr char kDryRunSuccess[] = "DRYRUN.SUCCESS";
// Instances.
inline constexpr char kInstanceNotFound[] = "InvalidInstanceId.NotFound";
inline constexpr char kIncorrectInstanceStatus[] = "IncorrectInstanceStatus";
inline constexpr char kOperationConflict[] = "OperationConflict";
}  // namespace aliyun_codes

}  // namespace resetd::fakecloud
