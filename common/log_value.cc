#include "common/log_value.h"

#include <cstdio>

namespace resetd {
namespace {

bool IsPlain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
         c == '-' || c == '/' || c == '[' || c == ']' || c == '@';
}

void AppendEscaped(char c, std::string& out) {
  if (c == '"' || c == '\\') {
    out += '\\';
    out += c;
  } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
    out += buf;
  } else {
    out += c;
  }
}

}  // namespace

std::string LogValue(std::string_view value) {
  constexpr size_t kMax = 200;
  if (value.empty()) return "-";
  bool plain = value.size() <= kMax;
  for (char c : value) plain = plain && IsPlain(c);
  if (plain) return std::string(value);
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kMax; ++i) {
    AppendEscaped(value[i], out);
  }
  if (value.size() > kMax) out += "...";
  return out + "\"";
}

}  // namespace resetd
