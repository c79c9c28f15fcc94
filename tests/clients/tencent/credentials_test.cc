#include "clients/tencent/credentials.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/credential_test_util.h"

// The file/env mechanics are tested once, in credential_source_test.cc; here
// only what is Tencent's: the default variables and which value goes where.
namespace resetd::clients::tencent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScopedEnv;
using testing::TempFile;

TEST(LoadTencentCredentialsTest, DefaultsToTencentCloudEnvVars) {
  ScopedEnv id("TENCENTCLOUD_SECRET_ID", "AKIDdefault");
  ScopedEnv key("TENCENTCLOUD_SECRET_KEY", "default-key");
  auto credentials = LoadTencentCredentials(CredentialSources{});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->secret_id, "AKIDdefault");
  EXPECT_EQ(credentials->secret_key.Reveal(), "default-key");
}

TEST(LoadTencentCredentialsTest, FilesMapToIdAndKey) {
  TempFile id("AKIDfile\n");
  TempFile key("key-from-file\r\n");
  CredentialSources sources;
  sources.secret_id_file = id.path();
  sources.secret_key_file = key.path();
  auto credentials = LoadTencentCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->secret_id, "AKIDfile");
  EXPECT_EQ(credentials->secret_key.Reveal(), "key-from-file");
}

TEST(LoadTencentCredentialsTest, ErrorNamesTheCredentialButNoValue) {
  TempFile key("super-secret-key");
  CredentialSources sources;
  sources.secret_id_file = "/nonexistent/resetd/secret_id";
  sources.secret_key_file = key.path();
  absl::Status s = LoadTencentCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("SecretId"));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("super-secret-key")));
}

}  // namespace
}  // namespace resetd::clients::tencent
