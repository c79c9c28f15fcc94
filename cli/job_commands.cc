// `resetctl get`, `list` and `cancel`: one unary call each.
#include <grpcpp/grpcpp.h>

#include "cli/commands.h"
#include "cli/flag_values.h"
#include "cli/instance_pages.h"
#include "cli/job_text.h"
#include "cli/status_printer.h"

namespace resetd::cli {
namespace {

using resetd::v1::ResetJob;

// Instances per ListResetJobInstances page: the server's maximum.
constexpr int kInstancePageSize = 1000;

void SetDeadline(grpc::ClientContext& context, const CommonOptions& common) {
  context.set_deadline(std::chrono::system_clock::now() + common.timeout);
}

int Fail(const grpc::Status& status, const CommonOptions& common,
         Console& console) {
  *console.err << FormatCallError(status, common);
  return kExitError;
}

void PrintJob(const ResetJob& job, const CommonOptions& common,
              Console& console) {
  if (common.output == OutputFormat::kJson) {
    *console.out << ToJsonLine(job);
  } else {
    *console.out << RenderJob(job);
    if (std::string failures = RenderFailureCounts(job); !failures.empty()) {
      *console.out << "\n" << failures;
    }
  }
  console.out->flush();
}

// Prints the job's instances (only the failed ones with `failed_only`),
// page by page as they arrive.
grpc::Status PrintInstances(Stub& stub, const CommonOptions& common,
                            const std::string& job_id, bool failed_only,
                            Console& console) {
  resetd::v1::ListResetJobInstancesRequest request;
  request.set_job_id(job_id);
  request.set_page_size(kInstancePageSize);
  if (failed_only) request.add_states(resetd::v1::INSTANCE_STATE_FAILED);
  int printed = 0;
  grpc::Status status = ForEachInstancePage(
      stub, common, request,
      [&](const resetd::v1::ListResetJobInstancesResponse& page) {
        if (common.output == OutputFormat::kJson) {
          *console.out << ToJsonLine(page);
        } else if (!page.instances().empty()) {
          *console.out << (printed == 0 ? "\n" : "")
                       << RenderInstances(page.instances(), printed == 0);
        }
        printed += page.instances_size();
        console.out->flush();
      });
  if (status.ok() && printed == 0 && common.output == OutputFormat::kText) {
    *console.out << (failed_only ? "\nno failed instances\n"
                                 : "\nno instances\n");
  }
  return status;
}

// Fetches one page; prints it at once in JSON, or appends it to `all` in text.
grpc::Status ListPage(Stub& stub, const CommonOptions& common,
                      resetd::v1::ListResetJobsRequest& request,
                      resetd::v1::ListResetJobsResponse& all,
                      Console& console) {
  grpc::ClientContext context;
  SetDeadline(context, common);
  resetd::v1::ListResetJobsResponse page;
  grpc::Status status = stub.ListResetJobs(&context, request, &page);
  if (!status.ok()) return status;
  if (common.output == OutputFormat::kJson) *console.out << ToJsonLine(page);
  all.mutable_jobs()->MergeFrom(page.jobs());
  all.set_next_page_token(page.next_page_token());
  request.set_page_token(page.next_page_token());
  return status;
}

}  // namespace

std::string FormatCallError(const grpc::Status& status,
                            const CommonOptions& common) {
  return FormatRpcError(status, ConnectionHint(status, common.connection));
}

int RunGet(Stub& stub, const CommonOptions& common, const std::string& job_id,
           const GetOptions& options, Console& console) {
  const bool instances = options.full || options.failed;
  grpc::ClientContext context;
  SetDeadline(context, common);
  resetd::v1::GetResetJobRequest request;
  request.set_job_id(job_id);
  request.set_view(instances ? resetd::v1::JOB_VIEW_FULL
                             : resetd::v1::JOB_VIEW_BASIC);
  ResetJob job;
  grpc::Status status = stub.GetResetJob(&context, request, &job);
  if (!status.ok()) return Fail(status, common, console);
  PrintJob(job, common, console);
  if (!instances) return kExitOk;
  status = PrintInstances(stub, common, job_id, !options.full, console);
  if (!status.ok()) return Fail(status, common, console);
  return kExitOk;
}

int RunList(Stub& stub, const CommonOptions& common, const ListOptions& options,
            Console& console) {
  absl::StatusOr<std::vector<resetd::v1::JobState>> states =
      ParseJobStates(options.states);
  if (!states.ok()) {
    *console.err << "error: " << states.status().message() << "\n";
    return kExitError;
  }
  resetd::v1::ListResetJobsRequest request;
  request.set_page_size(options.page_size);
  request.set_page_token(options.page_token);
  for (auto s : *states) request.add_states(s);
  resetd::v1::ListResetJobsResponse all;
  do {
    grpc::Status status = ListPage(stub, common, request, all, console);
    if (!status.ok()) return Fail(status, common, console);
  } while (options.all && !request.page_token().empty());
  if (common.output == OutputFormat::kText) {
    *console.out << RenderJobList(all);
    if (!all.next_page_token().empty()) {
      *console.err << "more jobs: --page-token " << all.next_page_token()
                   << "\n";
    }
  }
  console.out->flush();
  return kExitOk;
}

int RunCancel(Stub& stub, const CommonOptions& common,
              const std::string& job_id, Console& console) {
  grpc::ClientContext context;
  SetDeadline(context, common);
  resetd::v1::CancelResetJobRequest request;
  request.set_job_id(job_id);
  ResetJob job;
  grpc::Status status = stub.CancelResetJob(&context, request, &job);
  if (!status.ok()) return Fail(status, common, console);
  PrintJob(job, common, console);
  return kExitOk;
}

}  // namespace resetd::cli
