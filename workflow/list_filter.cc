#include "workflow/list_filter.h"

#include <algorithm>

#include "absl/strings/numbers.h"

namespace resetd::workflow {

namespace {
absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(t.seconds() * 1000000000LL + t.nanos());
}
}  // namespace

absl::StatusOr<JobFilter> ListFilter(
    const resetd::v1::ListResetJobsRequest& req, const JobScope& scope) {
  JobFilter filter;
  if (!req.page_token().empty() &&
      (!absl::SimpleAtoi(req.page_token(), &filter.offset) ||
       filter.offset < 0)) {
    return absl::InvalidArgumentError("page_token is not one this server gave");
  }
  filter.limit = req.page_size() <= 0 ? kDefaultPageSize
                                      : std::min(req.page_size(), kMaxPageSize);
  for (int s : req.states()) {
    filter.states.push_back(static_cast<resetd::v1::JobState>(s));
  }
  if (req.has_created_after()) {
    filter.created_after = FromTimestamp(req.created_after());
  }
  if (req.has_created_before()) {
    filter.created_before = FromTimestamp(req.created_before());
  }
  filter.creator = req.creator();
  filter.scope = scope;
  return filter;
}

}  // namespace resetd::workflow
