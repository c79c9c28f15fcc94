// ListResetJobInstances: which instances a request selects, where its page
// starts, and the token of the next page. Pure; thread-safe.
#pragma once

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::workflow {

inline constexpr int kDefaultInstancePageSize = 100;
inline constexpr int kMaxInstancePageSize = 1000;

// One page of a request: the index of the first instance to look at and how
// many results at most (default 100, at most 1000).
struct InstancePage {
  int start_index = 0;
  int size = kDefaultInstancePageSize;
};

// The page `request` asks for. kInvalidArgument when its page token is not
// one this server gave for the same job_id and filters.
absl::StatusOr<InstancePage> PageOf(
    const resetd::v1::ListResetJobInstancesRequest& request);

// What the filters look at of one instance's result.
struct InstanceFacts {
  resetd::v1::InstanceState state;
  const std::string& provider;
  const std::string* error_code;  // nullptr: no error
};
InstanceFacts FactsOf(const resetd::v1::InstanceResult& result);

// True when the result passes the request's filters (states, providers,
// error codes; an empty filter passes everything).
bool Selects(const resetd::v1::ListResetJobInstancesRequest& request,
             const InstanceFacts& facts);
bool Selects(const resetd::v1::ListResetJobInstancesRequest& request,
             const resetd::v1::InstanceResult& result);

// The token of the page of `request` that starts at `next_index`.
std::string NextPageToken(
    const resetd::v1::ListResetJobInstancesRequest& request, int next_index);

// Builds one page of `request`: offer the job's results in its order from
// page.start_index; Take returns false once the page is full (the result
// offered then starts the next page, whose token Finish sets).
class InstancePageBuilder {
 public:
  InstancePageBuilder(const resetd::v1::ListResetJobInstancesRequest& request,
                      InstancePage page)
      : request_(request), page_(page) {}

  // Adds `result` (at `index` in the job) if it passes the filters; false
  // when the page is already full: stop offering.
  bool Take(int index, const resetd::v1::InstanceResult& result);
  // The same for a result built by `result()` only if it goes on the page.
  bool Take(int index, const InstanceFacts& facts,
            absl::FunctionRef<resetd::v1::InstanceResult()> result);

  // The page, with next_page_token when a result was left for the next.
  resetd::v1::ListResetJobInstancesResponse Finish() &&;

 private:
  const resetd::v1::ListResetJobInstancesRequest& request_;
  const InstancePage page_;
  resetd::v1::ListResetJobInstancesResponse out_;
  int next_index_ = -1;  // the first match that did not fit
};

}  // namespace resetd::workflow
