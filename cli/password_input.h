// Reading the new password without it ever touching argv, a file we write,
// or the terminal's echo. Every function returns the password in a Secret and
// wipes its own buffers. Not thread-safe (they read shared streams/terminals).
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "common/secret.h"

namespace resetd::cli {

// Reads one line from `in` (the trailing "\n" or "\r\n" removed). Returns
// INVALID_ARGUMENT if the line is empty or `in` is already at its end.
absl::StatusOr<Secret> ReadPasswordLine(std::istream& in);

// Reads the first line of the file at `path` (as ReadPasswordLine). Returns
// NOT_FOUND if the file cannot be opened.
absl::StatusOr<Secret> ReadPasswordFile(const std::string& path);

// Asks for the password twice on the terminal `tty_fd` with echo off,
// printing the prompts to `prompt_out`, and restores the terminal's settings
// before returning (also on error). Returns INVALID_ARGUMENT if the answers
// differ or are empty, FAILED_PRECONDITION if `tty_fd` is not a terminal.
absl::StatusOr<Secret> PromptPassword(int tty_fd, std::ostream& prompt_out);

}  // namespace resetd::cli
