// Property-style tests of every provider's rule sets: passwords generated
// around every boundary (length, classes, each character) for every provider
// kind, OS and password kind, checked against the documented rules written
// out independently below; the rules no provider checks for us (Huawei);
// multi-provider jobs; VNC support per provider; messages that never echo
// the password or the user name.
#include <bit>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/password_policy.h"

namespace resetd::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// The documented rules, typed in from the references (not from
// password_rules.cc), as the oracle of the boundary tests.
struct DocumentedRule {
  const char* provider;
  OsKind os;
  PasswordKind kind;
  int min_length, max_length;
  std::string specials;  // "" = letters and digits only
  int min_classes;       // of lower, upper, digit, special
  // Class groups that must each be present (1 lower, 2 upper, 4 digit).
  std::vector<unsigned> required;
  bool no_leading_slash;
};

const std::vector<DocumentedRule>& Documented() {
  static const auto* const kRules = new std::vector<DocumentedRule>{
      {"tencent_cvm",
       OsKind::kLinux,
       PasswordKind::kLogin,
       8,
       30,
       "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/",
       3,
       {},
       true},
      {"tencent_cvm",
       OsKind::kWindows,
       PasswordKind::kLogin,
       12,
       30,
       "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/",
       3,
       {},
       true},
      {"tencent_lighthouse",
       OsKind::kLinux,
       PasswordKind::kLogin,
       8,
       30,
       "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/",
       3,
       {},
       true},
      {"tencent_lighthouse",
       OsKind::kWindows,
       PasswordKind::kLogin,
       12,
       30,
       "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/",
       3,
       {},
       true},
      {"aliyun_ecs",
       OsKind::kLinux,
       PasswordKind::kLogin,
       8,
       30,
       "()`~!@#$%^&*-_+=|{}[]:;<>,.?/",
       3,
       {},
       false},
      {"aliyun_ecs",
       OsKind::kWindows,
       PasswordKind::kLogin,
       8,
       30,
       "()`~!@#$%^&*-_+=|{}[]:;<>,.?/",
       3,
       {},
       true},
      {"huawei_ecs",
       OsKind::kLinux,
       PasswordKind::kLogin,
       8,
       26,
       "!@%-_=+[]:./?",
       3,
       {},
       false},
      {"huawei_ecs",
       OsKind::kWindows,
       PasswordKind::kLogin,
       8,
       26,
       "!@%-_=+[]:./?",
       3,
       {},
       true},
      {"aliyun_ecs",
       OsKind::kLinux,
       PasswordKind::kVnc,
       6,
       6,
       "",
       0,
       {1, 2, 4},
       false},
      {"aliyun_ecs",
       OsKind::kWindows,
       PasswordKind::kVnc,
       6,
       6,
       "",
       0,
       {1, 2, 4},
       false},
      {"console_vnc",
       OsKind::kLinux,
       PasswordKind::kVnc,
       8,
       30,
       "",
       0,
       {1 | 2, 4},
       false},
      {"console_vnc",
       OsKind::kWindows,
       PasswordKind::kVnc,
       8,
       30,
       "",
       0,
       {1 | 2, 4},
       false},
  };
  return *kRules;
}

std::string Describe(const DocumentedRule& r) {
  return std::string(r.provider) + "/" + std::string(OsKindName(r.os)) + "/" +
         std::string(PasswordKindName(r.kind));
}

PolicyTarget Target(const DocumentedRule& r, std::string label = "targets[0]") {
  return PolicyTarget{std::move(label), r.provider, r.os, r.kind};
}

std::set<std::string> Rules(const std::vector<Violation>& violations) {
  std::set<std::string> rules;
  for (const Violation& v : violations) rules.insert(v.rule);
  return rules;
}

std::set<std::string> Check(const std::string& password,
                            const PolicyTarget& target,
                            std::string_view username = "") {
  return Rules(CheckPassword(Secret(password), username, {&target, 1}));
}

