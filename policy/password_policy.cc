#include "policy/password_policy.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>
#include <vector>

namespace resetd::policy {
namespace {

// A byte outside every class of the rule set.
constexpr int kInvalid = 16;

int ClassOf(char c, std::string_view specials) {
  if (c >= 'a' && c <= 'z') return kClassLower;
  if (c >= 'A' && c <= 'Z') return kClassUpper;
  if (c >= '0' && c <= '9') return kClassDigit;
  if (c != '\0' && specials.find(c) != std::string_view::npos) {
    return kClassSpecial;
  }
  return kInvalid;
}

int CountClasses(int mask) {
  return ((mask & kClassLower) != 0) + ((mask & kClassUpper) != 0) +
         ((mask & kClassDigit) != 0) + ((mask & kClassSpecial) != 0);
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

// True iff some `run`-character piece of `user` occurs in `password`.
bool ContainsFragment(std::string_view password, std::string_view user,
                      size_t run) {
  for (size_t i = 0; i + run <= user.size(); ++i) {
    if (ContainsIgnoreCase(password, user.substr(i, run))) return true;
  }
  return false;
}

Violation Make(std::string rule, std::string description) {
  Violation v;
  v.rule = std::move(rule);
  v.description = std::move(description);
  return v;
}

std::string LengthDescription(const PasswordRules& rules) {
  if (rules.min_length == rules.max_length) {
    return "must be exactly " + std::to_string(rules.min_length) +
           " characters";
  }
  return "must be " + std::to_string(rules.min_length) + " to " +
         std::to_string(rules.max_length) + " characters";
}

// Describes the rule without the password, e.g. "at least 3 of: ...".
std::string ClassesDescription(const PasswordRules& rules) {
  std::string text = "must contain at least " +
                     std::to_string(rules.min_classes) +
                     " of: lowercase letters, uppercase letters, digits";
  if (!rules.special_chars.empty()) {
    text += ", special characters " + rules.special_chars;
  }
  return text;
}

// "a digit", "a letter", "an uppercase letter or a digit", ...
std::string ClassSetDescription(unsigned classes) {
  if (classes == kClassLetter) return "a letter";
  std::vector<std::string> names;
  if (classes & kClassLower) names.push_back("a lowercase letter");
  if (classes & kClassUpper) names.push_back("an uppercase letter");
  if (classes & kClassDigit) names.push_back("a digit");
  if (classes & kClassSpecial) names.push_back("a special character");
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : " or ") + names[i];
  }
  return text;
}

std::string AllowedDescription(const PasswordRules& rules) {
  if (rules.special_chars.empty()) return "letters and digits";
  return "letters, digits and " + rules.special_chars;
}

void CheckComposition(std::string_view password, const PasswordRules& rules,
                      std::vector<Violation>& out) {
  int mask = 0;
  for (char c : password) mask |= ClassOf(c, rules.special_chars);
  if (mask & kInvalid) {
    out.push_back(Make("invalid_character",
                       "contains a character that is not allowed (allowed: " +
                           AllowedDescription(rules) + ")"));
  }
  if (CountClasses(mask) < rules.min_classes) {
    out.push_back(Make("character_classes", ClassesDescription(rules)));
  }
  for (unsigned required : rules.required_classes) {
    if ((static_cast<unsigned>(mask) & required) == 0) {
      out.push_back(Make("required_characters",
                         "must contain " + ClassSetDescription(required)));
    }
  }
}

// The user whose name the rules check: the provider's fixed account, else
// the job's user, else the provider's default.
std::string_view CheckedUser(std::string_view username,
                             const PasswordRules& rules) {
  if (rules.fixed_username || username.empty()) return rules.default_username;
  return username;
}

void CheckUserName(std::string_view password, std::string_view user,
                   const PasswordRules& rules, std::vector<Violation>& out) {
  if (user.empty()) return;
  const bool contains = ContainsIgnoreCase(password, user);
  if (rules.forbid_username && contains) {
    out.push_back(Make("contains_username", "must not contain the user name"));
  }
  const std::string reversed(user.rbegin(), user.rend());
  if (rules.forbid_reversed_username &&
      ContainsIgnoreCase(password, reversed)) {
    out.push_back(Make("contains_reversed_username",
                       "must not contain the user name spelled backwards"));
  }
  const size_t run = static_cast<size_t>(rules.max_username_run) + 1;
  if (rules.max_username_run > 0 && !(rules.forbid_username && contains) &&
      ContainsFragment(password, user, run)) {
    out.push_back(Make("contains_username_fragment",
                       "must not contain " + std::to_string(run) +
                           " or more consecutive characters of the user "
                           "name"));
  }
}

void Label(std::vector<Violation>& violations, size_t from,
           const PolicyTarget& target) {
  for (size_t i = from; i < violations.size(); ++i) {
    violations[i].target = target.target_label;
    violations[i].provider_kind = target.provider_kind;
    violations[i].os = target.os;
    violations[i].kind = target.kind;
  }
}

// Why `target` has no rules: its provider kind is unknown, or lacks the
// target's password kind.
Violation NoRules(const RuleTable& table, const PolicyTarget& target) {
  if (!table.Knows(target.provider_kind)) {
    return Make("unknown_provider_kind",
                "no password rules for provider "
                "kind \"" +
                    target.provider_kind + "\"");
  }
  std::string kind(PasswordKindName(target.kind));
  for (char& c : kind) c = static_cast<char>(std::toupper(c));
  return Make("unsupported_password_kind",
              "provider kind \"" + target.provider_kind + "\" has no " + kind +
                  " password");
}

}  // namespace

