#include "policy/password_rules.h"

#include <set>

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

std::string_view PasswordKindName(PasswordKind kind) {
  switch (kind) {
    case PasswordKind::kLogin:
      return "login";
    case PasswordKind::kVnc:
      return "vnc";
  }
  return "unknown";
}

// Source: tencentcloud-sdk-nodejs-cvm cvm_models.d.ts ResetInstancesPassword
// Request.Password / UserName; cloud.tencent.com/document/api/213/15736.
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

// Source: tencentcloud-sdk-nodejs 4.1.313 lighthouse_models.d.ts
// ResetInstancesPasswordRequest; cloud.tencent.com/document/api/1207/55546.
// Same lengths, classes, specials, leading "/" and Windows user-name rule as
// CVM; UserName "不得超过 64 个字符". The Windows special list there prints a
// space between ' and <; a space is not accepted here (nor for CVM, whose
// reference prints the same), the safe reading.
PasswordRules TencentLighthouseRules(OsKind os) { return TencentCvmRules(os); }

// Source: Alibaba ECS API ModifyInstanceAttribute (2014-05-26) Password.
// The references disagree on one special character: the API reference
// (alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-
// modifyinstanceattribute) lists ' and the SDK model comments
// (@alicloud/ecs20140526, darabonba C++/Go SDKs) list ". Neither quote is
// accepted here. The API has no user name: it resets root / Administrator.
PasswordRules AliyunEcsRules(OsKind os) {
  PasswordRules rules;
  rules.min_length = 8;
  rules.max_length = 30;
  rules.min_classes = 3;
  rules.special_chars = "()`~!@#$%^&*-_+=|{}[]:;<>,.?/";
  rules.forbidden_first_chars = os == OsKind::kWindows ? "/" : "";
  rules.default_username = os == OsKind::kWindows ? "Administrator" : "root";
  rules.fixed_username = true;
  return rules;
}

// Sources: Huawei ECS API ResetServerPassword / BatchResetServersPassword
// (OpenAPI definitions: 8-26 characters; allowed specials !@%-_=+[]:./?;
// forbidden: Chinese characters and ~`#&^,{}*();"'<>|\ $ and space; 3 of 4
// classes; must not contain "Administrator" / "root" or their reverse; must
// not contain 3 consecutive characters of "Administrator"), and the ECS
// user guide's password table ("Cannot contain more than two consecutive
// characters in the same sequence as they appear in the username. (Windows
// only)"; "Cannot start with a slash (/) for Windows ECSs" on reset). The
// 2023 notice and older guides also list $ ^ { } , as specials; the API
// definition forbids them, so they are not accepted here. The API resets
// root or Administrator only: the job's user name does not apply.
PasswordRules HuaweiEcsRules(OsKind os) {
  PasswordRules rules;
  rules.min_length = 8;
  rules.max_length = 26;
  rules.min_classes = 3;
  rules.special_chars = "!@%-_=+[]:./?";
  rules.forbidden_first_chars = os == OsKind::kWindows ? "/" : "";
  rules.forbid_username = true;
  rules.forbid_reversed_username = true;
  rules.max_username_run = os == OsKind::kWindows ? 2 : 0;
  rules.default_username = os == OsKind::kWindows ? "Administrator" : "root";
  rules.fixed_username = true;
  return rules;
}

// Source: Alibaba ECS API ModifyInstanceVncPasswd: "The password must be six
// characters in length and can contain only uppercase letters, lowercase
// letters, and digits"; the Chinese reference and the error message
// (IncorrectVncPassword.Malformed: "must be 6 characters, including
// uppercase characters, lowercase characters and numbers") require all three.
PasswordRules AliyunVncRules() {
  PasswordRules rules;
  rules.min_length = 6;
  rules.max_length = 6;
  rules.min_classes = 0;
  rules.required_classes = {kClassUpper, kClassLower, kClassDigit};
  return rules;
}

// The seed console's VNC rule: 8-30 characters, letters and digits both
// present. It names no special characters, so none are accepted.
PasswordRules ConsoleVncRules() {
  PasswordRules rules;
  rules.min_length = 8;
  rules.max_length = 30;
  rules.min_classes = 0;
  rules.required_classes = {kClassLetter, kClassDigit};
  return rules;
}

void RuleTable::Set(std::string provider_kind, OsKind os, PasswordRules rules) {
  Set(std::move(provider_kind), os, PasswordKind::kLogin, std::move(rules));
}

void RuleTable::Set(std::string provider_kind, OsKind os, PasswordKind kind,
                    PasswordRules rules) {
  rules_[Key(std::move(provider_kind), os, kind)] = std::move(rules);
}

const PasswordRules* RuleTable::Find(std::string_view provider_kind,
                                     OsKind os) const {
  return Find(provider_kind, os, PasswordKind::kLogin);
}

const PasswordRules* RuleTable::Find(std::string_view provider_kind, OsKind os,
                                     PasswordKind kind) const {
  auto it = rules_.find(Key(std::string(provider_kind), os, kind));
  return it == rules_.end() ? nullptr : &it->second;
}

bool RuleTable::Has(std::string_view provider_kind, PasswordKind kind) const {
  for (const auto& [key, rules] : rules_) {
    if (std::get<0>(key) == provider_kind && std::get<2>(key) == kind) {
      return true;
    }
  }
  return false;
}

bool RuleTable::Knows(std::string_view provider_kind) const {
  return Has(provider_kind, PasswordKind::kLogin) ||
         Has(provider_kind, PasswordKind::kVnc);
}

std::vector<std::string> RuleTable::ProviderKinds(PasswordKind kind) const {
  std::set<std::string> kinds;
  for (const auto& [key, rules] : rules_) {
    if (std::get<2>(key) == kind) kinds.insert(std::get<0>(key));
  }
  return {kinds.begin(), kinds.end()};
}

RuleTable RuleTable::Builtin() {
  RuleTable table;
  for (OsKind os : {OsKind::kLinux, OsKind::kWindows}) {
    table.Set(kTencentCvm, os, TencentCvmRules(os));
    table.Set(kTencentLighthouse, os, TencentLighthouseRules(os));
    table.Set(kAliyunEcs, os, AliyunEcsRules(os));
    table.Set(kHuaweiEcs, os, HuaweiEcsRules(os));
    // A VNC password does not depend on the guest OS.
    table.Set(kAliyunEcs, os, PasswordKind::kVnc, AliyunVncRules());
    table.Set(kConsoleVnc, os, PasswordKind::kVnc, ConsoleVncRules());
  }
  return table;
}

}  // namespace resetd::policy
