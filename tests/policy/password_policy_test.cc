#include "policy/password_policy.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kSpecials[] = "()`~!@#$%^&*-+=_|{}[]:;'<>,.?/";

PolicyTarget Cvm(OsKind os, std::string label = "targets[0]") {
  return PolicyTarget{std::move(label), "tencent_cvm", os};
}

std::set<std::string> Rules(const std::vector<Violation>& violations) {
  std::set<std::string> rules;
  for (const Violation& v : violations) rules.insert(v.rule);
  return rules;
}

std::set<std::string> Check(const std::string& password, OsKind os,
                            std::string_view username = "") {
  PolicyTarget target = Cvm(os);
  return Rules(CheckPassword(Secret(password), username, {&target, 1}));
}

// A password of `length` chars drawn only from the classes in `mask`
// (1 lower, 2 upper, 4 digit, 8 special), each present, never starting
// with "/", never containing "administrator".
std::string Generate(int length, int mask) {
  const std::string pools[] = {"abcdefghijk", "LMNOPQRSTUV", "0123456789",
                               "!@#$%^&*()_"};
  std::vector<std::string> used;
  for (int i = 0; i < 4; ++i) {
    if (mask & (1 << i)) used.push_back(pools[i]);
  }
  std::string out;
  for (int i = 0; i < length; ++i) {
    const std::string& pool = used[i % used.size()];
    out += pool[(i / used.size()) % pool.size()];
  }
  return out;
}

int Popcount(int mask) {
  return __builtin_popcount(static_cast<unsigned>(mask));
}

// Every length around each boundary, with every combination of classes.
TEST(PasswordPolicyTest, LengthAndClassBoundariesEveryCombination) {
  struct Case {
    OsKind os;
    int min, max;
  };
  for (Case c : {Case{OsKind::kLinux, 8, 30}, Case{OsKind::kWindows, 12, 30}}) {
    for (int length :
         {c.min - 1, c.min, c.min + 1, c.max - 1, c.max, c.max + 1}) {
      for (int mask = 1; mask < 16; ++mask) {
        std::string password = Generate(length, mask);
        ASSERT_EQ(static_cast<int>(password.size()), length);
        std::set<std::string> expected;
        if (length < c.min || length > c.max) expected.insert("length");
        if (Popcount(mask) < 3) expected.insert("character_classes");
        EXPECT_EQ(Check(password, c.os), expected)
            << "os=" << OsKindName(c.os) << " length=" << length
            << " mask=" << mask;
      }
    }
  }
}

TEST(PasswordPolicyTest, ExactBoundaryLengths) {
  EXPECT_THAT(Check(Generate(7, 7), OsKind::kLinux), ElementsAre("length"));
  EXPECT_THAT(Check(Generate(8, 7), OsKind::kLinux), IsEmpty());
  EXPECT_THAT(Check(Generate(30, 7), OsKind::kLinux), IsEmpty());
  EXPECT_THAT(Check(Generate(31, 7), OsKind::kLinux), ElementsAre("length"));
  EXPECT_THAT(Check(Generate(11, 7), OsKind::kWindows), ElementsAre("length"));
  EXPECT_THAT(Check(Generate(12, 7), OsKind::kWindows), IsEmpty());
  EXPECT_THAT(Check(Generate(30, 15), OsKind::kWindows), IsEmpty());
  EXPECT_THAT(Check(Generate(31, 15), OsKind::kWindows), ElementsAre("length"));
}

TEST(PasswordPolicyTest, EverySpecialCharacterCountsAsSpecial) {
  for (char c : std::string(kSpecials)) {
    // lower + digit + one special = 3 classes.
    std::string password = "abcd1234" + std::string(1, c) + "xyz";
    EXPECT_THAT(Check(password, OsKind::kWindows), IsEmpty()) << c;
  }
}

