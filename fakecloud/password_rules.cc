#include "fakecloud/password_rules.h"

namespace resetd::fakecloud {

namespace {

enum Class { kLower = 1, kUpper = 2, kDigit = 4, kSpecial = 8 };

// 0 for a character outside every allowed class.
int ClassOf(char c) {
  if (c >= 'a' && c <= 'z') return kLower;
  if (c >= 'A' && c <= 'Z') return kUpper;
  if (c >= '0' && c <= '9') return kDigit;
  if (kPasswordSpecials.find(c) != std::string_view::npos) return kSpecial;
  return 0;
}

int CountBits(int mask) {
  int n = 0;
  for (; mask != 0; mask &= mask - 1) ++n;
  return n;
}

}  // namespace

std::optional<std::string> CheckPassword(std::string_view password, OsType os) {
  const size_t min_len = os == OsType::kWindows ? 12 : 8;
  const char* os_name = os == OsType::kWindows ? "Windows" : "Linux";
  if (password.size() < min_len || password.size() > 30) {
    return std::string("The password of a ") + os_name + " instance must be " +
           std::to_string(min_len) + " to 30 characters long.";
  }
  if (password.front() == '/') {
    return std::string("The password must not start with \"/\".");
  }
  int classes = 0;
  for (char c : password) {
    int cls = ClassOf(c);
    if (cls == 0) {
      return std::string(
          "The password contains a character that is not allowed.");
    }
    classes |= cls;
  }
  if (CountBits(classes) < 3) {
    return std::string(
        "The password must contain characters of at least three of: lower "
        "case letters, upper case letters, digits, special characters.");
  }
  return std::nullopt;
}

}  // namespace resetd::fakecloud
