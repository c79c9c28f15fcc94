#include "clients/aliyun/credentials.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::clients::aliyun {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A file holding `content`, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char path[] = "/tmp/resetd_aliyun_cred_XXXXXX";
    const int fd = mkstemp(path);
    path_ = path;
    if (fd >= 0) {
      const ssize_t n = write(fd, content.data(), content.size());
      (void)n;
      close(fd);
    }
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    setenv(name, value, 1);
  }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

TEST(LoadAliyunCredentialsTest, DefaultsToAlibabaCloudEnvVars) {
  ScopedEnv id("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIdefault");
  ScopedEnv secret("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "default-secret\n");
  auto credentials = LoadAliyunCredentials(AliyunCredentialSources{});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "LTAIdefault");
  EXPECT_EQ(credentials->access_key_secret.Reveal(), "default-secret");
}

TEST(LoadAliyunCredentialsTest, EmptyEnvNamesMeanTheDefaults) {
  ScopedEnv id("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIdefault2");
  ScopedEnv secret("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "default-secret2");
  AliyunCredentialSources sources;
  sources.access_key_id_env = "";
  sources.access_key_secret_env = "";
  auto credentials = LoadAliyunCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "LTAIdefault2");
}

TEST(LoadAliyunCredentialsTest, ReadsOverriddenEnvVars) {
  ScopedEnv id("RESETD_TEST_ALI_ID", "LTAIenv");
  ScopedEnv secret("RESETD_TEST_ALI_SECRET", "secret-from-env");
  AliyunCredentialSources sources;
  sources.access_key_id_env = "RESETD_TEST_ALI_ID";
  sources.access_key_secret_env = "RESETD_TEST_ALI_SECRET";
  auto credentials = LoadAliyunCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "LTAIenv");
  EXPECT_EQ(credentials->access_key_secret.Reveal(), "secret-from-env");
}

TEST(LoadAliyunCredentialsTest, ReadsKubernetesSecretFilesAndTrims) {
  TempFile id("LTAIfile\n");
  TempFile secret("secret-from-file\r\n");
  ScopedEnv env_secret("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret");
  AliyunCredentialSources sources;
  sources.access_key_id_file = id.path();
  sources.access_key_secret_file = secret.path();
  auto credentials = LoadAliyunCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "LTAIfile");
  EXPECT_EQ(credentials->access_key_secret.Reveal(), "secret-from-file");
}

TEST(LoadAliyunCredentialsTest, MissingEnvVarIsNamed) {
  ScopedEnv id("RESETD_TEST_ALI_ID3", "LTAIenv");
  unsetenv("RESETD_TEST_ALI_MISSING");
  AliyunCredentialSources sources;
  sources.access_key_id_env = "RESETD_TEST_ALI_ID3";
  sources.access_key_secret_env = "RESETD_TEST_ALI_MISSING";
  absl::Status s = LoadAliyunCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("RESETD_TEST_ALI_MISSING"));
  EXPECT_THAT(s.message(), HasSubstr("AccessKey secret"));
}

TEST(LoadAliyunCredentialsTest, EmptyValueIsAnErrorWithoutTheValue) {
  ScopedEnv id("RESETD_TEST_ALI_ID4", "   \n");
  AliyunCredentialSources sources;
  sources.access_key_id_env = "RESETD_TEST_ALI_ID4";
  absl::Status s = LoadAliyunCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("RESETD_TEST_ALI_ID4"));
  EXPECT_THAT(s.message(), HasSubstr("AccessKey ID"));
  EXPECT_THAT(s.message(), HasSubstr("empty"));
}

TEST(LoadAliyunCredentialsTest, UnreadableFileIsNamedButNoValueLeaks) {
  TempFile id("LTAIvisible");
  AliyunCredentialSources sources;
  sources.access_key_id_file = id.path();
  sources.access_key_secret_file = "/nonexistent/resetd/access_key_secret";
  absl::Status s = LoadAliyunCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/resetd/access_key_secret"));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("LTAIvisible")));
}

TEST(LoadAliyunCredentialsTest, OversizedFileIsRejected) {
  TempFile big(std::string(70 * 1024, 'x'));
  ScopedEnv id("RESETD_TEST_ALI_ID5", "LTAIenv");
  AliyunCredentialSources sources;
  sources.access_key_id_env = "RESETD_TEST_ALI_ID5";
  sources.access_key_secret_file = big.path();
  absl::Status s = LoadAliyunCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("64 KiB"));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("xxxx")));
}

}  // namespace
}  // namespace resetd::clients::aliyun
