#include "fakecloud/password_rules.h"

#include <string>

#include "gtest/gtest.h"

namespace resetd::fakecloud {
namespace {

bool Ok(const std::string& p, OsType os = OsType::kLinux) {
  return !CheckPassword(p, os).has_value();
}

TEST(PasswordRulesTest, LinuxLengthBoundaries) {
  EXPECT_FALSE(Ok("Abcde1!"));                          // 7
  EXPECT_TRUE(Ok("Abcdef1!"));                          // 8
  EXPECT_TRUE(Ok("Abcdef1!" + std::string(22, 'x')));   // 30
  EXPECT_FALSE(Ok("Abcdef1!" + std::string(23, 'x')));  // 31
}

TEST(PasswordRulesTest, WindowsLengthBoundaries) {
  EXPECT_FALSE(Ok("Abcdefgh1!x", OsType::kWindows));                       // 11
  EXPECT_TRUE(Ok("Abcdefgh1!xy", OsType::kWindows));                       // 12
  EXPECT_TRUE(Ok("Abcdefgh1!" + std::string(20, 'y'), OsType::kWindows));  // 30
  EXPECT_FALSE(
      Ok("Abcdefgh1!" + std::string(21, 'y'), OsType::kWindows));  // 31
}

TEST(PasswordRulesTest, NeedsThreeClasses) {
  EXPECT_FALSE(Ok("abcdefgh12"));  // lower + digit
  EXPECT_FALSE(Ok("ABCDEFGH!!"));  // upper + special
  EXPECT_TRUE(Ok("abcdefgh1A"));   // lower + digit + upper
  EXPECT_TRUE(Ok("abcdefgh1!"));   // lower + digit + special
  EXPECT_TRUE(Ok("ABCDEFGH1!"));   // upper + digit + special
  EXPECT_TRUE(Ok("abcdEFGH!!"));   // lower + upper + special
}

TEST(PasswordRulesTest, EverySpecialCountsAsSpecial) {
  for (char c : kPasswordSpecials) {
    std::string p = std::string("Abcdefg") + c;  // upper + lower + special
    EXPECT_TRUE(Ok(p)) << "special " << c;
  }
}

TEST(PasswordRulesTest, MustNotStartWithSlash) {
  EXPECT_FALSE(Ok("/Abcdef1!"));
  EXPECT_TRUE(Ok("A/bcdef1!"));
}

TEST(PasswordRulesTest, RejectsOtherCharacters) {
  EXPECT_FALSE(Ok("Abcdef1! x"));        // space
  EXPECT_FALSE(Ok("Abcdef1!\"x"));       // double quote
  EXPECT_FALSE(Ok("Abcdef1!\\x"));       // backslash
  EXPECT_FALSE(Ok("Abcdef1!\xc3\xa9"));  // non-ASCII
}

TEST(PasswordRulesTest, ReasonNeverContainsThePassword) {
  auto reason = CheckPassword("Secretpassword", OsType::kLinux);
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->find("Secretpassword"), std::string::npos);
}

}  // namespace
}  // namespace resetd::fakecloud
