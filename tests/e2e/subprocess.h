// Child processes for end-to-end tests: start a binary with arguments and
// extra environment, capture its stdout+stderr to a file, wait for a line,
// and stop it (SIGTERM, then SIGKILL) when the test ends.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace resetd::testing {

class Subprocess {
 public:
  // Starts `argv[0]` with `argv` and `env` added to this process's
  // environment; output goes to `log_path`.
  Subprocess(std::vector<std::string> argv,
             std::map<std::string, std::string> env, std::string log_path);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Waits until a line of the output matches `pattern`; returns the first
  // capture group (or the whole line). nullopt if the process exits or
  // `timeout` passes first.
  std::optional<std::string> WaitForLine(const std::string& pattern,
                                         absl::Duration timeout);
  // Sends `signal` and waits up to `timeout` for the exit; returns the exit
  // status as from waitpid, or -1 if it did not exit in time.
  int Stop(int signal, absl::Duration timeout);
  // Everything the process printed so far.
  std::string Output() const;
  bool Running();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  std::string log_path_;
  int status_ = -1;
  bool exited_ = false;
};

// Returns the content of `path` ("" if missing).
std::string ReadFile(const std::string& path);

}  // namespace resetd::testing
