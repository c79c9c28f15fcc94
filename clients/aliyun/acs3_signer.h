// ACS3-HMAC-SHA256, the V3 request signature of Alibaba Cloud APIs, exactly
// as the official SDK computes it (@alicloud/openapi-core utils.js
// getAuthorization; see shared/reference/PROVIDER-WIRE-NOTES.md §3.3):
//
//   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n
//                      CanonicalHeaders \n SignedHeaders \n HashedPayload
//   StringToSign     = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest))
//   Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
//
// Pure functions, thread-safe, no dependency beyond resetd_common, so that
// fakecloud can verify with the same code. The published vector of
// Alibaba's "V3 request structure and signature" page and fixtures printed
// by the official Node SDK (tests/clients/aliyun/) keep it honest.
//
// Buffers that may hold a password (the query travels in the URL) are
// reserved up front and wiped before they are freed, so no copy of a
// parameter value is left behind in freed memory by these functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/types/span.h"

namespace resetd::clients::aliyun {

inline constexpr char kAcs3Algorithm[] = "ACS3-HMAC-SHA256";

// Hex SHA-256 of the empty body, the x-acs-content-sha256 of a body-less call.
inline constexpr char kEmptyPayloadSha256[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// (name, value) pairs, values plain (not percent-encoded).
using Acs3Params = std::vector<std::pair<std::string, std::string>>;
// (name, value) header pairs as sent, names in any case.
using Acs3Headers = std::vector<std::pair<std::string, std::string>>;

// Appends the RFC 3986 encoding of `bytes` to `out`, as the SDK's encode():
// encodeURIComponent plus ! ' ( ) * escaped, i.e. every byte except
// A-Z a-z 0-9 - _ . ~ becomes %XX (upper-case hex); space is %20.
void Acs3EncodeTo(std::string_view bytes, std::string& out);
std::string Acs3Encode(std::string_view bytes);

// The canonical query: parameters sorted by name (byte order, stable for
// equal names), each "Encode(name)=Encode(value)", joined with "&". The SDK
// does not encode names; every name resetd sends is made of unreserved
// characters, where both agree (and Alibaba's documentation encodes both).
// The result is also a valid wire query. Holds the values: wipe it after use
// when one is a secret.
std::string Acs3CanonicalQuery(const Acs3Params& params);

struct Acs3Request {
  std::string_view method = "POST";
  std::string_view pathname = "/";
  std::string_view canonical_query;  // Acs3CanonicalQuery()
  // Every header sent; host, content-type and x-acs-* are signed.
  absl::Span<const std::pair<std::string, std::string>> headers;
  std::string_view hashed_payload = kEmptyPayloadSha256;  // hex sha256(body)
};

// The signed header names: host, content-type and x-acs-* of `headers`,
// lower-cased, sorted, de-duplicated, joined with ";".
std::string Acs3SignedHeaders(
    absl::Span<const std::pair<std::string, std::string>> headers);

// The canonical request. Contains the query: wipe it after use when the
// query holds a secret.
std::string Acs3CanonicalRequest(const Acs3Request& request);

// "ACS3-HMAC-SHA256\n" + hex(sha256(canonical request)). The canonical
// request built on the way is wiped.
std::string Acs3StringToSign(const Acs3Request& request);

// Hex HMAC-SHA256 signature of `request` under `access_key_secret`.
std::string Acs3Signature(std::string_view access_key_secret,
                          const Acs3Request& request);

// The Authorization header value:
// "ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex>".
std::string Acs3Authorization(std::string_view access_key_id,
                              std::string_view access_key_secret,
                              const Acs3Request& request);

}  // namespace resetd::clients::aliyun
