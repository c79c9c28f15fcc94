// Authentication of Alibaba Cloud RPC-style requests as the ECS gateway does
// it: ACS3-HMAC-SHA256 (the current SDK's default: every parameter in the
// query of a body-less POST, Authorization + x-acs-* headers) and the older
// RPC signature v1 (HMAC-SHA1, `Signature` parameter in the query or a form
// body). ACS3 is recomputed with resetd_acs3, the signer resetd's own client
// uses; see shared/reference/PROVIDER-WIRE-NOTES.md §3.3/§3.4.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/secret.h"
#include "fakecloud/aliyun_error.h"
#include "fakecloud/provider_api.h"

namespace resetd::fakecloud {

// A request's parameters, decoded (name -> value): the URL query, plus a
// form-encoded body (pop-core's POST). Values may hold passwords: the owner
// wipes them (WipeAliyunParams).
using AliyunParams = std::map<std::string, std::string>;

// Decodes the query and, for a form-encoded POST, the body of `request`.
AliyunParams ParseAliyunParams(const ApiRequest& request);

// Wipes every value of `params` (they may be passwords) and clears it.
void WipeAliyunParams(AliyunParams& params);

// Who signed a request, and what it asks for.
struct AliyunCaller {
  std::string access_key_id;
  std::string action;   // x-acs-action (ACS3) or the signed Action (v1)
  std::string version;  // x-acs-version (ACS3) or Version (v1)
  bool rpc_v1 = false;  // signed with RPC signature v1
};

// Thread-safe (immutable after construction).
class AliyunVerifier {
 public:
  // `credentials` maps AccessKeyId -> AccessKeySecret. A request whose
  // x-acs-date (ACS3) or Timestamp (v1) is more than `max_skew` away from
  // the clock's now is refused.
  AliyunVerifier(std::map<std::string, Secret> credentials, const Clock& clock,
                 absl::Duration max_skew);

  // Verifies `request` (whose decoded parameters are `params`). On success
  // fills `*caller` and returns nullopt. Errors (HTTP status, code):
  //   400 IncompleteSignature: no or malformed Authorization/Signature, an
  //       x-acs-*, host or content-type header sent but not signed, a signed
  //       header not sent, missing v1 parameters, unknown algorithm;
  //   404 InvalidAccessKeyId.NotFound: unknown AccessKeyId;
  //   400 InvalidTimeStamp.Format / InvalidTimeStamp.Expired: x-acs-date or
  //       Timestamp malformed / more than max_skew away;
  //   400 SignatureDoesNotMatch: wrong signature, or x-acs-content-sha256
  //       not the SHA-256 of the body.
  // `caller->access_key_id` is filled as soon as it is known (for the log).
  std::optional<AliyunError> Verify(const ApiRequest& request,
                                    const AliyunParams& params,
                                    AliyunCaller* caller) const;

 private:
  std::optional<AliyunError> VerifyAcs3(const ApiRequest& request,
                                        const AliyunParams& params,
                                        AliyunCaller* caller) const;
  std::optional<AliyunError> VerifyRpcV1(const ApiRequest& request,
                                         const AliyunParams& params,
                                         AliyunCaller* caller) const;
  std::optional<AliyunError> CheckTime(const std::string& value) const;
  const Secret* SecretOf(const std::string& access_key_id) const;

  const std::map<std::string, Secret> credentials_;
  const Clock& clock_;
  const absl::Duration max_skew_;
};

}  // namespace resetd::fakecloud
