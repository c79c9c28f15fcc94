// The error half of a Tencent Cloud API 3.0 response, and the codes fakecloud
// returns. Code names come from Tencent's CVM API reference and the common
// error code list (see fakecloud/README.md for where each one was checked).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace resetd::fakecloud {

// An API error as it travels in Response.Error. Value type.
//
// The Fleet speaks CVM's codes as its canonical vocabulary and lists the
// instances an error is about in `subjects`, so that another provider's API
// can translate code and message at its edge (see LighthouseError()).
struct ApiError {
  std::string code;
  std::string message;
  // (instance id, canonical state) of each offending instance; the state is
  // "" for an instance that was not found. Empty for non-instance errors.
  std::vector<std::pair<std::string, std::string>> subjects = {};
};

namespace codes {
// Common (gateway) errors.
inline constexpr char kInvalidAuthorization[] =
    "AuthFailure.InvalidAuthorization";
inline constexpr char kSecretIdNotFound[] = "AuthFailure.SecretIdNotFound";
inline constexpr char kSignatureExpire[] = "AuthFailure.SignatureExpire";
inline constexpr char kSignatureFailure[] = "AuthFailure.SignatureFailure";
inline constexpr char kInvalidAction[] = "InvalidAction";
inline constexpr char kNoSuchVersion[] = "NoSuchVersion";
inline constexpr char kMissingParameter[] = "MissingParameter";
inline constexpr char kInvalidParameter[] = "InvalidParameter";
inline constexpr char kInvalidParameterValue[] = "InvalidParameterValue";
inline constexpr char kInvalidParameterCombination[] =
    "InvalidParameterCombination";
inline constexpr char kRequestLimitExceeded[] = "RequestLimitExceeded";
inline constexpr char kInternalError[] = "InternalError";
inline constexpr char kInternalServerError[] = "InternalServerError";
// CVM errors.
inline constexpr char kLimitExceeded[] = "InvalidParameterValue.LimitExceeded";
inline constexpr char kTooLong[] = "InvalidParameterValue.TooLong";
inline constexpr char kInvalidPassword[] =
    "InvalidParameterValue.InvalidPassword";
inline constexpr char kInstanceIdMalformed[] = "InvalidInstanceId.Malformed";
inline constexpr char kInstanceIdNotFound[] = "InvalidInstanceId.NotFound";
inline constexpr char kOperationInProgress[] =
    "OperationDenied.InstanceOperationInProgress";
}  // namespace codes

}  // namespace resetd::fakecloud
