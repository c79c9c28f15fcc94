#include "clients/huawei/sdk_signer.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "common/crypto.h"

namespace resetd::clients::huawei {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool IsUnreserved(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// encodeURIComponent also keeps ! * ' ( ).
bool IsUriComponentSafe(unsigned char c) {
  return IsUnreserved(c) || c == '!' || c == '*' || c == '\'' || c == '(' ||
         c == ')';
}

template <typename Keep>
std::string PercentEncode(std::string_view s, Keep keep) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (keep(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// The headers sorted by lower-cased name (stable, like lodash sortBy).
SdkPairs SortedLowerCase(const SdkPairs& headers) {
  SdkPairs sorted;
  sorted.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    sorted.emplace_back(absl::AsciiStrToLower(name), value);
  }
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  return sorted;
}

std::string FindDate(const SdkPairs& headers) {
  for (const auto& [name, value] : headers) {
    if (absl::AsciiStrToLower(name) == "x-sdk-date") return value;
  }
  return "";
}

}  // namespace

std::string SdkDate(absl::Time time) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", time, absl::UTCTimeZone());
}

std::string SdkUrlEncode(std::string_view s) {
  return PercentEncode(s, IsUnreserved);
}

std::string SdkCanonicalUri(std::string_view path) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    out += PercentEncode(path.substr(start, slash - start), IsUriComponentSafe);
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  if (out.empty() || out.back() != '/') out.push_back('/');
  return out;
}

std::string SdkCanonicalQuery(const SdkPairs& query) {
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& [key, value] : query) by_key[key].push_back(value);
  std::string out;
  for (auto& [key, values] : by_key) {
    std::sort(values.begin(), values.end());
    for (const std::string& value : values) {
      if (!out.empty()) out.push_back('&');
      out += SdkUrlEncode(key) + "=" + SdkUrlEncode(value);
    }
  }
  return out;
}

std::string SdkSignedHeaders(const SdkPairs& headers) {
  std::string out;
  for (const auto& [name, value] : SortedLowerCase(headers)) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

std::string SdkCanonicalRequest(const SdkRequest& r) {
  std::string canonical_headers;
  for (const auto& [name, value] : SortedLowerCase(r.headers)) {
    canonical_headers += name + ":" + value + "\n";
  }
  return r.method + "\n" + SdkCanonicalUri(r.path) + "\n" +
         SdkCanonicalQuery(r.query) + "\n" + canonical_headers + "\n" +
         SdkSignedHeaders(r.headers) + "\n" + Sha256Hex(r.payload);
}

std::string SdkStringToSign(std::string_view canonical_request,
                            std::string_view sdk_date) {
  return std::string(kSdkSigningAlgorithm) + "\n" + std::string(sdk_date) +
         "\n" + Sha256Hex(canonical_request);
}

std::string SdkSignature(std::string_view secret_key,
                         const SdkRequest& request) {
  return HexEncode(
      HmacSha256(secret_key, SdkStringToSign(SdkCanonicalRequest(request),
                                             FindDate(request.headers))));
}

std::string SdkAuthorization(std::string_view access_key,
                             std::string_view secret_key,
                             const SdkRequest& request) {
  return std::string(kSdkSigningAlgorithm) +
         " Access=" + std::string(access_key) +
         ", SignedHeaders=" + SdkSignedHeaders(request.headers) +
         ", Signature=" + SdkSignature(secret_key, request);
}

}  // namespace resetd::clients::huawei
