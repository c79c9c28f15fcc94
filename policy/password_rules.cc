#include "policy/password_rules.h"

namespace resetd::policy {

std::string_view OsKindName(OsKind os) {
  switch (os) {
    case OsKind::kLinux:
      return "linux";
    case OsKind::kWindows:
      return "windows";
  }
  return "unknown";
}

PasswordRules TencentCvmRules(OsKind os) {
  PasswordRules rules;
  rules.min_length = os == OsKind::kWindows ? 12 : 8;
  rules.max_length = 30;
  rules.min_classes = 3;
  rules.special_chars = "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/";
  rules.forbidden_first_chars = "/";
  // Windows rejects passwords containing the account name; without a
  // UserName, Tencent resets "Administrator".
  rules.forbid_username = os == OsKind::kWindows;
  rules.default_username = os == OsKind::kWindows ? "Administrator" : "";
  rules.max_username_length = 64;
  return rules;
}

void RuleTable::Set(std::string provider_kind, OsKind os, PasswordRules rules) {
  rules_[{std::move(provider_kind), os}] = std::move(rules);
}

const PasswordRules* RuleTable::Find(std::string_view provider_kind,
                                     OsKind os) const {
  auto it = rules_.find(std::make_pair(std::string(provider_kind), os));
  return it == rules_.end() ? nullptr : &it->second;
}

RuleTable RuleTable::Builtin() {
  RuleTable table;
  for (OsKind os : {OsKind::kLinux, OsKind::kWindows}) {
    table.Set("tencent_cvm", os, TencentCvmRules(os));
  }
  return table;
}

}  // namespace resetd::policy
