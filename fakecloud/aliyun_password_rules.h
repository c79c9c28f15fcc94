// Alibaba Cloud ECS password rules (ModifyInstanceAttribute `Password` and
// ModifyInstanceVncPasswd `VncPassword`), as the API reference states them.
// Pure, thread-safe; no reason ever quotes the password.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fakecloud/password_rules.h"

namespace resetd::fakecloud {

// The specials ModifyInstanceAttribute allows. The references disagree on
// ' and "; fakecloud accepts neither.
inline constexpr std::string_view kAliyunPasswordSpecials =
    "()`~!@#$%^&*-_+=|{}[]:;<>,.?/";

// Login password: 8-30 characters, each a letter, digit or one of
// kAliyunPasswordSpecials, from at least three of the classes lower case,
// upper case, digits, specials; on Windows it must not start with '/'.
// nullopt if acceptable for `os`, else the reason.
std::optional<std::string> CheckAliyunPassword(std::string_view password,
                                               OsType os);

// VNC password: exactly 6 letters and digits with at least one upper-case
// letter, one lower-case letter and one digit. nullopt if acceptable.
std::optional<std::string> CheckAliyunVncPassword(std::string_view password);

}  // namespace resetd::fakecloud
