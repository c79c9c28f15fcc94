#include "fakecloud/tc3_verifier.h"

#include <cstdint>
#include <vector>

#include "absl/strings/numbers.h"
#include "clients/tencent/tc3_signer.h"
#include "common/crypto.h"
#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace tc3 = ::resetd::clients::tencent;

namespace {

constexpr std::string_view kAlgorithm = "TC3-HMAC-SHA256";

// Host header without its port ("[::1]:80" -> "[::1]", "h:80" -> "h").
std::string HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    size_t end = host.find(']');
    return std::string(
        host.substr(0, end == std::string_view::npos ? host.size() : end + 1));
  }
  return std::string(host.substr(0, host.find(':')));
}

const std::string* FindHeader(const SignedRequest& r, const std::string& name) {
  if (r.headers == nullptr) return nullptr;
  auto it = r.headers->find(name);
  return it == r.headers->end() ? nullptr : &it->second;
}

// The canonical value of a signed header: trimmed, lower case, host unported.
std::optional<std::string> CanonicalHeaderValue(const SignedRequest& r,
                                                const std::string& name) {
  const std::string* value = FindHeader(r, name);
  if (value == nullptr) return std::nullopt;
  std::string v = Lower(Trim(*value));
  return name == "host" ? HostWithoutPort(v) : v;
}

std::string SignString(std::string_view secret_key, std::string_view date,
                       std::string_view service, int64_t timestamp,
                       std::string_view canonical_request) {
  std::string scope =
      std::string(date) + "/" + std::string(service) + "/tc3_request";
  std::string to_sign = std::string(kAlgorithm) + "\n" +
                        std::to_string(timestamp) + "\n" + scope + "\n" +
                        Sha256Hex(canonical_request);
  std::string k_date = HmacSha256("TC3" + std::string(secret_key), date);
  std::string k_service = HmacSha256(k_date, service);
  std::string k_signing = HmacSha256(k_service, "tc3_request");
  return HexEncode(HmacSha256(k_signing, to_sign));
}

ApiError Error(const char* code, std::string message) {
  return ApiError{code, std::move(message)};
}

}  // namespace

std::optional<Tc3Authorization> ParseTc3Authorization(std::string_view header) {
  header = Trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) return std::nullopt;
  Tc3Authorization auth;
  std::string credential;
  for (std::string_view part : Split(header.substr(kAlgorithm.size()), ',')) {
    part = Trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential")
      credential = std::string(value);
    else if (key == "SignedHeaders")
      auth.signed_headers = std::string(value);
    else if (key == "Signature")
      auth.signature = std::string(value);
  }
  std::vector<std::string_view> scope = Split(credential, '/');
  if (scope.size() != 4 || scope[0].empty() || scope[3] != "tc3_request" ||
      auth.signed_headers.empty() || auth.signature.empty()) {
    return std::nullopt;
  }
  auth.secret_id = std::string(scope[0]);
  auth.date = std::string(scope[1]);
  auth.service = std::string(scope[2]);
  return auth;
}

std::optional<std::string> ComputeTc3Signature(const SignedRequest& r,
                                               std::string_view signed_headers,
                                               std::string_view service,
                                               int64_t timestamp,
                                               std::string_view secret_key) {
  std::string canonical_headers;
  for (std::string_view name : Split(signed_headers, ';')) {
    std::string lower = Lower(name);
    std::optional<std::string> value = CanonicalHeaderValue(r, lower);
    if (!value) return std::nullopt;
    canonical_headers += lower + ":" + *value + "\n";
  }
  std::string canonical = std::string(r.method) + "\n/\n" +
                          std::string(r.query) + "\n" + canonical_headers +
                          "\n" + Lower(signed_headers) + "\n" +
                          Sha256Hex(r.body);
  return SignString(secret_key, tc3::Tc3Date(timestamp), service, timestamp,
                    canonical);
}

Tc3Verifier::Tc3Verifier(std::map<std::string, Secret> keys, const Clock& clock,
                         absl::Duration max_skew)
    : keys_(std::move(keys)), clock_(clock), max_skew_(max_skew) {}

std::optional<ApiError> Tc3Verifier::CheckTimestamp(const SignedRequest& r,
                                                    int64_t* timestamp) const {
  const std::string* header = FindHeader(r, "x-tc-timestamp");
  if (header == nullptr) {
    return Error(codes::kMissingParameter,
                 "The request is missing a required parameter `Timestamp`.");
  }
  if (!absl::SimpleAtoi(*header, timestamp)) {
    return Error(codes::kInvalidParameterValue,
                 "The value of parameter `Timestamp` is not an integer.");
  }
  absl::Duration skew = clock_.Now() - absl::FromUnixSeconds(*timestamp);
  if (absl::AbsDuration(skew) > max_skew_) {
    return Error(codes::kSignatureExpire,
                 "Signature expired. Timestamp and server time cannot differ "
                 "by more than " +
                     std::to_string(absl::ToInt64Seconds(max_skew_)) +
                     " seconds.");
  }
  return std::nullopt;
}

std::optional<ApiError> Tc3Verifier::Verify(const SignedRequest& r,
                                            std::string* secret_id) const {
  return Verify(r, "cvm", secret_id);
}

std::optional<ApiError> Tc3Verifier::Verify(const SignedRequest& r,
                                            std::string_view service,
                                            std::string* secret_id) const {
  const std::string* header = FindHeader(r, "authorization");
  std::optional<Tc3Authorization> auth =
      header ? ParseTc3Authorization(*header) : std::nullopt;
  if (!auth) {
    return Error(codes::kInvalidAuthorization,
                 "The Authorization header is missing or malformed.");
  }
  *secret_id = auth->secret_id;
  int64_t timestamp = 0;
  if (auto error = CheckTimestamp(r, &timestamp)) return error;
  auto key = keys_.find(auth->secret_id);
  if (key == keys_.end()) {
    return Error(codes::kSecretIdNotFound,
                 "The SecretId is not found, please ensure that your SecretId "
                 "is correct.");
  }
  if (auth->service != service || auth->date != tc3::Tc3Date(timestamp)) {
    return Error(codes::kSignatureFailure,
                 "The credential scope `" + auth->date + "/" + auth->service +
                     "` does not match `" + tc3::Tc3Date(timestamp) + "/" +
                     std::string(service) + "`.");
  }
  std::optional<std::string> expected;
  if (Lower(auth->signed_headers) == "content-type;host") {
    const std::string* ct = FindHeader(r, "content-type");
    const std::string* host = FindHeader(r, "host");
    if (ct && host) {
      std::string canonical_host = HostWithoutPort(*host);
      tc3::Tc3Request req{r.method, r.query, *ct,      canonical_host,
                          r.body,   service, timestamp};
      expected = tc3::Tc3Signature(key->second.Reveal(), req);
    }
  } else if (Lower(auth->signed_headers).find("host") != std::string::npos) {
    expected = ComputeTc3Signature(r, auth->signed_headers, service, timestamp,
                                   key->second.Reveal());
  }
  if (!expected || !ConstantTimeEquals(*expected, Lower(auth->signature))) {
    return Error(codes::kSignatureFailure,
                 "The provided credentials could not be validated. Please "
                 "check your signature is correct.");
  }
  return std::nullopt;
}

}  // namespace resetd::fakecloud
