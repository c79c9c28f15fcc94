// Files and environment variables for credential tests.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace resetd::clients::testing {

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

// Sets an environment variable for the scope of the test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    setenv(name, value, 1);
  }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

}  // namespace resetd::clients::testing
