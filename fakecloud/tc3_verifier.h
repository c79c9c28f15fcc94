// Verifies the TC3-HMAC-SHA256 signature of an incoming API 3.0 request, the
// way the Tencent API gateway does, reusing the product's signer
// (clients/tencent/tc3_signer.h) for the canonical content-type;host case.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/secret.h"
#include "fakecloud/api_error.h"

namespace resetd::fakecloud {

// What the verifier reads of a request. Header names are lower case.
struct SignedRequest {
  std::string_view method = "POST";
  std::string_view query;  // the URL query exactly as sent, without '?'
  std::string_view body;
  const std::map<std::string, std::string>* headers = nullptr;
};

// Immutable after construction; thread-safe.
class Tc3Verifier {
 public:
  // `keys` maps each accepted SecretId to its SecretKey. Requests whose
  // X-TC-Timestamp differs from clock.Now() by more than `max_skew` expire.
  Tc3Verifier(std::map<std::string, Secret> keys, const Clock& clock,
              absl::Duration max_skew);

  // Returns nullopt if `request` is signed by a known key, else the error the
  // real API returns: AuthFailure.InvalidAuthorization (missing or malformed
  // Authorization), MissingParameter / InvalidParameterValue (Timestamp),
  // AuthFailure.SignatureExpire, AuthFailure.SecretIdNotFound,
  // AuthFailure.SignatureFailure. `*secret_id` is set as soon as the
  // Authorization header names one, even if verification then fails.
  std::optional<ApiError> Verify(const SignedRequest& request,
                                 std::string* secret_id) const;

  // Verify() for a request whose credential scope must name `service`
  // (e.g. "lighthouse"); the one-service form above means "cvm".
  std::optional<ApiError> Verify(const SignedRequest& request,
                                 std::string_view service,
                                 std::string* secret_id) const;

 private:
  std::optional<ApiError> CheckTimestamp(const SignedRequest& request,
                                         int64_t* timestamp) const;

  std::map<std::string, Secret> keys_;
  const Clock& clock_;
  const absl::Duration max_skew_;
};

// The parts of a TC3 Authorization header.
struct Tc3Authorization {
  std::string secret_id;
  std::string date;     // credential scope date, YYYY-MM-DD
  std::string service;  // credential scope service
  std::string signed_headers;
  std::string signature;
};

// Parses "TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request,
// SignedHeaders=<a;b>, Signature=<hex>". Returns nullopt if malformed.
std::optional<Tc3Authorization> ParseTc3Authorization(std::string_view header);

// The hex signature of a request whose signed headers are `signed_headers`
// (any ';'-separated list that includes host), computed as the API 3.0
// document describes. Returns nullopt if a signed header is absent.
std::optional<std::string> ComputeTc3Signature(const SignedRequest& request,
                                               std::string_view signed_headers,
                                               std::string_view service,
                                               int64_t timestamp,
                                               std::string_view secret_key);

}  // namespace resetd::fakecloud
