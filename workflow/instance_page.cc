#include "workflow/instance_page.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "resetd/v1/store.pb.h"

namespace resetd::workflow {

namespace {

using resetd::v1::ListResetJobInstancesRequest;

// The request without its paging fields: what a token is tied to.
std::string FiltersOf(ListResetJobInstancesRequest request) {
  request.clear_page_size();
  request.clear_page_token();
  std::string out;
  request.SerializeToString(&out);
  return out;
}

template <typename Values, typename Value>
bool AnyOrEmpty(const Values& values, const Value& value) {
  return values.empty() ||
         std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

absl::StatusOr<InstancePage> PageOf(
    const ListResetJobInstancesRequest& request) {
  InstancePage page;
  if (request.page_size() > 0) {
    page.size = std::min(request.page_size(), kMaxInstancePageSize);
  }
  if (request.page_token().empty()) return page;
  std::string raw;
  resetd::v1::InstancePageToken token;
  if (!absl::WebSafeBase64Unescape(request.page_token(), &raw) ||
      !token.ParseFromString(raw) || token.next_index() < 0) {
    return absl::InvalidArgumentError(
        "page_token is not one this server gave");
  }
  std::string filters;
  token.request().SerializeToString(&filters);
  if (filters != FiltersOf(request)) {
    return absl::InvalidArgumentError(
        "page_token belongs to another job or other filters; send the "
        "job_id and filters of the request that returned it");
  }
  page.start_index = token.next_index();
  return page;
}

InstanceFacts FactsOf(const resetd::v1::InstanceResult& result) {
  return InstanceFacts{result.state(), result.provider(),
                       result.has_error() ? &result.error().code() : nullptr};
}

bool Selects(const ListResetJobInstancesRequest& request,
             const InstanceFacts& facts) {
  return AnyOrEmpty(request.states(), facts.state) &&
         AnyOrEmpty(request.providers(), facts.provider) &&
         (request.error_codes().empty() ||
          (facts.error_code != nullptr &&
           AnyOrEmpty(request.error_codes(), *facts.error_code)));
}

bool Selects(const ListResetJobInstancesRequest& request,
             const resetd::v1::InstanceResult& result) {
  return Selects(request, FactsOf(result));
}

std::string NextPageToken(const ListResetJobInstancesRequest& request,
                          int next_index) {
  resetd::v1::InstancePageToken token;
  ListResetJobInstancesRequest* filters = token.mutable_request();
  *filters = request;
  filters->clear_page_size();
  filters->clear_page_token();
  token.set_next_index(next_index);
  std::string raw;
  token.SerializeToString(&raw);
  return absl::WebSafeBase64Escape(raw);
}

bool InstancePageBuilder::Take(int index,
                               const resetd::v1::InstanceResult& result) {
  return Take(index, FactsOf(result), [&] { return result; });
}

bool InstancePageBuilder::Take(
    int index, const InstanceFacts& facts,
    absl::FunctionRef<resetd::v1::InstanceResult()> result) {
  if (!Selects(request_, facts)) return true;
  if (out_.instances_size() == page_.size) {
    next_index_ = index;
    return false;
  }
  *out_.add_instances() = result();
  return true;
}

resetd::v1::ListResetJobInstancesResponse InstancePageBuilder::Finish() && {
  if (next_index_ >= 0) {
    out_.set_next_page_token(NextPageToken(request_, next_index_));
  }
  return std::move(out_);
}

}  // namespace resetd::workflow
