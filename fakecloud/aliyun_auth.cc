#include "fakecloud/aliyun_auth.h"

#include <algorithm>
#include <vector>

#include "clients/aliyun/acs3_signer.h"
#include "common/crypto.h"
#include "fakecloud/request_params.h"
#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace {

namespace ac = aliyun_codes;
using clients::aliyun::Acs3Encode;

constexpr char kAcs3Prefix[] = "ACS3-HMAC-SHA256 ";

std::string Header(const ApiRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

void ParseFormInto(std::string_view form, AliyunParams& params) {
  for (std::string_view pair : Split(form, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string& slot = params[FormDecode(pair.substr(0, eq))];
    WipeString(slot);
    slot = eq == std::string_view::npos ? "" : FormDecode(pair.substr(eq + 1));
  }
}

AliyunError Incomplete(const std::string& why) {
  return {400, ac::kIncompleteSignature,
          "The request signature does not conform to Aliyun standards. " +
              why};
}

// "key=value" pairs of the Authorization after the algorithm, split on ','.
std::map<std::string, std::string> AuthFields(std::string_view rest) {
  std::map<std::string, std::string> fields;
  for (std::string_view part : Split(rest, ',')) {
    part = Trim(part);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    fields[std::string(Trim(part.substr(0, eq)))] =
        std::string(Trim(part.substr(eq + 1)));
  }
  return fields;
}

bool MustBeSigned(const std::string& lower_name) {
  return lower_name == "host" || lower_name == "content-type" ||
         lower_name.rfind("x-acs-", 0) == 0;
}

// Every signable header sent is listed and every listed header was sent;
// fills `*signed_headers` with the listed (name, value) pairs.
std::optional<AliyunError> CollectSignedHeaders(
    const ApiRequest& r, const std::string& list,
    clients::aliyun::Acs3Headers* signed_headers) {
  std::vector<std::string> names;
  for (std::string_view n : Split(list, ';')) names.push_back(Lower(Trim(n)));
  for (const std::string& name : names) {
    auto it = r.headers.find(name);
    if (it == r.headers.end()) {
      return Incomplete("The signed header " + name + " was not sent.");
    }
    signed_headers->emplace_back(name, it->second);
  }
  for (const auto& [name, value] : r.headers) {
    if (MustBeSigned(name) &&
        std::find(names.begin(), names.end(), name) == names.end()) {
      return Incomplete("The header " + name + " must be signed.");
    }
  }
  return std::nullopt;
}

// The canonical query of ACS3: every decoded parameter, RFC 3986 encoded,
// sorted (the wire order and escaping of the SDK differ from it).
std::string CanonicalQuery(const AliyunParams& params) {
  clients::aliyun::Acs3Params pairs(params.begin(), params.end());
  std::string query = clients::aliyun::Acs3CanonicalQuery(pairs);
  for (auto& [name, value] : pairs) WipeString(value);
  return query;
}

}  // namespace

AliyunParams ParseAliyunParams(const ApiRequest& r) {
  AliyunParams params;
  ParseFormInto(r.query, params);
  if (r.method == "POST" && !r.body.empty() &&
      Lower(Header(r, "content-type")).find("x-www-form-urlencoded") !=
          std::string::npos) {
    ParseFormInto(r.body, params);
  }
  return params;
}

void WipeAliyunParams(AliyunParams& params) {
  for (auto& [name, value] : params) WipeString(value);
  params.clear();
}

AliyunVerifier::AliyunVerifier(std::map<std::string, Secret> credentials,
                               const Clock& clock, absl::Duration max_skew)
    : credentials_(std::move(credentials)),
      clock_(clock),
      max_skew_(max_skew) {}

const Secret* AliyunVerifier::SecretOf(const std::string& id) const {
  auto it = credentials_.find(id);
  return it == credentials_.end() ? nullptr : &it->second;
}

std::optional<AliyunError> AliyunVerifier::CheckTime(
    const std::string& value) const {
  absl::Time t;
  std::string error;
  if (value.empty() ||
      !absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", value, absl::UTCTimeZone(), &t,
                       &error)) {
    return AliyunError{400, ac::kTimeStampFormat,
                       "Specified time stamp or date value is not well "
                       "formatted."};
  }
  if (absl::AbsDuration(clock_.Now() - t) > max_skew_) {
    return AliyunError{400, ac::kTimeStampExpired,
                       "Specified time stamp or date value is expired."};
  }
  return std::nullopt;
}

