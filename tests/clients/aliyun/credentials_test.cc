#include "clients/aliyun/credentials.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/credential_test_util.h"

// The file/env mechanics are tested once, in credential_source_test.cc; here
// only what is Alibaba's: the default variables and which value goes where.
namespace resetd::clients::aliyun {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScopedEnv;
using testing::TempFile;

TEST(LoadAliyunCredentialsTest, DefaultsToAlibabaCloudEnvVars) {
  ScopedEnv id("ALIBABA_CLOUD_ACCESS_KEY_ID", "AKIDdefault");
  ScopedEnv key("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "default-key");
  auto credentials = LoadAliyunCredentials(AliyunCredentialSources{});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDdefault");
  EXPECT_EQ(credentials->access_key_secret.Reveal(), "default-key");
}

TEST(LoadAliyunCredentialsTest, FilesMapToIdAndKey) {
  TempFile id("AKIDfile\n");
  TempFile key("key-from-file\r\n");
  AliyunCredentialSources sources;
  sources.access_key_id_file = id.path();
  sources.access_key_secret_file = key.path();
  auto credentials = LoadAliyunCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDfile");
  EXPECT_EQ(credentials->access_key_secret.Reveal(), "key-from-file");
}

TEST(LoadAliyunCredentialsTest, ErrorNamesTheCredentialButNoValue) {
  TempFile key("super-secret-key");
  AliyunCredentialSources sources;
  sources.access_key_id_file = "/nonexistent/resetd/secret_id";
  sources.access_key_secret_file = key.path();
  absl::Status s = LoadAliyunCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("AccessKey ID"));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("super-secret-key")));
}

}  // namespace
}  // namespace resetd::clients::aliyun
