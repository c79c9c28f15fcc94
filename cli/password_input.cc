#include "cli/password_input.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace resetd::cli {
namespace {

// Longer than any provider accepts; reserved up front so getline does not
// reallocate (and leave unwiped copies behind) for any sane password.
constexpr size_t kMaxPasswordBytes = 1024;

absl::StatusOr<Secret> TakeLine(std::string& line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    WipeString(line);
    return absl::InvalidArgumentError("the password is empty");
  }
  Secret secret(std::move(line));  // takes the heap buffer, no copy
  WipeString(line);                // an inline (short) buffer keeps its bytes
  return secret;
}

// The terminal settings to put back if a signal ends the prompt (Ctrl-C):
// otherwise the operator's shell would be left without echo.
volatile sig_atomic_t g_restore_fd = -1;
termios g_saved_termios;

void RestoreAndReraise(int sig) {
  if (g_restore_fd >= 0) tcsetattr(g_restore_fd, TCSAFLUSH, &g_saved_termios);
  signal(sig, SIG_DFL);
  raise(sig);
}

constexpr int kRestoreSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};

// Turns terminal echo off for its lifetime, also restoring it if one of
// kRestoreSignals arrives meanwhile. One at a time per process.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) != 0) return;
    g_saved_termios = saved_;
    g_restore_fd = fd_;
    struct sigaction action {};
    action.sa_handler = RestoreAndReraise;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kRestoreSignals); ++i) {
      sigaction(kRestoreSignals[i], &action, &previous_[i]);
    }
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ok_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (g_restore_fd < 0) return;
    tcsetattr(fd_, TCSAFLUSH, &saved_);
    for (size_t i = 0; i < std::size(kRestoreSignals); ++i) {
      sigaction(kRestoreSignals[i], &previous_[i], nullptr);
    }
    g_restore_fd = -1;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  bool ok() const { return ok_; }

 private:
  int fd_;
  termios saved_{};
  struct sigaction previous_[std::size(kRestoreSignals)] = {};
  bool ok_ = false;
};

// Reads bytes up to '\n' from `fd` into a fixed buffer, so nothing but
// `line` ever holds them.
absl::StatusOr<Secret> ReadTtyLine(int fd) {
  std::string line;
  line.reserve(kMaxPasswordBytes);
  char c = 0;
  while (line.size() < kMaxPasswordBytes) {
    ssize_t n = read(fd, &c, 1);
    if (n <= 0 || c == '\n') break;
    line.push_back(c);
  }
  c = 0;
  return TakeLine(line);
}

absl::StatusOr<Secret> AskOnce(int fd, std::ostream& out, const char* prompt) {
  out << prompt << std::flush;
  return ReadTtyLine(fd);
}

}  // namespace

absl::StatusOr<Secret> ReadPasswordLine(std::istream& in) {
  std::string line;
  line.reserve(kMaxPasswordBytes);
  if (!std::getline(in, line) && line.empty()) {
    return absl::InvalidArgumentError("no password on the input");
  }
  return TakeLine(line);
}

absl::StatusOr<Secret> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  absl::StatusOr<Secret> secret = ReadPasswordLine(in);
  if (!secret.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", secret.status().message()));
  }
  return secret;
}

absl::StatusOr<Secret> PromptPassword(int tty_fd, std::ostream& prompt_out) {
  if (!isatty(tty_fd)) {
    return absl::FailedPreconditionError("standard input is not a terminal");
  }
  EchoOff echo_off(tty_fd);
  if (!echo_off.ok()) {
    return absl::FailedPreconditionError("cannot turn terminal echo off");
  }
  absl::StatusOr<Secret> first = AskOnce(tty_fd, prompt_out, "New password: ");
  if (!first.ok()) return first.status();
  absl::StatusOr<Secret> second =
      AskOnce(tty_fd, prompt_out, "Repeat new password: ");
  if (!second.ok()) return second.status();
  if (!first->Equals(*second)) {
    return absl::InvalidArgumentError("the passwords do not match");
  }
  return first;
}

}  // namespace resetd::cli