// Letters that spell no piece of "root" or "administrator" (either way).
constexpr char kLowerPool[] = "bcefghjkpquvwxyz";
constexpr char kUpperPool[] = "BCEFGHJKPQUVWXYZ";
constexpr char kDigitPool[] = "0123456789";

// Specials of `rule` that may stand anywhere (no "/"), or "!" - which such a
// rule must reject - when it has none.
std::string SpecialPool(const DocumentedRule& rule) {
  std::string pool;
  for (char c : rule.specials) {
    if (c != '/') pool += c;
  }
  return pool.empty() ? "!" : pool;
}

// A password of `length` chars from the classes in `mask` (1 lower, 2 upper,
// 4 digit, 8 special), each present when length allows.
std::string Generate(int length, unsigned mask, const std::string& specials) {
  const std::string pools[] = {kLowerPool, kUpperPool, kDigitPool, specials};
  std::vector<const std::string*> used;
  for (int i = 0; i < 4; ++i) {
    if (mask & (1u << i)) used.push_back(&pools[i]);
  }
  std::string out;
  for (int i = 0; i < length; ++i) {
    const std::string& pool = *used[i % used.size()];
    out += pool[(i / used.size()) % pool.size()];
  }
  return out;
}

// What `rule` says of a password generated from `mask` at `length`.
std::set<std::string> Expected(const DocumentedRule& rule, int length,
                               unsigned mask) {
  std::set<std::string> out;
  if (length < rule.min_length || length > rule.max_length) {
    out.insert("length");
  }
  // With fewer characters than classes, only the first `length` classes occur.
  unsigned present = 0;
  int seen = 0;
  for (int i = 0; i < 4 && seen < length; ++i) {
    if (mask & (1u << i)) {
      present |= 1u << i;
      ++seen;
    }
  }
  unsigned valid = present;
  if (rule.specials.empty() && (present & 8)) {
    out.insert("invalid_character");
    valid &= ~8u;
  }
  if (std::popcount(valid) < rule.min_classes) out.insert("character_classes");
  for (unsigned group : rule.required) {
    if ((valid & group) == 0) out.insert("required_characters");
  }
  return out;
}