std::string FormatViolation(const Violation& v) {
  const std::string_view qualifier = v.kind == PasswordKind::kVnc
                                         ? PasswordKindName(v.kind)
                                         : OsKindName(v.os);
  return "target " + v.target + " (" + v.provider_kind + ", " +
         std::string(qualifier) + "): " + v.description;
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
    out.push_back(Make("length", LengthDescription(rules)));
  }
  if (!password.empty() &&
      rules.forbidden_first_chars.find(password.front()) != std::string::npos) {
    out.push_back(Make("leading_char", "must not start with any of \"" +
                                           rules.forbidden_first_chars + "\""));
  }
  CheckComposition(password, rules, out);
  CheckUserName(password, CheckedUser(username, rules), rules, out);
  return out;
}

std::vector<Violation> PasswordPolicy::CheckPassword(
    const Secret& password, std::string_view username,
    absl::Span<const PolicyTarget> targets) const {
  std::vector<Violation> out;
  for (const PolicyTarget& target : targets) {
    const size_t from = out.size();
    const PasswordRules* rules =
        rules_.Find(target.provider_kind, target.os, target.kind);
    if (rules == nullptr) {
      out.push_back(NoRules(rules_, target));
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
    const PasswordRules* rules =
        rules_.Find(target.provider_kind, target.os, target.kind);
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

bool PasswordPolicy::SupportsPasswordKind(std::string_view provider_kind,
                                          PasswordKind kind) const {
  return rules_.Has(provider_kind, kind);
}

std::vector<Violation> PasswordPolicy::CheckPasswordKind(
    absl::Span<const PolicyTarget> targets) const {
  std::vector<Violation> out;
  for (const PolicyTarget& target : targets) {
    if (rules_.Find(target.provider_kind, target.os, target.kind) != nullptr) {
      continue;
    }
    out.push_back(NoRules(rules_, target));
    Label(out, out.size() - 1, target);
  }
  return out;
}

std::vector<Violation> CheckPassword(const Secret& password,
                                     std::string_view username,
                                     absl::Span<const PolicyTarget> targets) {
  return PasswordPolicy::Builtin().CheckPassword(password, username, targets);
}

}  // namespace resetd::policy
