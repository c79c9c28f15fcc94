#include "clients/tencent/credentials.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::clients::tencent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A file holding `content`, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char path[] = "/tmp/resetd_cred_XXXXXX";
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

TEST(LoadTencentCredentialsTest, ReadsFilesAndTrimsTrailingNewline) {
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

TEST(LoadTencentCredentialsTest, ReadsOverriddenEnvVars) {
  ScopedEnv id("RESETD_TEST_TC_ID", "AKIDenv");
  ScopedEnv key("RESETD_TEST_TC_KEY", "key-from-env\n");
  CredentialSources sources;
  sources.secret_id_env = "RESETD_TEST_TC_ID";
  sources.secret_key_env = "RESETD_TEST_TC_KEY";
  auto credentials = LoadTencentCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->secret_id, "AKIDenv");
  EXPECT_EQ(credentials->secret_key.Reveal(), "key-from-env");
}

TEST(LoadTencentCredentialsTest, DefaultsToTencentCloudEnvVars) {
  ScopedEnv id("TENCENTCLOUD_SECRET_ID", "AKIDdefault");
  ScopedEnv key("TENCENTCLOUD_SECRET_KEY", "default-key");
  auto credentials = LoadTencentCredentials(CredentialSources{});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->secret_id, "AKIDdefault");
  EXPECT_EQ(credentials->secret_key.Reveal(), "default-key");
}

TEST(LoadTencentCredentialsTest, FileWinsOverEnv) {
  ScopedEnv key("RESETD_TEST_TC_KEY2", "env-key");
  ScopedEnv id("RESETD_TEST_TC_ID2", "AKIDenv");
  TempFile file("file-key");
  CredentialSources sources;
  sources.secret_id_env = "RESETD_TEST_TC_ID2";
  sources.secret_key_env = "RESETD_TEST_TC_KEY2";
  sources.secret_key_file = file.path();
  auto credentials = LoadTencentCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->secret_key.Reveal(), "file-key");
}

TEST(LoadTencentCredentialsTest, MissingEnvVarIsNamed) {
  ScopedEnv id("RESETD_TEST_TC_ID3", "AKIDenv");
  unsetenv("RESETD_TEST_TC_MISSING");
  CredentialSources sources;
  sources.secret_id_env = "RESETD_TEST_TC_ID3";
  sources.secret_key_env = "RESETD_TEST_TC_MISSING";
  absl::Status s = LoadTencentCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("RESETD_TEST_TC_MISSING"));
  EXPECT_THAT(s.message(), HasSubstr("SecretKey"));
}

TEST(LoadTencentCredentialsTest, EmptyValueIsAnErrorWithoutTheValue) {
  ScopedEnv id("RESETD_TEST_TC_ID4", "AKIDenv");
  TempFile blank("\n\n");
  CredentialSources sources;
  sources.secret_id_env = "RESETD_TEST_TC_ID4";
  sources.secret_key_file = blank.path();
  absl::Status s = LoadTencentCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr(blank.path()));
  EXPECT_THAT(s.message(), HasSubstr("empty"));
}

TEST(LoadTencentCredentialsTest, UnreadableFileIsNamedButNotItsNeighbour) {
  TempFile key("super-secret-key");
  CredentialSources sources;
  sources.secret_id_file = "/nonexistent/resetd/secret_id";
  sources.secret_key_file = key.path();
  absl::Status s = LoadTencentCredentials(sources).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/resetd/secret_id"));
  EXPECT_THAT(s.ToString(), Not(HasSubstr("super-secret-key")));
}

}  // namespace
}  // namespace resetd::clients::tencent
