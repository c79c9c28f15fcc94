// The subcommands of resetctl, each a function of a gRPC stub, its options and
// the console it talks to, returning the process exit code. Not thread-safe
// (they write to shared streams); each call is independent.
#pragma once

#include <chrono>
#include <istream>
#include <ostream>
#include <string>

#include "cli/connection.h"
#include "cli/create_request.h"
#include "cli/output.h"
#include "resetd/v1/reset_service.grpc.pb.h"

namespace resetd::cli {

// Exit codes of resetctl.
inline constexpr int kExitOk = 0;     // done; a watched job SUCCEEDED
inline constexpr int kExitError = 1;  // usage, input or RPC error
inline constexpr int kExitJobNotOk =
    2;  // job PARTIALLY_FAILED/FAILED/CANCELLED

// Where a command reads and writes. main() wires the process's streams;
// tests wire string streams.
struct Console {
  std::istream* in = nullptr;   // --password-stdin reads here
  std::ostream* out = nullptr;  // results (text or JSON)
  std::ostream* err = nullptr;  // errors, progress, notes
  bool stdin_is_tty = false;    // prompt for the password on stdin_fd
  int stdin_fd = 0;
  bool stderr_is_tty = false;  // draw a live progress bar
  int terminal_width = 80;
};

// Options shared by every subcommand.
struct CommonOptions {
  OutputFormat output = OutputFormat::kText;
  std::chrono::milliseconds timeout{30000};  // deadline of each unary call
  ConnectionOptions connection;              // how the stub was connected
};

// FormatRpcError with the connection's hint (ConnectionHint).
std::string FormatCallError(const grpc::Status& status,
                            const CommonOptions& common);

using Stub = resetd::v1::PasswordResetService::StubInterface;

// `create`: builds the request, obtains the password (prompt, --password-stdin
// or --password-file), creates the job and, if `watch`, follows it as
// RunWatch does.
struct CreateOptions {
  CreateFlags flags;
  bool password_stdin = false;
  std::string password_file;
  bool watch = true;
};
int RunCreate(Stub& stub, const CommonOptions& common,
              const CreateOptions& options, Console& console);

// `watch`: streams the job's events until it ends, showing progress (text) or
// printing each event (JSON), then a summary (text). kExitOk if the job
// SUCCEEDED, kExitJobNotOk for another terminal state, kExitError if the
// stream fails or ends before the job does.
int RunWatch(Stub& stub, const CommonOptions& common, const std::string& job_id,
             Console& console);

// `get`: one job, in the BASIC view; with `full`, the FULL view (targets,
// failures by code) and every instance result; with `failed`, the FULL view
// and the failed instances only. Instance results are paged through
// ListResetJobInstances and printed page by page as they arrive (text: one
// table, JSON: one line per page).
struct GetOptions {
  bool full = false;
  bool failed = false;
};
int RunGet(Stub& stub, const CommonOptions& common, const std::string& job_id,
           const GetOptions& options, Console& console);

// `list`: one page of jobs, or every page with `all`.
struct ListOptions {
  std::string states;  // "running,failed"; empty = all
  int page_size = 0;   // 0 = the server's default
  std::string page_token;
  bool all = false;
};
int RunList(Stub& stub, const CommonOptions& common, const ListOptions& options,
            Console& console);

// `cancel`: cancels the job and shows it.
int RunCancel(Stub& stub, const CommonOptions& common,
              const std::string& job_id, Console& console);

}  // namespace resetd::cli
