// Builds the API's view of a running job from the scheduler's state.
#pragma once

#include <cstdint>

#include "resetd/v1/reset_service.pb.h"
#include "workflow/scheduler.h"

namespace resetd::workflow {

// The job in `view` (FULL adds the targets, without their instance ids,
// and the failures by provider and code).
resetd::v1::ResetJob BuildSnapshot(const JobRun& job, resetd::v1::JobView view);

// The job as the store has it (its instances are needed for the counts).
resetd::v1::ResetJob BuildSnapshot(const StoredJob& job,
                                   resetd::v1::JobView view);

// Results of the job's instances changed after `after_version`.
void AppendChanged(const JobRun& job, uint64_t after_version,
                   resetd::v1::ResetJobEvent* event);

}  // namespace resetd::workflow
