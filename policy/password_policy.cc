#include "policy/password_policy.h"

#include <algorithm>
#include <iterator>

namespace resetd::policy {
namespace {

enum CharClass {
  kLower = 1,
  kUpper = 2,
  kDigit = 4,
  kSpecial = 8,
  kInvalid = 16
};

int ClassOf(char c, std::string_view specials) {
  if (c >= 'a' && c <= 'z') return kLower;
  if (c >= 'A' && c <= 'Z') return kUpper;
  if (c >= '0' && c <= '9') return kDigit;
  if (c != '\0' && specials.find(c) != std::string_view::npos) return kSpecial;
  return kInvalid;
}

int CountClasses(int mask) {
  return ((mask & kLower) != 0) + ((mask & kUpper) != 0) +
         ((mask & kDigit) != 0) + ((mask & kSpecial) != 0);
}

char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return false;
  auto it = std::search(
      haystack.begin(), haystack.end(), needle.begin(), needle.end(),
      [](char a, char b) { return AsciiLower(a) == AsciiLower(b); });
  return it != haystack.end();
}

Violation Make(std::string rule, std::string description) {
  Violation v;
  v.rule = std::move(rule);
  v.description = std::move(description);
  return v;
}

// Describes the rule without the password, e.g. "at least 3 of: ...".
std::string ClassesDescription(const PasswordRules& rules) {
  return "must contain at least " + std::to_string(rules.min_classes) +
         " of: lowercase letters, uppercase letters, digits, special "
         "characters " +
         rules.special_chars;
}

void CheckComposition(std::string_view password, const PasswordRules& rules,
                      std::vector<Violation>& out) {
  int mask = 0;
  for (char c : password) mask |= ClassOf(c, rules.special_chars);
  if (mask & kInvalid) {
    out.push_back(Make("invalid_character",
                       "contains a character that is not allowed (allowed: "
                       "letters, digits and " +
                           rules.special_chars + ")"));
  }
  if (CountClasses(mask) < rules.min_classes) {
    out.push_back(Make("character_classes", ClassesDescription(rules)));
  }
}

void Label(std::vector<Violation>& violations, size_t from,
           const PolicyTarget& target) {
  for (size_t i = from; i < violations.size(); ++i) {
    violations[i].target = target.target_label;
    violations[i].provider_kind = target.provider_kind;
    violations[i].os = target.os;
  }
}

Violation UnknownKind(const PolicyTarget& target) {
  return Make(
      "unknown_provider_kind",
      "no password rules for provider kind \"" + target.provider_kind + "\"");
}

}  // namespace

std::string FormatViolation(const Violation& v) {
  return "target " + v.target + " (" + v.provider_kind + ", " +
         std::string(OsKindName(v.os)) + "): " + v.description;
}

const PasswordPolicy& PasswordPolicy::Builtin() {
  static const PasswordPolicy* const kPolicy =
      new PasswordPolicy(RuleTable::Builtin());
  return *kPolicy;
}

std::vector<Violation> CheckAgainstRules(std::string_view password,
                                         std::string_view username,
                                         const PasswordRules& rules) {
  std::vector<Violation> out;
  const int length = static_cast<int>(password.size());
  if (length < rules.min_length || length > rules.max_length) {
    out.push_back(Make("length", "must be " + std::to_string(rules.min_length) +
                                     " to " + std::to_string(rules.max_length) +
                                     " characters"));
  }
  if (!password.empty() &&
      rules.forbidden_first_chars.find(password.front()) != std::string::npos) {
    out.push_back(Make("leading_char", "must not start with any of \"" +
                                           rules.forbidden_first_chars + "\""));
  }
  CheckComposition(password, rules, out);
  std::string_view user =
      username.empty() ? std::string_view(rules.default_username) : username;
  if (rules.forbid_username && ContainsIgnoreCase(password, user)) {
    out.push_back(Make("contains_username", "must not contain the user name"));
  }
  return out;
}

std::vector<Violation> PasswordPolicy::CheckPassword(
    const Secret& password, std::string_view username,
    absl::Span<const PolicyTarget> targets) const {
  std::vector<Violation> out;
  for (const PolicyTarget& target : targets) {
    const size_t from = out.size();
    const PasswordRules* rules = rules_.Find(target.provider_kind, target.os);
    if (rules == nullptr) {
      out.push_back(UnknownKind(target));
    } else {
      std::vector<Violation> found =
          CheckAgainstRules(password.Reveal(), username, *rules);
      std::move(found.begin(), found.end(), std::back_inserter(out));
    }
    Label(out, from, target);
  }
  return out;
}

std::vector<Violation> PasswordPolicy::CheckUsername(
    std::string_view username, absl::Span<const PolicyTarget> targets) const {
  std::vector<Violation> out;
  for (const PolicyTarget& target : targets) {
    const PasswordRules* rules = rules_.Find(target.provider_kind, target.os);
    if (rules == nullptr || rules->max_username_length <= 0) continue;
    if (static_cast<int>(username.size()) > rules->max_username_length) {
      out.push_back(Make("username_length",
                         "must be at most " +
                             std::to_string(rules->max_username_length) +
                             " characters"));
      Label(out, out.size() - 1, target);
    }
  }
  return out;
}

std::vector<Violation> CheckPassword(const Secret& password,
                                     std::string_view username,
                                     absl::Span<const PolicyTarget> targets) {
  return PasswordPolicy::Builtin().CheckPassword(password, username, targets);
}

}  // namespace resetd::policy
