// `resetctl create`: the one command that handles the password.
#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "cli/commands.h"
#include "cli/job_text.h"
#include "cli/password_input.h"
#include "cli/status_printer.h"
#include "common/secret.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace resetd::cli {
namespace {

using resetd::v1::CreateResetJobRequest;
using resetd::v1::ResetJob;

absl::StatusOr<Secret> ObtainPassword(const CreateOptions& o,
                                      Console& console) {
  if (o.password_stdin && !o.password_file.empty()) {
    return absl::InvalidArgumentError(
        "give at most one of --password-stdin and --password-file");
  }
  if (o.password_stdin) {
    // A terminal on stdin would echo the line: ask with echo off instead.
    return console.stdin_is_tty ? PromptPassword(console.stdin_fd, *console.err)
                                : ReadPasswordLine(*console.in);
  }
  if (!o.password_file.empty()) return ReadPasswordFile(o.password_file);
  if (console.stdin_is_tty)
    return PromptPassword(console.stdin_fd, *console.err);
  return absl::InvalidArgumentError(
      "no password: standard input is not a terminal; use --password-stdin "
      "or --password-file");
}

// The password enters the request here and is wiped from it before return.
grpc::Status SendCreate(Stub& stub, const CommonOptions& common,
                        CreateResetJobRequest& request, const Secret& password,
                        ResetJob* job) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + common.timeout);
  std::string_view plain = password.Reveal();
  request.set_password(plain.data(), plain.size());
  grpc::Status status = stub.CreateResetJob(&context, request, job);
  WipeString(*request.mutable_password());
  return status;
}

// After a lost answer the job may exist: the same request id finds it again.
std::string RetryHint(const grpc::Status& status,
                      const CreateResetJobRequest& request) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
      status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
    return "";
  }
  return "the job may have been created: retry with --request-id " +
         request.request_id() + " (the same id never creates a second job)\n";
}

// Instances other jobs hold: say how to go on without them or after them.
std::string ConflictHint(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION) return "";
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::PreconditionFailure failure;
    if (!any.UnpackTo(&failure)) continue;
    for (const auto& v : failure.violations()) {
      if (v.type() != "INSTANCE_HELD_BY_ACTIVE_JOB") continue;
      return "those instances belong to the jobs named above: "
             "--on-conflict wait runs them after those jobs release them, "
             "--on-conflict skip leaves them out\n";
    }
  }
  return "";
}

void PrintCreated(const ResetJob& job, const CommonOptions& common,
                  Console& console) {
  if (common.output == OutputFormat::kJson) {
    *console.out << ToJsonLine(job) << std::flush;
    return;
  }
  *console.out << "job " << job.job_id()
               << " created: " << ShortName(job.state()) << ", "
               << job.counts().total() << " instances"
               << (job.dry_run() ? " (dry run)" : "") << "\n"
               << std::flush;
}

}  // namespace

int RunCreate(Stub& stub, const CommonOptions& common,
              const CreateOptions& options, Console& console) {
  absl::StatusOr<CreateResetJobRequest> request =
      BuildCreateRequest(options.flags);
  if (!request.ok()) {
    *console.err << "error: " << request.status().message() << "\n";
    return kExitError;
  }
  ResetJob job;
  {
    absl::StatusOr<Secret> password = ObtainPassword(options, console);
    if (!password.ok()) {
      *console.err << "error: " << password.status().message() << "\n";
      return kExitError;
    }
    *console.err << "request id: " << request->request_id() << "\n";
    grpc::Status status = SendCreate(stub, common, *request, *password, &job);
    if (!status.ok()) {
      *console.err << FormatCallError(status, common)
                   << RetryHint(status, *request) << ConflictHint(status);
      return kExitError;
    }
  }  // the Secret is wiped here
  PrintCreated(job, common, console);
  if (!options.watch) return kExitOk;
  return RunWatch(stub, common, job.job_id(), console);
}

}  // namespace resetd::cli
