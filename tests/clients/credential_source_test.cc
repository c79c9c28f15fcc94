#include "clients/credential_source.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/credential_test_util.h"

namespace resetd::clients {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScopedEnv;
using testing::TempFile;

TEST(LoadCredentialTest, ReadsAFileAndTrimsTrailingWhitespace) {
  TempFile file("value-from-file\r\n \n");
  auto v = LoadCredential("Key", file.path(), "", "RESETD_TEST_UNUSED");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, "value-from-file");
}

TEST(LoadCredentialTest, ReadsTheNamedEnvVarElseTheDefault) {
  ScopedEnv named("RESETD_TEST_CRED_NAMED", "named\n");
  ScopedEnv fallback("RESETD_TEST_CRED_DEFAULT", "fallback");
  EXPECT_EQ(*LoadCredential("Key", "", "RESETD_TEST_CRED_NAMED",
                            "RESETD_TEST_CRED_DEFAULT"),
            "named");
  EXPECT_EQ(*LoadCredential("Key", "", "", "RESETD_TEST_CRED_DEFAULT"),
            "fallback");
}

TEST(LoadCredentialTest, FileWinsOverEnv) {
  ScopedEnv env("RESETD_TEST_CRED_BOTH", "env-value");
  TempFile file("file-value");
  EXPECT_EQ(*LoadCredential("Key", file.path(), "RESETD_TEST_CRED_BOTH", ""),
            "file-value");
}

TEST(LoadCredentialTest, MissingEnvVarIsNamedWithTheCredential) {
  unsetenv("RESETD_TEST_CRED_MISSING");
  absl::Status s =
      LoadCredential("SecretKey", "", "RESETD_TEST_CRED_MISSING", "").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("RESETD_TEST_CRED_MISSING"));
  EXPECT_THAT(s.message(), HasSubstr("SecretKey"));
}

TEST(LoadCredentialTest, EmptyValueNamesTheSourceNotTheValue) {
  TempFile blank("\n\n");
  absl::Status s = LoadCredential("Key", blank.path(), "", "").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr(blank.path()));
  EXPECT_THAT(s.message(), HasSubstr("empty"));
}

TEST(LoadCredentialTest, UnreadableFileIsNamed) {
  absl::Status s =
      LoadCredential("Key", "/nonexistent/resetd/key", "", "").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/resetd/key"));
}

TEST(LoadCredentialTest, OversizedFileIsRejectedWithoutItsContent) {
  TempFile big(std::string(64 * 1024 + 1, 'k'));
  absl::Status s = LoadCredential("Key", big.path(), "", "").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("64 KiB"));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("kkkkkkkk")));
}

}  // namespace
}  // namespace resetd::clients
