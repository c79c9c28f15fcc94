// A JobStore decorator that times every write and counts failed ones
// (resetd_store_write_duration_seconds, resetd_store_write_failures_total).
#pragma once

#include <memory>

#include "workflow/job_store.h"
#include "workflow/metrics.h"

namespace resetd::workflow {

// Wraps `base`: the same contract, with InsertJob, Write, UpdateJob and
// TakeClaims timed into `metrics`. Reads pass through untimed. Both must
// outlive the result. Thread-safe as `base` is.
std::unique_ptr<JobStore> NewInstrumentedJobStore(JobStore& base,
                                                  WorkflowMetrics& metrics);

}  // namespace resetd::workflow
