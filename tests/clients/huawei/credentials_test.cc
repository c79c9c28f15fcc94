#include "clients/huawei/credentials.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::clients::huawei {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A file holding `content`, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char path[] = "/tmp/resetd_hw_cred_XXXXXX";
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

TEST(LoadHuaweiCredentialsTest, ReadsFilesAndTrimsTrailingNewline) {
  TempFile ak("AKFILE0123\n");
  TempFile sk("sk-from-file\r\n");
  HuaweiCredentialSources sources;
  sources.ak_file = ak.path();
  sources.sk_file = sk.path();
  auto credentials = LoadHuaweiCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->ak, "AKFILE0123");
  EXPECT_EQ(credentials->sk.Reveal(), "sk-from-file");
}

TEST(LoadHuaweiCredentialsTest, DefaultsToTheSdkEnvVars) {
  ScopedEnv ak("HUAWEICLOUD_SDK_AK", "AKDEFAULT");
  ScopedEnv sk("HUAWEICLOUD_SDK_SK", "default-sk");
  auto credentials = LoadHuaweiCredentials(HuaweiCredentialSources{});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->ak, "AKDEFAULT");
  EXPECT_EQ(credentials->sk.Reveal(), "default-sk");
}

TEST(LoadHuaweiCredentialsTest, ReadsOverriddenEnvVars) {
  ScopedEnv ak("RESETD_TEST_HW_AK", "AKENV");
  ScopedEnv sk("RESETD_TEST_HW_SK", "sk-from-env\n");
  HuaweiCredentialSources sources;
  sources.ak_env = "RESETD_TEST_HW_AK";
  sources.sk_env = "RESETD_TEST_HW_SK";
  auto credentials = LoadHuaweiCredentials(sources);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->ak, "AKENV");
  EXPECT_EQ(credentials->sk.Reveal(), "sk-from-env");
}

TEST(LoadHuaweiCredentialsTest, UnsetVariableIsNamed) {
  unsetenv("RESETD_TEST_HW_MISSING");
  ScopedEnv ak("RESETD_TEST_HW_AK2", "AKENV");
  HuaweiCredentialSources sources;
  sources.ak_env = "RESETD_TEST_HW_AK2";
  sources.sk_env = "RESETD_TEST_HW_MISSING";
  auto credentials = LoadHuaweiCredentials(sources);
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(credentials.status().message(),
              HasSubstr("SK environment variable RESETD_TEST_HW_MISSING is "
                        "not set"));
}

TEST(LoadHuaweiCredentialsTest, EmptyValueNamesTheSourceNotTheValue) {
  TempFile ak("AKFILE\n");
  TempFile sk(" \n");
  HuaweiCredentialSources sources;
  sources.ak_file = ak.path();
  sources.sk_file = sk.path();
  auto credentials = LoadHuaweiCredentials(sources);
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(credentials.status().message(), HasSubstr(sk.path()));
  EXPECT_THAT(credentials.status().message(), HasSubstr("is empty"));
}

TEST(LoadHuaweiCredentialsTest, ErrorsNeverQuoteTheOtherValue) {
  ScopedEnv sk("RESETD_TEST_HW_SK3", "very-secret-sk");
  HuaweiCredentialSources sources;
  sources.ak_file = "/nonexistent/resetd/ak";
  sources.sk_env = "RESETD_TEST_HW_SK3";
  auto credentials = LoadHuaweiCredentials(sources);
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(credentials.status().message(),
              HasSubstr("/nonexistent/resetd/ak"));
  EXPECT_THAT(credentials.status().message(), Not(HasSubstr("very-secret")));
}

TEST(LoadHuaweiCredentialsTest, OversizedFileIsRejected) {
  TempFile ak("AK\n");
  TempFile sk(std::string(64 * 1024 + 1, 'k'));
  HuaweiCredentialSources sources;
  sources.ak_file = ak.path();
  sources.sk_file = sk.path();
  auto credentials = LoadHuaweiCredentials(sources);
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(credentials.status().message(), HasSubstr("larger than 64 KiB"));
  EXPECT_THAT(credentials.status().message(), Not(HasSubstr("kkkk")));
}

}  // namespace
}  // namespace resetd::clients::huawei
