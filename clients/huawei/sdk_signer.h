// SDK-HMAC-SHA256, the AK/SK request signature of Huawei Cloud APIs, exactly
// as the official SDK computes it (huaweicloud-sdk-core auth/AKSKSigner.js;
// see shared/reference/PROVIDER-WIRE-NOTES.md §4.3). Pure functions,
// thread-safe. Low-level enough for fakecloud to verify with the same code;
// the Java SDK's published vector and fixtures printed by the Node SDK
// (tests/clients/huawei/gen_sdk_signature_fixture.js) keep it honest.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace resetd::clients::huawei {

inline constexpr char kSdkSigningAlgorithm[] = "SDK-HMAC-SHA256";

// Name/value pairs in order. Names compare case-insensitively where noted.
using SdkPairs = std::vector<std::pair<std::string, std::string>>;

// One request as the signer sees it.
struct SdkRequest {
  std::string method = "GET";  // upper case, as sent
  // The path as sent on the wire, without query ("/v1/p/cloudservers").
  std::string path = "/";
  // The query parameters, decoded (value "id1,id2", not "id1%2Cid2"). A key
  // may repeat; its values are then signed in sorted order.
  SdkPairs query;
  // EVERY header that is signed, as sent: the SDK signs all headers present
  // at signing time (content-type, host with port, x-project-id,
  // x-sdk-date). Must include X-Sdk-Date, whose value is also the date of
  // the string to sign. Must not include Authorization.
  SdkPairs headers;
  // The body as sent; empty for none.
  std::string_view payload;
};

// "YYYYMMDDTHHMMSSZ" (UTC) of `time`: the X-Sdk-Date header value.
std::string SdkDate(absl::Time time);

// Percent-encodes every byte except RFC 3986 unreserved characters
// (A-Z a-z 0-9 - _ . ~), upper-case hex; the SDK's urlEncode for query keys
// and values.
std::string SdkUrlEncode(std::string_view s);

// The canonical URI: each "/"-separated segment of the wire path encoded as
// JavaScript's encodeURIComponent does, joined, always ending in "/".
std::string SdkCanonicalUri(std::string_view path);

// The canonical query: keys sorted, "key=value" encoded with SdkUrlEncode,
// values of a repeated key sorted, joined with "&".
std::string SdkCanonicalQuery(const SdkPairs& query);

// "content-type;host;x-project-id;x-sdk-date": the lower-cased header names
// sorted, joined with ";".
std::string SdkSignedHeaders(const SdkPairs& headers);

// The canonical request:
//   method \n canonical URI \n canonical query \n
//   "name:value\n" per header (lower-cased names, sorted, values verbatim) \n
//   signed headers \n hex(sha256(payload))
std::string SdkCanonicalRequest(const SdkRequest& request);

// "SDK-HMAC-SHA256\n" + sdk_date + "\n" + hex(sha256(canonical_request)).
std::string SdkStringToSign(std::string_view canonical_request,
                            std::string_view sdk_date);

// Hex HMAC-SHA256 of the request's string to sign under `secret_key` (no key
// derivation). The date comes from the request's X-Sdk-Date header ("" when
// absent, which no server accepts).
std::string SdkSignature(std::string_view secret_key,
                         const SdkRequest& request);

// The Authorization header value:
//   "SDK-HMAC-SHA256 Access=<ak>, SignedHeaders=<..>, Signature=<hex>".
std::string SdkAuthorization(std::string_view access_key,
                             std::string_view secret_key,
                             const SdkRequest& request);

}  // namespace resetd::clients::huawei