TEST(PasswordPolicyTest, EveryOtherByteIsInvalid) {
  const std::string allowed = std::string(kSpecials) +
                              "abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    if (allowed.find(c) != std::string::npos) continue;
    for (size_t pos : {size_t{0}, size_t{5}, size_t{11}}) {
      std::string password = "Abcdef12345!";
      password.insert(pos, 1, c);
      EXPECT_THAT(Check(password, OsKind::kLinux),
                  ElementsAre("invalid_character"))
          << "byte " << b << " at " << pos;
    }
  }
}

TEST(PasswordPolicyTest, MustNotStartWithSlash) {
  EXPECT_THAT(Check("/Abcdef1234!", OsKind::kLinux),
              ElementsAre("leading_char"));
  EXPECT_THAT(Check("/Abcdef1234!", OsKind::kWindows),
              ElementsAre("leading_char"));
  EXPECT_THAT(Check("Abcdef1234!/", OsKind::kWindows), IsEmpty());
  // A slash in the middle counts as a special character.
  EXPECT_THAT(Check("abcdef/1234", OsKind::kLinux), IsEmpty());
}

TEST(PasswordPolicyTest, WindowsPasswordMustNotContainUsername) {
  EXPECT_THAT(Check("xxALICE2024!x", OsKind::kWindows, "alice"),
              ElementsAre("contains_username"));
  EXPECT_THAT(Check("alice2024!XYZ", OsKind::kWindows, "Alice"),
              ElementsAre("contains_username"));
  EXPECT_THAT(Check("alic2024!XYZe", OsKind::kWindows, "alice"), IsEmpty());
  // Linux has no such rule.
  EXPECT_THAT(Check("alice2024!XYZ", OsKind::kLinux, "alice"), IsEmpty());
}

TEST(PasswordPolicyTest, WindowsDefaultUserIsAdministrator) {
  EXPECT_THAT(Check("MyAdministrator1!", OsKind::kWindows, ""),
              ElementsAre("contains_username"));
  EXPECT_THAT(Check("MyAdministrator1!", OsKind::kWindows, "bob"), IsEmpty());
}

TEST(PasswordPolicyTest, MixedJobFollowsBothRuleSets) {
  std::vector<PolicyTarget> targets = {Cvm(OsKind::kLinux, "targets[0]"),
                                       Cvm(OsKind::kWindows, "targets[1]")};
  auto violations =
      CheckPassword(Secret(std::string("Abcdef123!")), "", targets);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].target, "targets[1]");
  EXPECT_EQ(violations[0].rule, "length");
  EXPECT_EQ(FormatViolation(violations[0]),
            "target targets[1] (tencent_cvm, windows): must be 12 to 30 "
            "characters");
}

TEST(PasswordPolicyTest, UnknownProviderKindFailsClosed) {
  PolicyTarget target{"targets[2]", "nimbus", OsKind::kLinux};
  auto violations =
      CheckPassword(Secret(std::string("Abcdef1234!x")), "", {&target, 1});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, "unknown_provider_kind");
  EXPECT_EQ(violations[0].target, "targets[2]");
}

TEST(PasswordPolicyTest, UsernameAtMost64Characters) {
  PolicyTarget target = Cvm(OsKind::kLinux);
  const auto& policy = PasswordPolicy::Builtin();
  EXPECT_THAT(policy.CheckUsername(std::string(64, 'u'), {&target, 1}),
              IsEmpty());
  auto violations = policy.CheckUsername(std::string(65, 'u'), {&target, 1});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].rule, "username_length");
  EXPECT_EQ(violations[0].description, "must be at most 64 characters");
}

TEST(PasswordPolicyTest, OtherProvidersPlugInAsData) {
  RuleTable table = RuleTable::Builtin();
  PasswordRules rules;
  rules.min_length = 8;
  rules.max_length = 32;
  rules.min_classes = 3;
  rules.special_chars = "()`~!@#$%^&*-+=|{}[]:;'<>,.?/";
  table.Set("other_ecs", OsKind::kLinux, rules);
  PasswordPolicy policy(std::move(table));
  PolicyTarget target{"targets[0]", "other_ecs", OsKind::kLinux};
  EXPECT_THAT(policy.CheckPassword(Secret(std::string(Generate(32, 7))), "",
                                   {&target, 1}),
              IsEmpty());
  // "_" is not special for this provider.
  EXPECT_THAT(Rules(policy.CheckPassword(Secret(std::string("Abcdefg1_")), "",
                                         {&target, 1})),
              ElementsAre("invalid_character"));
}

