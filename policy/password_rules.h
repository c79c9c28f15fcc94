// Password rules as data: one rule set per (provider kind, OS, password
// kind). A provider plugs in by adding its rule sets to a RuleTable; the
// checker (password_policy.h) is shared and has no provider-specific code.
//
// The built-in rule sets (sources in password_rules.cc):
//   tencent_cvm, login       linux 8-30, windows 12-30; 3 of 4 classes;
//                            specials ()`~!@#$%^&*-+=_|{}[]:;'<>,.?/; not
//                            starting with "/"; windows: not containing the
//                            user name (default Administrator); user <= 64.
//   tencent_lighthouse,      the same as tencent_cvm (its reference says so
//     login                  word for word); user <= 64.
//   aliyun_ecs, login        8-30; 3 of 4; specials ()`~!@#$%^&*-_+=|{}[]:;
//                            <>,.?/ (no quotes); windows: not starting with
//                            "/"; account fixed (root / Administrator).
//   huawei_ecs, login        8-26; 3 of 4; specials !@%-_=+[]:./?; not
//                            containing the account name (root /
//                            Administrator) nor its reverse; windows: not
//                            starting with "/", no 3 consecutive characters
//                            of the account name; account fixed.
//   aliyun_ecs, vnc          exactly 6; letters and digits only; an upper,
//                            a lower and a digit (ModifyInstanceVncPasswd).
//   console_vnc, vnc         8-30; letters and digits only; a letter and a
//                            digit (the seed console's VNC rule).
//
// Where the references disagree, the rule set takes the intersection, so a
// password that passes is accepted under every reading (see the .cc).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace resetd::policy {

// The operating system family of a target; it selects the rule set.
enum class OsKind { kLinux, kWindows };

// "linux" or "windows", for messages and labels.
std::string_view OsKindName(OsKind os);

// Which password a job sets: the OS login password, or the remote console
// (VNC) password of providers that have one.
enum class PasswordKind { kLogin, kVnc };

// "login" or "vnc", for messages and labels.
std::string_view PasswordKindName(PasswordKind kind);

// Provider kind names of the built-in rule sets.
inline constexpr char kTencentCvm[] = "tencent_cvm";
inline constexpr char kTencentLighthouse[] = "tencent_lighthouse";
inline constexpr char kAliyunEcs[] = "aliyun_ecs";
inline constexpr char kHuaweiEcs[] = "huawei_ecs";
// The seed console, which has only a VNC password rule.
inline constexpr char kConsoleVnc[] = "console_vnc";

// Character classes as bits, for PasswordRules::required_classes.
inline constexpr unsigned kClassLower = 1;
inline constexpr unsigned kClassUpper = 2;
inline constexpr unsigned kClassDigit = 4;
inline constexpr unsigned kClassSpecial = 8;
inline constexpr unsigned kClassLetter = kClassLower | kClassUpper;

// The rules one provider applies to passwords (and user names) of one OS and
// password kind. Character classes are: lowercase ASCII letters, uppercase
// ASCII letters, ASCII digits, and the characters of `special_chars`. Any
// other character (including space and non-ASCII bytes) is invalid.
struct PasswordRules {
  int min_length = 8;
  int max_length = 30;
  // At least this many of the four classes must occur.
  int min_classes = 3;
  std::string special_chars;
  // Each entry is a set of classes (kClass* bits) of which at least one must
  // occur, e.g. {kClassLetter, kClassDigit} = "a letter and a digit".
  std::vector<unsigned> required_classes;
  // Characters a password must not start with (e.g. "/").
  std::string forbidden_first_chars;
  // The password must not contain the user name (case-insensitive). When the
  // job names no user, `default_username` is the one checked (if non-empty).
  bool forbid_username = false;
  // ... nor the user name spelled backwards (case-insensitive).
  bool forbid_reversed_username = false;
  // > 0: the password must not contain more than this many consecutive
  // characters of the user name in their order (case-insensitive); 2 means
  // no 3-character piece of the user name may occur.
  int max_username_run = 0;
  std::string default_username;
  // The provider always resets the password of `default_username`, whatever
  // user the job names (it has no user name parameter): the user-name checks
  // use `default_username` only.
  bool fixed_username = false;
  // The longest user name the provider accepts; 0 = no limit.
  int max_username_length = 0;
};

// Tencent CVM ResetInstancesPassword (2017-03-12): Linux 8-30, Windows
// 12-30, not starting with "/", 3 of 4 classes with specials
// ()`~!@#$%^&*-+=_|{}[]:;'<>,.?/, Windows passwords must not contain the user
// name; user names <= 64 chars.
PasswordRules TencentCvmRules(OsKind os);

// Tencent Lighthouse ResetInstancesPassword (2020-03-24): the same rule as
// CVM (its reference text is CVM's, word for word), UserName <= 64.
PasswordRules TencentLighthouseRules(OsKind os);

// Alibaba ECS ModifyInstanceAttribute Password: 8-30, 3 of 4 classes,
// Windows not starting with "/". The account is fixed (root/Administrator).
PasswordRules AliyunEcsRules(OsKind os);

// Huawei ECS ResetServerPassword / BatchResetServersPassword: 8-26, 3 of 4
// classes, must not contain the account name (root / Administrator) nor its
// reverse; Windows: not starting with "/", no 3 consecutive characters of
// the account name. Huawei does not check: a violating password is accepted
// and silently fails on the instance.
PasswordRules HuaweiEcsRules(OsKind os);

// Alibaba ECS ModifyInstanceVncPasswd: exactly 6 characters, letters and
// digits only, with an uppercase letter, a lowercase letter and a digit.
PasswordRules AliyunVncRules();

// The seed console's VNC password: 8-30 characters of letters and digits,
// with at least one letter and one digit.
PasswordRules ConsoleVncRules();

// Rule sets by (provider kind, OS, password kind). Immutable once built;
// thread-safe to read.
class RuleTable {
 public:
  // Adds or replaces the login rules of (provider_kind, os).
  void Set(std::string provider_kind, OsKind os, PasswordRules rules);
  // Adds or replaces the `kind` rules of (provider_kind, os).
  void Set(std::string provider_kind, OsKind os, PasswordKind kind,
           PasswordRules rules);
  // The login rules of (provider_kind, os), or nullptr when there are none.
  const PasswordRules* Find(std::string_view provider_kind, OsKind os) const;
  // The `kind` rules of (provider_kind, os), or nullptr when there are none.
  const PasswordRules* Find(std::string_view provider_kind, OsKind os,
                            PasswordKind kind) const;
  // True iff some OS of `provider_kind` has rules of `kind`: whether the
  // provider has that password at all (e.g. a VNC password).
  bool Has(std::string_view provider_kind, PasswordKind kind) const;
  // True iff `provider_kind` has rules of any kind.
  bool Knows(std::string_view provider_kind) const;
  // The provider kinds that have rules of `kind`, sorted.
  std::vector<std::string> ProviderKinds(PasswordKind kind) const;

  // The rule sets this build knows: login rules of tencent_cvm,
  // tencent_lighthouse, aliyun_ecs and huawei_ecs; VNC rules of aliyun_ecs
  // and console_vnc.
  static RuleTable Builtin();

 private:
  using Key = std::tuple<std::string, OsKind, PasswordKind>;
  std::map<Key, PasswordRules> rules_;
};

}  // namespace resetd::policy
