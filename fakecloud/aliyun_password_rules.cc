#include "fakecloud/aliyun_password_rules.h"

namespace resetd::fakecloud {

namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::string> CheckAliyunPassword(std::string_view password,
                                               OsType os) {
  if (password.size() < 8 || password.size() > 30) {
    return "the password must be 8 to 30 characters long";
  }
  bool lower = false, upper = false, digit = false, special = false;
  for (char c : password) {
    if (IsLower(c)) {
      lower = true;
    } else if (IsUpper(c)) {
      upper = true;
    } else if (IsDigit(c)) {
      digit = true;
    } else if (kAliyunPasswordSpecials.find(c) != std::string_view::npos) {
      special = true;
    } else {
      return "the password contains a character that is not allowed";
    }
  }
  if (lower + upper + digit + special < 3) {
    return "the password must contain at least three of: lower-case letters, "
           "upper-case letters, digits, special characters";
  }
  if (os == OsType::kWindows && password.front() == '/') {
    return "a Windows password must not start with a forward slash (/)";
  }
  return std::nullopt;
}

std::optional<std::string> CheckAliyunVncPassword(std::string_view password) {
  if (password.size() != 6) {
    return "the VNC password must be exactly 6 characters long";
  }
  bool lower = false, upper = false, digit = false;
  for (char c : password) {
    if (IsLower(c)) {
      lower = true;
    } else if (IsUpper(c)) {
      upper = true;
    } else if (IsDigit(c)) {
      digit = true;
    } else {
      return "the VNC password may contain only letters and digits";
    }
  }
  if (!lower || !upper || !digit) {
    return "the VNC password must contain an upper-case letter, a lower-case "
           "letter and a digit";
  }
  return std::nullopt;
}

}  // namespace resetd::fakecloud
