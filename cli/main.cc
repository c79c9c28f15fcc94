// resetctl: the operator's command-line client of resetd.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/app.h"

namespace {

int TerminalWidth(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

int main(int argc, char** argv) {
  resetd::cli::Console console;
  console.in = &std::cin;
  console.out = &std::cout;
  console.err = &std::cerr;
  console.stdin_is_tty = isatty(STDIN_FILENO) == 1;
  console.stdin_fd = STDIN_FILENO;
  console.stderr_is_tty = isatty(STDERR_FILENO) == 1;
  console.terminal_width = TerminalWidth(STDERR_FILENO);
  std::vector<std::string> args(argv, argv + argc);
  return resetd::cli::RunResetctl(
      args, resetd::cli::DefaultServer(std::getenv("RESETD_ADDR")), console,
      [](const char* name) -> const char* { return std::getenv(name); });
}
