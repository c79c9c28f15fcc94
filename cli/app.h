// resetctl's command line: flags, subcommands and help, wired to the commands
// of commands.h. Not thread-safe (writes to the console's streams).
#pragma once

#include <string>
#include <vector>

#include "cli/commands.h"

namespace resetd::cli {

// The --server default: $RESETD_ADDR if `env_addr` is non-null and
// non-empty, else "127.0.0.1:50051".
std::string DefaultServer(const char* env_addr);

// An environment without variables (tests).
inline const char* NoEnvironment(const char*) { return nullptr; }

// Parses `args` (args[0] is the program name), connects to --server
// (plaintext, or TLS with --tls-ca; flags not given are taken from the
// RESETCTL_* variables through `getenv`, see connection.h) and runs the
// chosen subcommand. Returns the exit code:
// kExitOk, kExitError (also for usage errors) or kExitJobNotOk; --help
// prints to console.out and returns kExitOk.
int RunResetctl(const std::vector<std::string>& args,
                const std::string& default_server, Console& console,
                const char* (*getenv)(const char*) = &NoEnvironment);

}  // namespace resetd::cli
