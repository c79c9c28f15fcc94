// The JobFilter of a ListResetJobsRequest: used by the engine's List.
#pragma once

#include "absl/status/statusor.h"
#include "resetd/v1/reset_service.pb.h"
#include "workflow/job_scope.h"
#include "workflow/job_store.h"

namespace resetd::workflow {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// The filter of `request` (states, create time window, creator, page from
// its page token and page size: default 50, at most 500) limited to
// `scope`. `limit` is the page size (callers ask one more to learn whether
// there is a next page). kInvalidArgument for a page token this server did
// not give.
absl::StatusOr<JobFilter> ListFilter(
    const resetd::v1::ListResetJobsRequest& request, const JobScope& scope);

}  // namespace resetd::workflow
