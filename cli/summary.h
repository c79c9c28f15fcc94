// The end-of-job summary. Pure; thread-safe.
#pragma once

#include <string>

#include "resetd/v1/reset_service.pb.h"

namespace resetd::cli {

// Renders the summary of a job (ideally in the FULL view):
//   - its final state (and "dry run" if so),
//   - instance counts by state (from job.counts, zero rows omitted),
//   - counts by final power state (from job.instances),
//   - failed instances with provider, provider error code, message and
//     request id: at most `max_failed`, then "... and N more".
// With no per-instance results, says so instead of the last two parts.
std::string RenderSummary(const resetd::v1::ResetJob& job, int max_failed = 20);

}  // namespace resetd::cli