// An independent oracle of the Tencent rules, written as regexes.
std::set<std::string> Oracle(const std::string& p, OsKind os,
                             const std::string& user) {
  std::set<std::string> out;
  const size_t min = os == OsKind::kWindows ? 12 : 8;
  if (p.size() < min || p.size() > 30) out.insert("length");
  if (!p.empty() && p[0] == '/') out.insert("leading_char");
  const std::string special = R"([()`~!@#$%^&*\-+=_|{}\[\]:;'<>,.?/])";
  if (!std::regex_match(p, std::regex("([a-zA-Z0-9]|" + special + ")*"))) {
    out.insert("invalid_character");
  }
  int classes = std::regex_search(p, std::regex("[a-z]")) +
                std::regex_search(p, std::regex("[A-Z]")) +
                std::regex_search(p, std::regex("[0-9]")) +
                std::regex_search(p, std::regex(special));
  if (classes < 3) out.insert("character_classes");
  std::string lower_p, lower_u;
  for (char c : p) lower_p += static_cast<char>(std::tolower(c));
  for (char c : user.empty() ? std::string("administrator") : user) {
    lower_u += static_cast<char>(std::tolower(c));
  }
  if (os == OsKind::kWindows && lower_p.find(lower_u) != std::string::npos) {
    out.insert("contains_username");
  }
  return out;
}

// Random passwords agree with the oracle, and no description echoes them.
TEST(PasswordPolicyTest, RandomPasswordsMatchOracleAndAreNeverEchoed) {
  std::mt19937 rng(20240501);
  const std::string alphabet =
      std::string(kSpecials) + "abcxyzABCXYZ0189 \"\\\t\xc3\xa9";
  for (int i = 0; i < 3000; ++i) {
    std::string password;
    const int length = std::uniform_int_distribution<int>(1, 34)(rng);
    for (int j = 0; j < length; ++j) {
      password += alphabet[std::uniform_int_distribution<size_t>(
          0, alphabet.size() - 1)(rng)];
    }
    const OsKind os = (i % 2) ? OsKind::kWindows : OsKind::kLinux;
    const std::string user = (i % 3) ? "" : "abc";
    PolicyTarget target = Cvm(os);
    auto violations = CheckPassword(Secret(password), user, {&target, 1});
    ASSERT_EQ(Rules(violations), Oracle(password, os, user)) << i;
    // Short or all-special strings occur in the rule texts by chance.
    if (password.size() < 5 ||
        std::none_of(password.begin(), password.end(),
                     [](char c) { return std::isalnum(c & 0xff); })) {
      continue;
    }
    for (const Violation& v : violations) {
      EXPECT_EQ(FormatViolation(v).find(password), std::string::npos);
    }
  }
}

// No description carries any fragment of a password: passwords made of
// letters that no message uses (Q, z, X, j, K, 9), in every failing shape.
TEST(PasswordPolicyTest, DescriptionsNeverContainPasswordFragments) {
  for (std::string password :
       {std::string("Qz"), std::string("/QzXjK9!"), std::string("QzXjK9"),
        std::string(40, 'Q') + "z9", std::string("QzXj K9"),
        std::string("QzXjK9!QzXjK9!administrator")}) {
    std::vector<PolicyTarget> targets = {Cvm(OsKind::kLinux),
                                         Cvm(OsKind::kWindows, "targets[1]")};
    auto violations = CheckPassword(Secret(password), "", targets);
    ASSERT_FALSE(violations.empty()) << password;
    for (const Violation& v : violations) {
      const std::string text = FormatViolation(v);
      for (char c : std::string("QzXjK9")) {
        EXPECT_EQ(text.find(c), std::string::npos) << text;
      }
    }
  }
}

}  // namespace
}  // namespace resetd::policy
