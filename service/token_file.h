// Bearer tokens: auth.tokens_file lists the SHA-256 of each token and the
// identity it stands for, so the file holds no token itself:
//
//   # sha256 of the token (hex)                                      identity
//   9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//   ci-deployer
//
// Kubernetes users mount it from a Secret; it is re-read when it changes.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "spdlog/logger.h"

namespace resetd::service {

class TokenTable {
 public:
  // Lines "<64 hex digits> <identity>"; blank lines and '#' comments are
  // skipped. kInvalidArgument naming the line number (never its content).
  static absl::StatusOr<TokenTable> Parse(std::string_view text);

  // The identity of `token`: its SHA-256 is compared with every entry in
  // constant time (no early exit). nullopt when it is not listed.
  std::optional<std::string> Find(std::string_view token) const;
  size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;  // digest, id
};

// A TokenTable read from a file and re-read when the file changes (its
// inode, size or modification time; checked at most every `check_every`).
// A file that no longer parses is logged and the previous table kept.
// Thread-safe.
class TokenFile {
 public:
  // kFailedPrecondition when the file cannot be read or parsed at start-up.
  static absl::StatusOr<std::unique_ptr<TokenFile>> Open(
      std::string path, spdlog::logger& log,
      absl::Duration check_every = absl::Seconds(1));

  std::optional<std::string> Find(std::string_view token) const;

 private:
  TokenFile(std::string path, spdlog::logger& log, absl::Duration check_every)
      : path_(std::move(path)), log_(log), check_every_(check_every) {}
  // Reloads when the file changed since the last load.
  void MaybeReload() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  spdlog::logger& log_;
  const absl::Duration check_every_;
  mutable absl::Mutex mu_;
  mutable TokenTable table_ ABSL_GUARDED_BY(mu_);
  mutable struct stat loaded_ ABSL_GUARDED_BY(mu_) {};
  mutable absl::Time next_check_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resetd::service
