// Password rules as data: one rule set per (provider kind, OS). A provider
// plugs in by adding its rule sets to a RuleTable; the checker is shared.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace resetd::policy {

// The operating system family of a target; it selects the rule set.
enum class OsKind { kLinux, kWindows };

// "linux" or "windows", for messages and labels.
std::string_view OsKindName(OsKind os);

// The rules one provider applies to passwords (and user names) of one OS.
// Character classes are: lowercase ASCII letters, uppercase ASCII letters,
// ASCII digits, and the characters of `special_chars`. Any other character
// (including space and non-ASCII bytes) is invalid.
struct PasswordRules {
  int min_length = 8;
  int max_length = 30;
  // At least this many of the four classes must occur.
  int min_classes = 3;
  std::string special_chars;
  // Characters a password must not start with (e.g. "/").
  std::string forbidden_first_chars;
  // The password must not contain the user name (case-insensitive). When the
  // job names no user, `default_username` is the one checked (if non-empty).
  bool forbid_username = false;
  std::string default_username;
  // The longest user name the provider accepts; 0 = no limit.
  int max_username_length = 0;
};

// Tencent CVM (ResetInstancesPassword): Linux 8-30, Windows 12-30, not
// starting with "/", 3 of 4 classes with specials
// ()`~!@#$%^&*-+=_|{}[]:;'<>,.?/, Windows passwords must not contain the user
// name; user names <= 64 chars.
PasswordRules TencentCvmRules(OsKind os);

// Rule sets by (provider kind, OS). Immutable once built; thread-safe to read.
class RuleTable {
 public:
  // Adds or replaces the rules of (provider_kind, os).
  void Set(std::string provider_kind, OsKind os, PasswordRules rules);
  // The rules of (provider_kind, os), or nullptr when the kind is unknown.
  const PasswordRules* Find(std::string_view provider_kind, OsKind os) const;

  // The rule sets this build knows: "tencent_cvm" so far.
  static RuleTable Builtin();

 private:
  std::map<std::pair<std::string, OsKind>, PasswordRules, std::less<>> rules_;
};

}  // namespace resetd::policy
