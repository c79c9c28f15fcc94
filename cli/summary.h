// The end-of-job summary. Pure; thread-safe.
#pragma once

#include <string>

#include "google/protobuf/repeated_ptr_field.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::cli {

// Renders the summary of a job (ideally in the FULL view):
//   - its final state (and "dry run" if so),
//   - instance counts by state (from job.counts, zero rows omitted),
//   - failures by provider and error code (from job.failures),
//   - the failed instances given (`failed`: the first ones of the job, as
//     ListResetJobInstances with a FAILED filter returns them) with
//     provider, provider error code, message and request id: at most
//     `max_failed`, then "... and N more" (from job.counts) and the command
//     that lists them all.
std::string RenderSummary(
    const resetd::v1::ResetJob& job,
    const google::protobuf::RepeatedPtrField<resetd::v1::InstanceResult>&
        failed,
    int max_failed = 20);

}  // namespace resetd::cli
