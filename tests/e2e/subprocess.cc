#include "tests/e2e/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "absl/time/clock.h"

extern char** environ;

namespace resetd::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Subprocess::Subprocess(std::vector<std::string> argv,
                       std::map<std::string, std::string> env,
                       std::string log_path)
    : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    setpgid(0, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Subprocess::~Subprocess() {
  if (Running()) Stop(SIGTERM, absl::Seconds(10));
  if (Running()) Stop(SIGKILL, absl::Seconds(5));
}

bool Subprocess::Running() {
  if (exited_ || pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    status_ = status;
    return false;
  }
  return true;
}

std::optional<std::string> Subprocess::WaitForLine(const std::string& pattern,
                                                   absl::Duration timeout) {
  const std::regex re(pattern);
  const absl::Time deadline = absl::Now() + timeout;
  // Polling a file is the only way to watch another process's output here;
  // the wait ends as soon as the line is there.
  while (true) {
    std::istringstream lines(Output());
    std::string line;
    std::smatch m;
    while (std::getline(lines, line)) {
      if (std::regex_search(line, m, re)) {
        return m.size() > 1 ? m[1].str() : m[0].str();
      }
    }
    if (!Running() || absl::Now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int Subprocess::Stop(int signal, absl::Duration timeout) {
  if (!Running()) return status_;
  kill(pid_, signal);
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (!Running()) return status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string Subprocess::Output() const { return ReadFile(log_path_); }

}  // namespace resetd::testing
