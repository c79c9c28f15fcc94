#include "service/token_file.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "common/crypto.h"
#include "common/log_value.h"

namespace resetd::service {
namespace {

bool IsHexDigest(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::StatusOr<std::string> Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev &&
         a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

}  // namespace

absl::StatusOr<TokenTable> TokenTable::Parse(std::string_view text) {
  TokenTable table;
  int number = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 2 || !IsHexDigest(fields[0])) {
      return absl::InvalidArgumentError(
          "line " + std::to_string(number) +
          ": expected \"<sha256 of the token, 64 hex digits> <identity>\"");
    }
    table.entries_.emplace_back(
        absl::HexStringToBytes(absl::AsciiStrToLower(fields[0])),
        std::string(fields[1]));
  }
  return table;
}

std::optional<std::string> TokenTable::Find(std::string_view token) const {
  const std::string digest = Sha256(token);
  std::optional<std::string> found;
  for (const auto& [entry, identity] : entries_) {
    if (ConstantTimeEquals(digest, entry) && !found) found = identity;
  }
  return found;
}

absl::StatusOr<std::unique_ptr<TokenFile>> TokenFile::Open(
    std::string path, spdlog::logger& log, absl::Duration check_every) {
  std::unique_ptr<TokenFile> file(
      new TokenFile(std::move(path), log, check_every));
  absl::MutexLock lock(&file->mu_);
  if (::stat(file->path_.c_str(), &file->loaded_) != 0) {
    return absl::FailedPreconditionError("auth.tokens_file: cannot read " +
                                         file->path_);
  }
  auto text = Read(file->path_);
  if (!text.ok()) {
    return absl::FailedPreconditionError("auth.tokens_file: " +
                                         std::string(text.status().message()));
  }
  auto table = TokenTable::Parse(*text);
  if (!table.ok()) {
    return absl::FailedPreconditionError("auth.tokens_file " + file->path_ +
                                         ": " +
                                         std::string(table.status().message()));
  }
  file->table_ = *std::move(table);
  file->next_check_ = absl::Now() + check_every;
  log.info("event=tokens_loaded path={} tokens={}", LogValue(file->path_),
           file->table_.size());
  return file;
}

std::optional<std::string> TokenFile::Find(std::string_view token) const {
  absl::MutexLock lock(&mu_);
  MaybeReload();
  return table_.Find(token);
}

void TokenFile::MaybeReload() const {
  const absl::Time now = absl::Now();
  if (now < next_check_) return;
  next_check_ = now + check_every_;
  struct stat current {};
  if (::stat(path_.c_str(), &current) != 0 || SameFile(current, loaded_)) {
    return;
  }
  loaded_ = current;  // a broken file is reported once, not every call
  auto text = Read(path_);
  auto table = text.ok() ? TokenTable::Parse(*text)
                         : absl::StatusOr<TokenTable>(text.status());
  if (!table.ok()) {
    log_.error("event=tokens_reload_failed path={} message={}", LogValue(path_),
               LogValue(std::string(table.status().message())));
    return;  // keep the previous table until the file changes again
  }
  table_ = *std::move(table);
  log_.info("event=tokens_loaded path={} tokens={}", LogValue(path_),
            table_.size());
}

}  // namespace resetd::service
