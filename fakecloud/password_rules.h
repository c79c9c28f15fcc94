// Password complexity of CVM ResetInstancesPassword, as its API reference
// states it: Linux 8-30 characters, Windows 12-30, at least three of the
// four classes (lower case, upper case, digits, the specials
// ()`~!@#$%^&*-+=_|{}[]:;'<>,.?/), must not start with '/'. Any other
// character (space, non-ASCII, '"', '\\') is rejected. Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace resetd::fakecloud {

enum class OsType { kLinux, kWindows };

// The special characters the reference allows.
inline constexpr std::string_view kPasswordSpecials =
    "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/";

// Returns nullopt if `password` is acceptable for `os`, else a reason that
// never contains the password itself.
std::optional<std::string> CheckPassword(std::string_view password, OsType os);

}  // namespace resetd::fakecloud
