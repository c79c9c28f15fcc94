#include "clients/tencent/tc3_signer.h"

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "common/crypto.h"

namespace resetd::clients::tencent {

namespace {
constexpr char kAlgorithm[] = "TC3-HMAC-SHA256";
constexpr char kSignedHeaders[] = "content-type;host";
}  // namespace

std::string Tc3Date(int64_t timestamp) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(timestamp),
                          absl::UTCTimeZone());
}

std::string Tc3CanonicalRequest(const Tc3Request& r) {
  // Signed header values are lower-cased and trimmed (API 3.0 doc).
  std::string content_type(r.content_type);
  absl::StripAsciiWhitespace(&content_type);
  absl::AsciiStrToLower(&content_type);
  std::string host(r.host);
  absl::StripAsciiWhitespace(&host);
  absl::AsciiStrToLower(&host);
  return std::string(r.method) + "\n/\n" + std::string(r.canonical_query) +
         "\ncontent-type:" + content_type + "\nhost:" + host + "\n\n" +
         kSignedHeaders + "\n" + Sha256Hex(r.payload);
}

std::string Tc3StringToSign(const Tc3Request& r) {
  return std::string(kAlgorithm) + "\n" + std::to_string(r.timestamp) + "\n" +
         Tc3Date(r.timestamp) + "/" + std::string(r.service) +
         "/tc3_request\n" + Sha256Hex(Tc3CanonicalRequest(r));
}

std::string Tc3Signature(std::string_view secret_key, const Tc3Request& r) {
  std::string k_date =
      HmacSha256("TC3" + std::string(secret_key), Tc3Date(r.timestamp));
  std::string k_service = HmacSha256(k_date, r.service);
  std::string k_signing = HmacSha256(k_service, "tc3_request");
  return HexEncode(HmacSha256(k_signing, Tc3StringToSign(r)));
}

std::string Tc3Authorization(std::string_view secret_id,
                             std::string_view secret_key, const Tc3Request& r) {
  return std::string(kAlgorithm) + " Credential=" + std::string(secret_id) +
         "/" + Tc3Date(r.timestamp) + "/" + std::string(r.service) +
         "/tc3_request, SignedHeaders=" + kSignedHeaders +
         ", Signature=" + Tc3Signature(secret_key, r);
}

}  // namespace resetd::clients::tencent
