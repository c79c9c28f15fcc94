#include "clients/aliyun/acs3_signer.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"
#include "common/secret.h"

namespace resetd::clients::aliyun {
namespace {

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// JavaScript's String.prototype.trim() for ASCII whitespace.
std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

bool IsSignedHeader(std::string_view lower_name) {
  return lower_name == "host" || lower_name == "content-type" ||
         lower_name.substr(0, 6) == "x-acs-";
}

// (lower-case name, trimmed values sorted) per signed header, names sorted.
using HeaderGroups =
    std::vector<std::pair<std::string, std::vector<std::string_view>>>;

HeaderGroups GroupSignedHeaders(
    absl::Span<const std::pair<std::string, std::string>> headers) {
  HeaderGroups groups;
  for (const auto& [name, value] : headers) {
    std::string lower = Lower(name);
    if (!IsSignedHeader(lower)) continue;
    auto it =
        std::find_if(groups.begin(), groups.end(),
                     [&lower](const auto& g) { return g.first == lower; });
    if (it == groups.end()) {
      groups.emplace_back(std::move(lower), std::vector<std::string_view>{});
      it = groups.end() - 1;
    }
    it->second.push_back(Trim(value));
  }
  std::sort(groups.begin(), groups.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& group : groups)
    std::sort(group.second.begin(), group.second.end());
  return groups;
}

std::string CanonicalHeaders(const HeaderGroups& groups) {
  std::string out;
  for (const auto& [name, values] : groups) {
    out += name;
    out += ':';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      out += values[i];
    }
    out += '\n';
  }
  return out;
}

std::string SignedHeaderNames(const HeaderGroups& groups) {
  std::string out;
  for (const auto& group : groups) {
    if (!out.empty()) out += ';';
    out += group.first;
  }
  return out;
}

// The SDK's canonicalURI: pathname with "+" -> "%20", "*" -> "%2A",
// "%7E" -> "~".
std::string CanonicalUri(std::string_view pathname) {
  std::string out;
  for (size_t i = 0; i < pathname.size(); ++i) {
    const char c = pathname[i];
    if (c == '+') {
      out += "%20";
    } else if (c == '*') {
      out += "%2A";
    } else if (pathname.substr(i, 3) == "%7E") {
      out += '~';
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Acs3EncodeTo(std::string_view bytes, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
}

std::string Acs3Encode(std::string_view bytes) {
  std::string out;
  out.reserve(3 * bytes.size());
  Acs3EncodeTo(bytes, out);
  return out;
}

std::string Acs3CanonicalQuery(const Acs3Params& params) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  size_t size = 0;
  for (const auto& param : params) {
    sorted.push_back(&param);
    size += 3 * (param.first.size() + param.second.size()) + 2;
  }
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto* a, const auto* b) { return a->first < b->first; });
  // Reserved once: the values may be secrets, and a reallocation would
  // leave an unwiped copy behind.
  std::string out;
  out.reserve(size);
  for (const auto* param : sorted) {
    if (!out.empty()) out += '&';
    Acs3EncodeTo(param->first, out);
    out += '=';
    Acs3EncodeTo(param->second, out);
  }
  return out;
}

std::string Acs3SignedHeaders(
    absl::Span<const std::pair<std::string, std::string>> headers) {
  return SignedHeaderNames(GroupSignedHeaders(headers));
}

std::string Acs3CanonicalRequest(const Acs3Request& request) {
  const HeaderGroups groups = GroupSignedHeaders(request.headers);
  const std::string uri = CanonicalUri(request.pathname);
  const std::string headers = CanonicalHeaders(groups);
  const std::string signed_headers = SignedHeaderNames(groups);
  std::string out;
  out.reserve(request.method.size() + uri.size() +
              request.canonical_query.size() + headers.size() +
              signed_headers.size() + request.hashed_payload.size() + 5);
  out.append(request.method).append("\n");
  out.append(uri).append("\n");
  out.append(request.canonical_query).append("\n");
  out.append(headers).append("\n");
  out.append(signed_headers).append("\n");
  out.append(request.hashed_payload);
  return out;
}

std::string Acs3StringToSign(const Acs3Request& request) {
  std::string canonical = Acs3CanonicalRequest(request);
  std::string hash = Sha256Hex(canonical);
  WipeString(canonical);
  return std::string(kAcs3Algorithm) + "\n" + hash;
}

std::string Acs3Signature(std::string_view access_key_secret,
                          const Acs3Request& request) {
  return HexEncode(HmacSha256(access_key_secret, Acs3StringToSign(request)));
}

std::string Acs3Authorization(std::string_view access_key_id,
                              std::string_view access_key_secret,
                              const Acs3Request& request) {
  return std::string(kAcs3Algorithm) +
         " Credential=" + std::string(access_key_id) +
         ",SignedHeaders=" + Acs3SignedHeaders(request.headers) +
         ",Signature=" + Acs3Signature(access_key_secret, request);
}

}  // namespace resetd::clients::aliyun
