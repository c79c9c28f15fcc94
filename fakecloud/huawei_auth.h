// Verification of Huawei Cloud's SDK-HMAC-SHA256 request signatures
// (X-Sdk-Date, Authorization "SDK-HMAC-SHA256 Access=.., SignedHeaders=..,
// Signature=.."), recomputed with the signer our client uses
// (clients/huawei/sdk_signer.h, itself checked against the official SDK).
// Pure apart from the clock; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "common/secret.h"
#include "fakecloud/provider_api.h"

namespace resetd::fakecloud {

// A gateway error of Huawei's API Gateway: HTTP status, APIGW.xxxx code and
// message, answered as {"error_code","error_msg","request_id"}.
struct HuaweiGatewayError {
  int status = 401;
  std::string code;
  std::string message;
};

// The parts of an SDK-HMAC-SHA256 Authorization header.
struct SdkAuthorizationHeader {
  std::string access_key;
  std::string signed_headers;  // "content-type;host;x-project-id;x-sdk-date"
  std::string signature;
};

// Parses `value`; nullopt unless it is "SDK-HMAC-SHA256 Access=..,
// SignedHeaders=.., Signature=.." with all three present.
std::optional<SdkAuthorizationHeader> ParseSdkAuthorization(
    const std::string& value);

// Splits a raw URL query ("a=1&b=x%2Cy") into decoded pairs, in order;
// '+' stays '+' (the SDK encodes spaces as %20).
std::vector<std::pair<std::string, std::string>> DecodeQuery(
    const std::string& query);

// Checks the signature of `request` against `credentials` (AK -> SK) at
// `now`. On success returns nullopt and sets `*access_key`; otherwise
// APIGW.0301 (HTTP 401) with the reason: no or malformed Authorization, a
// signed header missing, X-Sdk-Date missing, malformed or more than
// `max_skew` away from `now`, unknown AK, wrong signature. `*access_key` is
// set whenever the header names one.
std::optional<HuaweiGatewayError> VerifySdkSignature(
    const ApiRequest& request, const std::map<std::string, Secret>& credentials,
    absl::Time now, absl::Duration max_skew, std::string* access_key);

}  // namespace resetd::fakecloud
