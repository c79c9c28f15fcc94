// TC3-HMAC-SHA256, the request signature of Tencent Cloud API 3.0, exactly as
// the official SDK computes it (tencentcloud-sdk-nodejs-common sign.js; see
// shared/reference/PROVIDER-WIRE-NOTES.md §2.3). Pure functions, thread-safe.
// fakecloud verifies with the same functions; the official SDK's published
// vectors and the Node SDK conformance test keep both honest.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace resetd::clients::tencent {

struct Tc3Request {
  std::string_view method = "POST";        // "POST" or "GET"
  std::string_view canonical_query;        // "" for POST; the URL query for GET
  std::string_view content_type;           // as sent, e.g. "application/json"
  std::string_view host;                   // host name WITHOUT port
  std::string_view payload;                // request body
  std::string_view service;                // credential scope service, e.g. "cvm"
  int64_t timestamp = 0;                   // X-TC-Timestamp, seconds since epoch
};

// "YYYY-MM-DD" (UTC) of `timestamp`, the scope date.
std::string Tc3Date(int64_t timestamp);

// The canonical request (signed headers: content-type;host).
std::string Tc3CanonicalRequest(const Tc3Request& request);

// The string to sign for `request`.
std::string Tc3StringToSign(const Tc3Request& request);

// Hex signature of `request` under `secret_key`.
std::string Tc3Signature(std::string_view secret_key, const Tc3Request& request);

// The full Authorization header value.
std::string Tc3Authorization(std::string_view secret_id,
                             std::string_view secret_key,
                             const Tc3Request& request);

}  // namespace resetd::clients::tencent
