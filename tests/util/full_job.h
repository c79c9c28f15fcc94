// A job with every instance result, as tests look at it: GetResetJob's FULL
// view plus every page of ListResetJobInstances (the API never puts all of a
// job's instances in one message).
#pragma once

#include <string>
#include <utility>

#include "google/protobuf/repeated_ptr_field.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::testing {

class FullJob {
 public:
  using Instances =
      google::protobuf::RepeatedPtrField<resetd::v1::InstanceResult>;

  FullJob() = default;
  FullJob(resetd::v1::ResetJob job, Instances instances)
      : job_(std::move(job)), instances_(std::move(instances)) {}

  const resetd::v1::ResetJob& job() const { return job_; }
  const Instances& instances() const { return instances_; }
  int instances_size() const { return instances_.size(); }

  // The ResetJob fields the tests read.
  const std::string& job_id() const { return job_.job_id(); }
  resetd::v1::JobState state() const { return job_.state(); }
  const resetd::v1::InstanceCounts& counts() const { return job_.counts(); }
  bool dry_run() const { return job_.dry_run(); }

 private:
  resetd::v1::ResetJob job_;
  Instances instances_;
};

// Every page of a ListResetJobInstances-shaped call: `list(request,
// response)` returns true on success. Stops (returning what it has) on a
// failure.
template <typename ListFn>
FullJob::Instances AllPages(const std::string& job_id, int page_size,
                            ListFn list, bool* ok = nullptr) {
  FullJob::Instances out;
  resetd::v1::ListResetJobInstancesRequest request;
  request.set_job_id(job_id);
  request.set_page_size(page_size);
  if (ok) *ok = true;
  do {
    resetd::v1::ListResetJobInstancesResponse page;
    if (!list(request, page)) {
      if (ok) *ok = false;
      return out;
    }
    for (auto& i : *page.mutable_instances()) out.Add(std::move(i));
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return out;
}

}  // namespace resetd::testing
