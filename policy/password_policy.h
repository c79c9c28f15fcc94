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

// One group of instances that will receive the password. Brace-initialised
// with three fields it is a login-password target, as before.
struct PolicyTarget {
  std::string target_label;   // how messages name it, e.g. "targets[1]"
  std::string provider_kind;  // e.g. "tencent_cvm"
  OsKind os = OsKind::kLinux;
  PasswordKind kind = PasswordKind::kLogin;
};

// One broken rule for one target. `description` never contains the password
// or any part of it (nor the user name).
struct Violation {
  std::string target;         // the target's label
  std::string provider_kind;  // of the target
  OsKind os = OsKind::kLinux;
  PasswordKind kind = PasswordKind::kLogin;  // of the target
  // Stable id of the rule: "length", "leading_char", "character_classes",
  // "required_characters", "invalid_character", "contains_username",
  // "contains_reversed_username", "contains_username_fragment",
  // "username_length", "unknown_provider_kind", "unsupported_password_kind".
  std::string rule;
  std::string description;  // e.g. "must be 12 to 30 characters"
};

// "target targets[1] (tencent_cvm, windows): must be 12 to 30 characters"
// for a login password; "target targets[0] (aliyun_ecs, vnc): must be
// exactly 6 characters" for a VNC password (which does not depend on the OS).
std::string FormatViolation(const Violation& v);

// Checks passwords against a RuleTable. Immutable; thread-safe.
class PasswordPolicy {
 public:
  explicit PasswordPolicy(RuleTable rules) : rules_(std::move(rules)) {}
  // The policy of the built-in rule sets (RuleTable::Builtin()).
  static const PasswordPolicy& Builtin();

  // Every rule `password` breaks, per target, in target order, checked
  // against the rules of the target's provider kind, OS and password kind. A
  // job that mixes OSes or providers thus gets the union (Linux + Windows =
  // effectively Windows). `username` is the job's user name (empty = the
  // provider's default; ignored by providers with a fixed account). A target
  // whose provider kind has no rules at all yields one
  // "unknown_provider_kind" violation, and one whose provider kind lacks the
  // target's password kind (e.g. VNC on tencent_cvm) one
  // "unsupported_password_kind" violation naming the target: unknown rules
  // fail closed. Empty result = acceptable.
  std::vector<Violation> CheckPassword(
      const Secret& password, std::string_view username,
      absl::Span<const PolicyTarget> targets) const;

  // The rules `username` breaks per target (length). Empty = acceptable.
  std::vector<Violation> CheckUsername(
      std::string_view username, absl::Span<const PolicyTarget> targets) const;

  // True iff `provider_kind` has a password of `kind` at all, i.e. rules for
  // it (e.g. SupportsPasswordKind("huawei_ecs", PasswordKind::kVnc) is
  // false). The service rejects a VNC job on a target without one.
  bool SupportsPasswordKind(std::string_view provider_kind,
                            PasswordKind kind) const;

  // One "unsupported_password_kind" (or "unknown_provider_kind") violation
  // per target whose provider kind has no password of the target's kind; the
  // password itself is not looked at. Empty = every target supports it.
  std::vector<Violation> CheckPasswordKind(
      absl::Span<const PolicyTarget> targets) const;

  const RuleTable& rules() const { return rules_; }

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
