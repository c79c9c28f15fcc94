// The password policy: checks a job's password (and user name) against the
// rules of every provider and OS the job targets, before any side effect.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "common/secret.h"
#include "policy/password_rules.h"

namespace resetd::policy {

// One group of instances that will receive the password.
struct PolicyTarget {
  std::string target_label;   // how messages name it, e.g. "targets[1]"
  std::string provider_kind;  // e.g. "tencent_cvm"
  OsKind os = OsKind::kLinux;
};

// One broken rule for one target. `description` never contains the password
// or any part of it (nor the user name).
struct Violation {
  std::string target;         // the target's label
  std::string provider_kind;  // of the target
  OsKind os = OsKind::kLinux;
  // Stable id of the rule: "length", "leading_char", "character_classes",
  // "invalid_character", "contains_username", "username_length",
  // "unknown_provider_kind".
  std::string rule;
  std::string description;  // e.g. "must be 12 to 30 characters"
};

// "target targets[1] (tencent_cvm, windows): must be 12 to 30 characters".
std::string FormatViolation(const Violation& v);

// Checks passwords against a RuleTable. Immutable; thread-safe.
class PasswordPolicy {
 public:
  explicit PasswordPolicy(RuleTable rules) : rules_(std::move(rules)) {}
  // The policy of the built-in rule sets (RuleTable::Builtin()).
  static const PasswordPolicy& Builtin();

  // Every rule `password` breaks, per target, in target order. A job that
  // mixes OSes thus gets the union (Linux + Windows = effectively Windows).
  // `username` is the job's user name (empty = the provider's default). A
  // target whose provider kind has no rules yields one "unknown_provider_kind"
  // violation: unknown rules fail closed. Empty result = acceptable.
  std::vector<Violation> CheckPassword(
      const Secret& password, std::string_view username,
      absl::Span<const PolicyTarget> targets) const;

  // The rules `username` breaks per target (length). Empty = acceptable.
  std::vector<Violation> CheckUsername(
      std::string_view username, absl::Span<const PolicyTarget> targets) const;

 private:
  RuleTable rules_;
};

// PasswordPolicy::Builtin().CheckPassword(...).
std::vector<Violation> CheckPassword(const Secret& password,
                                     std::string_view username,
                                     absl::Span<const PolicyTarget> targets);

// What `password` breaks of one rule set, with `target` fields left empty.
std::vector<Violation> CheckAgainstRules(std::string_view password,
                                         std::string_view username,
                                         const PasswordRules& rules);

}  // namespace resetd::policy
