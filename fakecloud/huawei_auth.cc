#include "fakecloud/huawei_auth.h"

#include "clients/huawei/sdk_signer.h"
#include "common/crypto.h"
#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace {

namespace hw = ::resetd::clients::huawei;

constexpr char kCode[] = "APIGW.0301";

HuaweiGatewayError AuthError(const std::string& why) {
  return {401, kCode, "Incorrect IAM authentication information: " + why};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
        HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Constant-time comparison of two hex signatures.
bool SameSignature(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

std::optional<absl::Time> ParseSdkDate(const std::string& v) {
  // YYYYMMDDTHHMMSSZ; absl's %Y would swallow every digit, so by hand.
  if (v.size() != 16 || v[8] != 'T' || v[15] != 'Z') return std::nullopt;
  auto num = [&](size_t at, size_t n) {
    int out = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (v[i] < '0' || v[i] > '9') return -1;
      out = out * 10 + (v[i] - '0');
    }
    return out;
  };
  const int y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(9, 2),
            mi = num(11, 2), s = num(13, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
      mi < 0 || mi > 59 || s < 0 || s > 60) {
    return std::nullopt;
  }
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

}  // namespace

std::optional<SdkAuthorizationHeader> ParseSdkAuthorization(
    const std::string& value) {
  const std::string prefix = std::string(hw::kSdkSigningAlgorithm) + " ";
  if (value.rfind(prefix, 0) != 0) return std::nullopt;
  SdkAuthorizationHeader out;
  for (std::string_view part :
       Split(std::string_view(value).substr(prefix.size()), ',')) {
    part = Trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view name = part.substr(0, eq), v = part.substr(eq + 1);
    if (name == "Access") out.access_key = std::string(v);
    if (name == "SignedHeaders") out.signed_headers = std::string(v);
    if (name == "Signature") out.signature = std::string(v);
  }
  if (out.access_key.empty() || out.signed_headers.empty() ||
      out.signature.empty()) {
    return std::nullopt;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> DecodeQuery(
    const std::string& query) {
  std::vector<std::pair<std::string, std::string>> out;
  if (query.empty()) return out;
  for (std::string_view pair : Split(query, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    out.emplace_back(PercentDecode(key), PercentDecode(value));
  }
  return out;
}

std::optional<HuaweiGatewayError> VerifySdkSignature(
    const ApiRequest& r, const std::map<std::string, Secret>& credentials,
    absl::Time now, absl::Duration max_skew, std::string* access_key) {
  auto auth_header = r.headers.find("authorization");
  if (auth_header == r.headers.end()) {
    return AuthError("Authorization header not found");
  }
  std::optional<SdkAuthorizationHeader> auth =
      ParseSdkAuthorization(auth_header->second);
  if (!auth) return AuthError("malformed SDK-HMAC-SHA256 Authorization");
  *access_key = auth->access_key;
  hw::SdkRequest sign;
  sign.method = r.method;
  sign.path = r.path;
  sign.query = DecodeQuery(r.query);
  sign.payload = r.body;
  for (std::string_view name : Split(auth->signed_headers, ';')) {
    auto h = r.headers.find(Lower(name));
    if (h == r.headers.end()) {
      return AuthError("signed header " + std::string(name) + " not found");
    }
    sign.headers.emplace_back(h->first, h->second);
  }
  auto date = r.headers.find("x-sdk-date");
  if (date == r.headers.end() ||
      auth->signed_headers.find("x-sdk-date") == std::string::npos) {
    return AuthError("X-Sdk-Date not found or not signed");
  }
  std::optional<absl::Time> signed_at = ParseSdkDate(date->second);
  if (!signed_at) return AuthError("malformed X-Sdk-Date");
  if (absl::AbsDuration(now - *signed_at) > max_skew) {
    return AuthError("X-Sdk-Date expired (more than " +
                     std::to_string(absl::ToInt64Seconds(max_skew)) +
                     " seconds from the server time)");
  }
  auto sk = credentials.find(auth->access_key);
  if (sk == credentials.end()) {
    return AuthError("Get secretKey failed,ak:" + auth->access_key +
                     ",err:ak not exist");
  }
  const std::string expected = hw::SdkSignature(sk->second.Reveal(), sign);
  if (!SameSignature(expected, Lower(auth->signature))) {
    return AuthError("verify aksk signature fail");
  }
  return std::nullopt;
}

}  // namespace resetd::fakecloud