// Every length around each boundary, with every combination of classes, for
// every provider kind, OS and password kind.
TEST(ProviderRulesTest, BoundariesOfEveryRuleSetMatchTheDocumentedRules) {
  int checked = 0;
  for (const DocumentedRule& rule : Documented()) {
    const PolicyTarget target = Target(rule);
    const std::string specials = SpecialPool(rule);
    for (int length :
         {1, rule.min_length - 2, rule.min_length - 1, rule.min_length,
          rule.min_length + 1, rule.max_length - 1, rule.max_length,
          rule.max_length + 1, rule.max_length + 2}) {
      if (length < 1) continue;
      for (unsigned mask = 1; mask < 16; ++mask) {
        const std::string password = Generate(length, mask, specials);
        ASSERT_EQ(static_cast<int>(password.size()), length);
        EXPECT_EQ(Check(password, target), Expected(rule, length, mask))
            << Describe(rule) << " length=" << length << " mask=" << mask
            << " password=" << password;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

// Each documented special counts as special; every other printable ASCII
// character and every other byte is refused, at the start, middle and end.
TEST(ProviderRulesTest, EveryByteIsSpecialOrRefusedAsDocumented) {
  for (const DocumentedRule& rule : Documented()) {
    const PolicyTarget target = Target(rule);
    for (int b = 1; b < 256; ++b) {
      const char c = static_cast<char>(b);
      if (std::isalnum(b) && b < 128) continue;
      const bool special = rule.specials.find(c) != std::string::npos;
      // A base that satisfies everything but a special: lower+upper+digit.
      std::string base =
          rule.kind == PasswordKind::kVnc
              ? std::string(rule.min_length - 1, 'x')
              : std::string("Bcefgh") + std::string(rule.min_length - 7, '2');
      base[1] = 'B';
      base[2] = '7';
      for (size_t pos : {size_t{0}, size_t{3}, base.size()}) {
        std::string password = base;
        password.insert(pos, 1, c);
        std::set<std::string> expected;
        if (!special) expected.insert("invalid_character");
        if (special && pos == 0 && c == '/' && rule.no_leading_slash) {
          expected.insert("leading_char");
        }
        EXPECT_EQ(Check(password, target), expected)
            << Describe(rule) << " byte " << b << " at " << pos;
      }
    }
  }
}

TEST(ProviderRulesTest, LeadingSlashFollowsEachProvider) {
  for (const DocumentedRule& rule : Documented()) {
    if (rule.kind != PasswordKind::kLogin) continue;
    const std::string password = "/Bcefgh2345xyz";
    std::set<std::string> expected;
    if (rule.no_leading_slash) expected.insert("leading_char");
    EXPECT_EQ(Check(password, Target(rule)), expected) << Describe(rule);
    // Elsewhere a slash is an ordinary special character.
    EXPECT_THAT(Check("Bcefgh2345/xyz", Target(rule)), IsEmpty())
        << Describe(rule);
  }
}

// --- Huawei: it checks nothing and fails silently, so we must. ------------

PolicyTarget Huawei(OsKind os) {
  return PolicyTarget{"targets[0]", "huawei_ecs", os, PasswordKind::kLogin};
}

TEST(ProviderRulesTest, HuaweiRefusesWhatItWouldSilentlyAccept) {
  const PolicyTarget linux_target = Huawei(OsKind::kLinux);
  const PolicyTarget windows = Huawei(OsKind::kWindows);
  // Valid for Tencent CVM, but 27 characters.
  EXPECT_THAT(Check("Bcefgh2345xyzBcefgh2345xyz7", linux_target),
              ElementsAre("length"));
  // Specials of older guides that the API definition forbids.
  for (char c : std::string("$^{},#&*~`()<>|;'\" \\")) {
    EXPECT_THAT(Check(std::string("Bcefgh23") + c + "45", linux_target),
                ElementsAre("invalid_character"))
        << c;
  }
  // The account's name, either way round, in any case.
  EXPECT_THAT(Check("Bc-root-2345", linux_target),
              ElementsAre("contains_username"));
  EXPECT_THAT(Check("Bc-ROOT-2345", linux_target),
              ElementsAre("contains_username"));
  EXPECT_THAT(Check("Bc-tOOr-2345", linux_target),
              ElementsAre("contains_reversed_username"));
  EXPECT_THAT(Check("Bc-administrator-25", windows),
              ElementsAre("contains_username"));
  EXPECT_THAT(Check("Bc-rotartsinimdA-25", windows),
              UnorderedElementsAre("contains_reversed_username",
                                   "contains_username_fragment"));
  // Windows: no three consecutive characters of "Administrator".
  for (std::string piece : {"adm", "DMI", "Min", "ini", "nis", "ist", "str",
                            "tra", "rat", "ato", "tor"}) {
    EXPECT_THAT(Check("Bc-" + piece + "-2345", windows),
                ElementsAre("contains_username_fragment"))
        << piece;
    // Linux's account is root: the same piece is fine there unless it is
    // part of "root".
    EXPECT_THAT(Check("Bc-" + piece + "-2345", linux_target), IsEmpty())
        << piece;
  }
  // Two characters in order are allowed; so are the letters scattered.
  EXPECT_THAT(Check("Bc-ad-mi-2345", windows), IsEmpty());
  EXPECT_THAT(Check("Bc-ro-ot-2345", linux_target), IsEmpty());
}

TEST(ProviderRulesTest, HuaweiChecksItsFixedAccountNotTheJobsUserName) {
  const PolicyTarget windows = Huawei(OsKind::kWindows);
  // Huawei resets Administrator whatever user the job names.
  EXPECT_THAT(Check("Bc-alice-2345", windows, "alice"), IsEmpty());
  EXPECT_THAT(Check("Bc-adm-2345", windows, "alice"),
              ElementsAre("contains_username_fragment"));
  EXPECT_THAT(Check("Bc-root-2345", Huawei(OsKind::kLinux), "alice"),
              ElementsAre("contains_username"));
  // Tencent uses the job's user name instead.
  PolicyTarget cvm{"targets[1]", "tencent_cvm", OsKind::kWindows};
  EXPECT_THAT(Check("Bc-alice-23456", cvm, "alice"),
              ElementsAre("contains_username"));
}

TEST(ProviderRulesTest, AliyunRefusesBothQuotesTheReferencesDisagreeOn) {
  for (OsKind os : {OsKind::kLinux, OsKind::kWindows}) {
    PolicyTarget target{"targets[0]", "aliyun_ecs", os};
    EXPECT_THAT(Check("Bcefgh'2345", target), ElementsAre("invalid_character"));
    EXPECT_THAT(Check("Bcefgh\"2345", target),
                ElementsAre("invalid_character"));
    EXPECT_THAT(Check("Bcefgh_2345", target), IsEmpty());
    // No user-name rule: the account (root/Administrator) is fixed.
    EXPECT_THAT(Check("Administrator-1", target, "bob"), IsEmpty());
  }
}

TEST(ProviderRulesTest, LighthouseAgreesWithCvmOnEveryPassword) {
  std::mt19937 rng(20261122);
  const std::string alphabet =
      "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/ \"abcxyzABCXYZ0189";
  for (int i = 0; i < 2000; ++i) {
    std::string password;
    const int length = std::uniform_int_distribution<int>(1, 34)(rng);
    for (int j = 0; j < length; ++j) {
      password += alphabet[std::uniform_int_distribution<size_t>(
          0, alphabet.size() - 1)(rng)];
    }
    for (OsKind os : {OsKind::kLinux, OsKind::kWindows}) {
      PolicyTarget cvm{"t", "tencent_cvm", os};
      PolicyTarget lighthouse{"t", "tencent_lighthouse", os};
      EXPECT_EQ(Check(password, cvm, "abc"), Check(password, lighthouse, "abc"))
          << password;
    }
  }
  PolicyTarget lighthouse{"t", "tencent_lighthouse", OsKind::kLinux};
  const auto& policy = PasswordPolicy::Builtin();
  EXPECT_THAT(policy.CheckUsername(std::string(64, 'u'), {&lighthouse, 1}),
              IsEmpty());
  EXPECT_THAT(
      Rules(policy.CheckUsername(std::string(65, 'u'), {&lighthouse, 1})),
      ElementsAre("username_length"));
}

// --- VNC passwords --------------------------------------------------------

PolicyTarget Vnc(std::string provider, std::string label = "targets[0]") {
  return PolicyTarget{std::move(label), std::move(provider), OsKind::kLinux,
                      PasswordKind::kVnc};
}

TEST(ProviderRulesTest, AliyunVncIsSixLettersAndDigitsOfAllThreeKinds) {
  const PolicyTarget target = Vnc("aliyun_ecs");
  EXPECT_THAT(Check("Ecs123", target), IsEmpty());
  EXPECT_THAT(Check("Ecs12", target), ElementsAre("length"));
  EXPECT_THAT(Check("Ecs1234", target), ElementsAre("length"));
  EXPECT_THAT(Check("ecs123", target), ElementsAre("required_characters"));
  EXPECT_THAT(Check("ECS123", target), ElementsAre("required_characters"));
  EXPECT_THAT(Check("Ecsabc", target), ElementsAre("required_characters"));
  EXPECT_THAT(Check("123456", target).size(), 1u);  // one rule id, twice
  EXPECT_EQ(
      CheckPassword(Secret(std::string("123456")), "", {&target, 1}).size(),
      2u);
  EXPECT_THAT(Check("Ec-123", target), ElementsAre("invalid_character"));
  // A login-valid password is not a VNC password.
  EXPECT_THAT(Check("Fake-Passw0rd!2024", target),
              UnorderedElementsAre("length", "invalid_character"));
}

TEST(ProviderRulesTest, ConsoleVncNeedsALetterAndADigit) {
  const PolicyTarget target = Vnc("console_vnc");
  EXPECT_THAT(Check("abcdefg1", target), IsEmpty());
  EXPECT_THAT(Check("ABCDEFG1", target), IsEmpty());
  EXPECT_THAT(Check("abcdef1", target), ElementsAre("length"));
  EXPECT_THAT(Check(std::string(29, 'a') + "1", target), IsEmpty());
  EXPECT_THAT(Check(std::string(30, 'a') + "1", target), ElementsAre("length"));
  EXPECT_THAT(Check("abcdefgh", target), ElementsAre("required_characters"));
  EXPECT_THAT(Check("12345678", target), ElementsAre("required_characters"));
  EXPECT_THAT(Check("abcd-123", target), ElementsAre("invalid_character"));
  const auto v =
      CheckPassword(Secret(std::string("12345678")), "", {&target, 1});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(FormatViolation(v[0]),
            "target targets[0] (console_vnc, vnc): must contain a letter");
}

TEST(ProviderRulesTest, WhichProvidersHaveAVncPassword) {
  const auto& policy = PasswordPolicy::Builtin();
  EXPECT_TRUE(policy.SupportsPasswordKind("aliyun_ecs", PasswordKind::kVnc));
  EXPECT_TRUE(policy.SupportsPasswordKind("console_vnc", PasswordKind::kVnc));
  for (const char* kind :
       {"tencent_cvm", "tencent_lighthouse", "huawei_ecs", "nimbus"}) {
    EXPECT_FALSE(policy.SupportsPasswordKind(kind, PasswordKind::kVnc)) << kind;
  }
  for (const char* kind :
       {"tencent_cvm", "tencent_lighthouse", "aliyun_ecs", "huawei_ecs"}) {
    EXPECT_TRUE(policy.SupportsPasswordKind(kind, PasswordKind::kLogin))
        << kind;
  }
  EXPECT_FALSE(
      policy.SupportsPasswordKind("console_vnc", PasswordKind::kLogin));
  EXPECT_THAT(policy.rules().ProviderKinds(PasswordKind::kVnc),
              ElementsAre("aliyun_ecs", "console_vnc"));
  EXPECT_THAT(policy.rules().ProviderKinds(PasswordKind::kLogin),
              ElementsAre("aliyun_ecs", "huawei_ecs", "tencent_cvm",
                          "tencent_lighthouse"));
}

TEST(ProviderRulesTest, VncOnAProviderWithoutOneNamesTheTarget) {
  const auto& policy = PasswordPolicy::Builtin();
  const std::vector<PolicyTarget> targets = {Vnc("aliyun_ecs", "targets[0]"),
                                             Vnc("huawei_ecs", "targets[1]"),
                                             Vnc("nimbus", "targets[2]")};
  const auto kinds = policy.CheckPasswordKind(targets);
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds[0].target, "targets[1]");
  EXPECT_EQ(kinds[0].rule, "unsupported_password_kind");
  EXPECT_EQ(FormatViolation(kinds[0]),
            "target targets[1] (huawei_ecs, vnc): provider kind "
            "\"huawei_ecs\" has no VNC password");
  EXPECT_EQ(kinds[1].target, "targets[2]");
  EXPECT_EQ(kinds[1].rule, "unknown_provider_kind");
  // CheckPassword reports the same, next to the password's own problems.
  const auto all =
      policy.CheckPassword(Secret(std::string("Ecs123")), "", targets);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].rule, "unsupported_password_kind");
  EXPECT_EQ(all[0].kind, PasswordKind::kVnc);
  // And a login job on a VNC-only kind.
  PolicyTarget login{"targets[3]", "console_vnc", OsKind::kLinux};
  EXPECT_THAT(Rules(policy.CheckPasswordKind({&login, 1})),
              ElementsAre("unsupported_password_kind"));
}

// --- Jobs over several providers ------------------------------------------

std::vector<PolicyTarget> EveryLoginTarget() {
  std::vector<PolicyTarget> targets;
  for (const DocumentedRule& rule : Documented()) {
    if (rule.kind != PasswordKind::kLogin) continue;
    targets.push_back(
        Target(rule, "targets[" + std::to_string(targets.size()) + "]"));
  }
  return targets;
}

TEST(ProviderRulesTest, MultiProviderJobMustSatisfyEveryTarget) {
  const std::vector<PolicyTarget> targets = EveryLoginTarget();
  ASSERT_EQ(targets.size(), 8u);
  // A password every provider and OS accepts.
  EXPECT_THAT(CheckPassword(Secret(std::string("Kx7-mQ2_pL9@wZ")), "", targets),
              IsEmpty());
  // 27 characters: only Huawei refuses, and says so for both its targets.
  const auto v = CheckPassword(
      Secret(std::string("Kx7-mQ2_pL9@wZKx7-mQ2_pL9@w")), "", targets);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].provider_kind, "huawei_ecs");
  EXPECT_EQ(v[1].provider_kind, "huawei_ecs");
  EXPECT_EQ(FormatViolation(v[1]),
            "target targets[7] (huawei_ecs, windows): must be 8 to 26 "
            "characters");
}

