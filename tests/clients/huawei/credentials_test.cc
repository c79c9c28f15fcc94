#include "clients/huawei/credentials.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/credential_test_util.h"

// The file/env mechanics are tested once, in credential_source_test.cc; here
// only what is Huawei's: the default variables and which value goes where.
namespace resetd::clients::huawei {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScopedEnv;
using testing::TempFile;

TEST(LoadHuaweiCredentialsTest, DefaultsToTheSdkEnvVars) {
  ScopedEnv id("HUAWEICLOUD_SDK_AK", "AKIDdefault");
  ScopedEnv key("HUAWEICLOUD_SDK_SK", "default-key");
  auto credentials = LoadHuaweiCredentials(HuaweiCredentialSources{});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->ak, "AKIDdefault");
  EXPECT_EQ(credentials->sk.Reveal(), "default-key");
}

TEST(LoadHuaweiCredentialsTest, FilesMapToIdAndKey) {
  TempFile id("AKIDfile\n");
  TempFile key("key-from-file\r\n");
  HuaweiCredentialSources sources;
  sources.ak_file = id.path();
  sources.sk_file = key.path();
  auto credentials = LoadHuaweiCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->ak, "AKIDfile");
  EXPECT_EQ(credentials->sk.Reveal(), "key-from-file");
}

TEST(LoadHuaweiCredentialsTest, ErrorNamesTheCredentialButNoValue) {
  TempFile key("super-secret-key");
  HuaweiCredentialSources sources;
  sources.ak_file = "/nonexistent/resetd/secret_id";
  sources.sk_file = key.path();
  absl::Status s = LoadHuaweiCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("AK"));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("super-secret-key")));
}

}  // namespace
}  // namespace resetd::clients::huawei
