// Validation of the config's auth section (role bindings).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config.h"

namespace resetd::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kProviders[] =
    R"("providers": [{"name": "tencent", "kind": "tencent_cvm"}])";

absl::Status Parse(const std::string& rest) {
  return ParseConfig("{" + std::string(kProviders) + rest + "}", "t.json")
      .status();
}

TEST(ConfigAuthTest, WellFormedBindingsAreAccepted) {
  EXPECT_TRUE(Parse(R"(, "insecure": true, "auth": {"bindings": [
      {"identities": ["*"], "role": "viewer"},
      {"identities": ["ci"], "role": "operator", "providers": ["tencent"],
       "regions": ["ap-guangzhou"]},
      {"identities": ["root"], "role": "admin"}]})")
                  .ok());
}

TEST(ConfigAuthTest, BindingProblemsAreAllReported) {
  absl::Status s = Parse(R"(, "auth": {"bindings": [
      {"identities": ["ci"], "role": "owner"},
      {"identities": [], "role": "viewer"},
      {"identities": [""], "role": "viewer", "providers": ["aliyun"],
       "regions": [""]}]})");
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  const std::string m(s.message());
  EXPECT_THAT(m, HasSubstr("auth.bindings[0].role: must be viewer, operator "
                           "or admin, not \"owner\""));
  EXPECT_THAT(m, HasSubstr("auth.bindings[1].identities: empty"));
  EXPECT_THAT(m, HasSubstr("auth.bindings[2].identities: empty identity"));
  EXPECT_THAT(m, HasSubstr("auth.bindings[2].providers: \"aliyun\" is not a "
                           "configured provider"));
  EXPECT_THAT(m, HasSubstr("auth.bindings[2].regions: empty region"));
}

TEST(ConfigAuthTest, BindingsAreRequiredWithTlsUnlessInsecure) {
  const std::string tls =
      R"(, "tls": {"cert_file": "/c.pem", "key_file": "/k.pem"})";
  absl::Status s = Parse(tls);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("auth.bindings: empty; every caller needs a role"));
  s = Parse(tls + R"(, "auth": {"bindings": [
      {"identities": ["ci"], "role": "admin"}]})");
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("auth.bindings")));
  // Development: insecure without bindings (every caller anonymous admin).
  EXPECT_TRUE(Parse(R"(, "insecure": true)").ok());
  // Neither tls nor insecure: refused (plaintext must be asked for).
  EXPECT_THAT(std::string(Parse("").message()), HasSubstr("tls: must be set"));
}

}  // namespace
}  // namespace resetd::service