std::optional<AliyunError> AliyunVerifier::Verify(
    const ApiRequest& r, const AliyunParams& params,
    AliyunCaller* caller) const {
  if (Header(r, "authorization").rfind(kAcs3Prefix, 0) == 0) {
    return VerifyAcs3(r, params, caller);
  }
  if (params.count("Signature")) return VerifyRpcV1(r, params, caller);
  if (!Header(r, "authorization").empty()) {
    return Incomplete("Unsupported signature algorithm.");
  }
  return Incomplete("The request is not signed.");
}

std::optional<AliyunError> AliyunVerifier::VerifyAcs3(
    const ApiRequest& r, const AliyunParams& params,
    AliyunCaller* caller) const {
  caller->action = Header(r, "x-acs-action");
  caller->version = Header(r, "x-acs-version");
  std::map<std::string, std::string> fields =
      AuthFields(std::string_view(Header(r, "authorization"))
                     .substr(sizeof(kAcs3Prefix) - 1));
  if (fields["Credential"].empty() || fields["SignedHeaders"].empty() ||
      fields["Signature"].empty()) {
    return Incomplete("The Authorization header is malformed.");
  }
  caller->access_key_id = fields["Credential"];
  const Secret* secret = SecretOf(caller->access_key_id);
  if (secret == nullptr) {
    return AliyunError{404, ac::kInvalidAccessKeyIdNotFound,
                       "Specified access key is not found."};
  }
  if (auto e = CheckTime(Header(r, "x-acs-date"))) return e;
  clients::aliyun::Acs3Headers headers;
  if (auto e = CollectSignedHeaders(r, fields["SignedHeaders"], &headers))
    return e;
  const std::string payload_hash = Header(r, "x-acs-content-sha256");
  if (payload_hash != Sha256Hex(r.body)) {
    return AliyunError{400, ac::kSignatureDoesNotMatch,
                       "The x-acs-content-sha256 header does not match the "
                       "SHA-256 of the request body."};
  }
  std::string query = CanonicalQuery(params);
  clients::aliyun::Acs3Request request{r.method, r.path, query, headers,
                                       payload_hash};
  const std::string expected =
      clients::aliyun::Acs3Signature(secret->Reveal(), request);
  const std::string string_to_sign =
      clients::aliyun::Acs3StringToSign(request);
  WipeString(query);
  if (!ConstantTimeEquals(expected, Lower(fields["Signature"]))) {
    return AliyunError{400, ac::kSignatureDoesNotMatch,
                       "The request signature does not conform to Aliyun "
                       "standards. server string to sign is:" +
                           string_to_sign};
  }
  return std::nullopt;
}

std::optional<AliyunError> AliyunVerifier::VerifyRpcV1(
    const ApiRequest& r, const AliyunParams& params,
    AliyunCaller* caller) const {
  auto get = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  caller->action = get("Action");
  caller->version = get("Version");
  caller->access_key_id = get("AccessKeyId");
  for (const char* name : {"AccessKeyId", "Action", "SignatureMethod",
                           "SignatureNonce", "SignatureVersion", "Timestamp",
                           "Version"}) {
    if (get(name).empty()) {
      return Incomplete(std::string("The parameter ") + name +
                        " is missing.");
    }
  }
  if (get("SignatureMethod") != "HMAC-SHA1" ||
      get("SignatureVersion") != "1.0") {
    return Incomplete("Only SignatureMethod HMAC-SHA1, version 1.0.");
  }
  const Secret* secret = SecretOf(caller->access_key_id);
  if (secret == nullptr) {
    return AliyunError{404, ac::kInvalidAccessKeyIdNotFound,
                       "Specified access key is not found."};
  }
  if (auto e = CheckTime(get("Timestamp"))) return e;
  AliyunParams signed_params = params;
  signed_params.erase("Signature");
  std::string canonical = CanonicalQuery(signed_params);
  WipeAliyunParams(signed_params);
  std::string string_to_sign = r.method + "&%2F&" + Acs3Encode(canonical);
  WipeString(canonical);
  const std::string expected = Base64Encode(
      HmacSha1(std::string(secret->Reveal()) + "&", string_to_sign));
  WipeString(string_to_sign);
  if (!ConstantTimeEquals(expected, get("Signature"))) {
    return AliyunError{400, ac::kSignatureDoesNotMatch,
                       "Specified signature is not matched with our "
                       "calculation."};
  }
  caller->rpc_v1 = true;
  return std::nullopt;
}

}  // namespace resetd::fakecloud
