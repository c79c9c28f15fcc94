// `resetctl watch` (and the tail of `create`): follow a job to its end.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>

#include "cli/commands.h"
#include "cli/instance_pages.h"
#include "cli/job_text.h"
#include "cli/progress.h"
#include "cli/status_printer.h"
#include "cli/summary.h"

namespace resetd::cli {
namespace {

using resetd::v1::InstanceResult;
using resetd::v1::ResetJob;
using resetd::v1::ResetJobEvent;

// What the stream told us: the latest job, and the first failures it
// reported (for a summary when the FULL view cannot be had).
struct Watched {
  ResetJob job;
  google::protobuf::RepeatedPtrField<InstanceResult> failed;
};

// Failed instances the summary lists.
constexpr int kSummaryFailed = 20;

class Stopwatch {
 public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_ =
      std::chrono::steady_clock::now();
};

void Absorb(const ResetJobEvent& event, Watched& w) {
  if (event.has_job()) w.job = event.job();
  for (const auto& i : event.changed()) {
    if (i.state() == resetd::v1::INSTANCE_STATE_FAILED &&
        w.failed.size() < kSummaryFailed) {
      *w.failed.Add() = i;
    }
  }
}

grpc::Status Follow(Stub& stub, const std::string& job_id,
                    const CommonOptions& common, Console& console, Watched& w) {
  grpc::ClientContext context;  // no deadline: a job may run for hours
  resetd::v1::WatchResetJobRequest request;
  request.set_job_id(job_id);
  auto reader = stub.WatchResetJob(&context, request);
  const bool text = common.output == OutputFormat::kText;
  ProgressDisplay progress(*console.err, console.stderr_is_tty,
                           console.terminal_width);
  Stopwatch stopwatch;
  ResetJobEvent event;
  while (reader->Read(&event)) {
    Absorb(event, w);
    if (text) {
      progress.Update(w.job, stopwatch.Seconds());
    } else {
      *console.out << ToJsonLine(event) << std::flush;
    }
  }
  progress.Finish();
  return reader->Finish();
}

// The summary from the FULL view and the first failed instances; if those
// cannot be had, from what the stream delivered.
std::string Summary(Stub& stub, const CommonOptions& common,
                    const Watched& w) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + common.timeout);
  resetd::v1::GetResetJobRequest request;
  request.set_job_id(w.job.job_id());
  request.set_view(resetd::v1::JOB_VIEW_FULL);
  ResetJob full;
  if (!stub.GetResetJob(&context, request, &full).ok()) {
    return RenderSummary(w.job, w.failed, kSummaryFailed);
  }
  google::protobuf::RepeatedPtrField<InstanceResult> failed;
  if (full.counts().failed() > 0) {
    resetd::v1::ListResetJobInstancesRequest list;
    list.set_job_id(full.job_id());
    list.set_page_size(kSummaryFailed);
    list.add_states(resetd::v1::INSTANCE_STATE_FAILED);
    grpc::Status listed = ForEachInstancePage(
        stub, common, list,
        [&](const resetd::v1::ListResetJobInstancesResponse& page) {
          failed = page.instances();
        },
        /*max_pages=*/1);
    if (!listed.ok()) failed = w.failed;
  }
  return RenderSummary(full, failed, kSummaryFailed);
}

}  // namespace

int RunWatch(Stub& stub, const CommonOptions& common, const std::string& job_id,
             Console& console) {
  Watched watched;
  grpc::Status status = Follow(stub, job_id, common, console, watched);
  if (!status.ok()) {
    *console.err << FormatCallError(status, common);
    return kExitError;
  }
  if (!IsTerminal(watched.job.state())) {
    *console.err << "error: the watch stream ended before job " << job_id
                 << " did (last state " << ShortName(watched.job.state())
                 << ")\n";
    return kExitError;
  }
  if (common.output == OutputFormat::kText) {
    *console.out << Summary(stub, common, watched) << std::flush;
  }
  return watched.job.state() == resetd::v1::JOB_STATE_SUCCEEDED ? kExitOk
                                                                : kExitJobNotOk;
}

}  // namespace resetd::cli
