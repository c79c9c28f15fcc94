#include "clients/credential_source.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "common/secret.h"

namespace resetd::clients {
namespace {

constexpr size_t kMaxFileBytes = 64 * 1024;

void TrimTrailingWhitespace(std::string& s) {
  size_t end = s.size();
  while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == '\r' ||
                     s[end - 1] == ' ' || s[end - 1] == '\t')) {
    --end;
  }
  // Overwrite rather than erase so no trimmed byte lingers past size().
  std::fill(s.begin() + end, s.end(), '\0');
  s.resize(end);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads `path` into a buffer sized once, so no partial copy is left behind.
absl::StatusOr<std::string> ReadSecretFile(const std::string& what,
                                           const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) {
    return absl::FailedPreconditionError("cannot read the " + what + " file " +
                                         path + ": " + std::strerror(errno));
  }
  std::string content(kMaxFileBytes + 1, '\0');
  const size_t n = std::fread(content.data(), 1, content.size(), file.get());
  if (std::ferror(file.get())) {
    WipeString(content);
    return absl::FailedPreconditionError("cannot read the " + what + " file " +
                                         path);
  }
  if (n > kMaxFileBytes) {
    WipeString(content);
    return absl::FailedPreconditionError("the " + what + " file " + path +
                                         " is larger than 64 KiB");
  }
  content.resize(n);
  return content;
}

}  // namespace

absl::StatusOr<std::string> LoadCredential(const std::string& what,
                                           const std::string& file,
                                           const std::string& env,
                                           const char* default_env) {
  std::string value;
  std::string source;
  if (!file.empty()) {
    absl::StatusOr<std::string> content = ReadSecretFile(what, file);
    if (!content.ok()) return content.status();
    value = std::move(*content);
    source = "file " + file;
  } else {
    const std::string name = env.empty() ? default_env : env;
    const char* raw = std::getenv(name.c_str());
    if (raw == nullptr) {
      return absl::FailedPreconditionError(
          "the " + what + " environment variable " + name + " is not set");
    }
    value = raw;
    source = "environment variable " + name;
  }
  TrimTrailingWhitespace(value);
  if (value.empty()) {
    return absl::FailedPreconditionError("the " + what + " " + source +
                                         " is empty");
  }
  return value;
}

}  // namespace resetd::clients