// For random passwords, a job's violations are exactly the union of its
// targets' own, in target order, and it passes iff every target passes.
TEST(ProviderRulesTest, JobViolationsAreTheUnionOfEachTargets) {
  std::mt19937 rng(4242);
  const std::string alphabet =
      "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/ \"abcxyzABCXYZ0189rootADMIN";
  const std::vector<PolicyTarget> targets = EveryLoginTarget();
  for (int i = 0; i < 1500; ++i) {
    std::string password;
    const int length = std::uniform_int_distribution<int>(5, 32)(rng);
    for (int j = 0; j < length; ++j) {
      password += alphabet[std::uniform_int_distribution<size_t>(
          0, alphabet.size() - 1)(rng)];
    }
    const auto job = CheckPassword(Secret(password), "bob", targets);
    std::vector<std::string> expected;
    bool all_pass = true;
    for (const PolicyTarget& target : targets) {
      for (const Violation& v :
           CheckPassword(Secret(password), "bob", {&target, 1})) {
        expected.push_back(v.target + ":" + v.rule);
        all_pass = false;
      }
    }
    std::vector<std::string> got;
    for (const Violation& v : job) got.push_back(v.target + ":" + v.rule);
    EXPECT_EQ(got, expected) << password;
    EXPECT_EQ(job.empty(), all_pass);
  }
}

// --- Never echo the password or the user name -----------------------------

TEST(ProviderRulesTest, MessagesNeverEchoPasswordOrUserName) {
  std::vector<PolicyTarget> targets = EveryLoginTarget();
  for (const char* vnc : {"aliyun_ecs", "console_vnc", "huawei_ecs"}) {
    targets.push_back(
        Vnc(vnc, "targets[" + std::to_string(targets.size()) + "]"));
  }
  // Letters no message uses (nor any provider kind name or target label).
  const std::string secret_letters = "QzXjK";
  for (std::string password :
       {std::string("Qz"), std::string("/QzXjK9!"), std::string("QzXjK9"),
        std::string(40, 'Q') + "z9", std::string("QzXj K9"),
        std::string("QzX$jK9^{,}"), std::string("QzXjK9Qjzk"),
        std::string("QzXjK9!QzXjK9!administrator")}) {
    auto violations = CheckPassword(Secret(password), "QjzXK", targets);
    ASSERT_FALSE(violations.empty()) << password;
    for (const Violation& v : violations) {
      const std::string text = FormatViolation(v);
      for (char c : secret_letters) {
        EXPECT_EQ(text.find(c), std::string::npos) << text;
      }
    }
  }
}

}  // namespace
}  // namespace resetd::policy
