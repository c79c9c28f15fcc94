#include "common/secret.h"

#include <type_traits>

#include "gtest/gtest.h"

namespace resetd {
namespace {

// A Secret must not be streamable or convertible to a string.
template <typename T, typename = void>
struct IsStreamable : std::false_type {};
template <typename T>
struct IsStreamable<T, std::void_t<decltype(std::declval<std::ostream&>()
                                            << std::declval<T>())>>
    : std::true_type {};

TEST(SecretTest, CannotBePrintedOrConvertedImplicitly) {
  static_assert(!IsStreamable<Secret>::value);
  static_assert(!std::is_convertible_v<Secret, std::string>);
  static_assert(!std::is_convertible_v<Secret, std::string_view>);
  static_assert(!std::is_convertible_v<std::string, Secret>);
}

TEST(SecretTest, RevealReturnsValue) {
  Secret s(std::string("Passw0rd!"));
  EXPECT_EQ(s.Reveal(), "Passw0rd!");
  EXPECT_EQ(s.size(), 9u);
}

TEST(SecretTest, MoveLeavesSourceEmpty) {
  Secret a(std::string("Passw0rd!"));
  Secret b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract
  EXPECT_EQ(b.Reveal(), "Passw0rd!");
}

TEST(SecretTest, EqualsComparesValues) {
  EXPECT_TRUE(Secret(std::string("x1")).Equals(Secret(std::string("x1"))));
  EXPECT_FALSE(Secret(std::string("x1")).Equals(Secret(std::string("x2"))));
}

TEST(SecretTest, WipeStringZeroesBuffer) {
  std::string s(64, 'A');
  const char* data = s.data();
  WipeString(s);
  EXPECT_TRUE(s.empty());
  for (int i = 0; i < 64; ++i) EXPECT_EQ(data[i], '\0');
}

}  // namespace
}  // namespace resetd
