// The workflow layer's front: what the gRPC handlers call. Jobs are accepted,
// run, observed and cancelled here; the handlers only validate and map.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "resetd/v1/reset_service.pb.h"
#include "workflow/job_scope.h"

namespace resetd::workflow {

// A job's progress since some version, for WatchResetJob.
struct JobUpdate {
  resetd::v1::ResetJobEvent event;  // BASIC job view + instances changed
  uint64_t version = 0;             // pass back as `after_version`
  bool terminal = false;            // the job has ended; no more updates
};

// Who a job belongs to and where it reaches: what authorization needs to
// know about an existing job. Both never change after the job is created.
struct JobOwner {
  std::string creator;                  // empty for jobs of older versions
  std::vector<ProviderRegion> targets;  // distinct, sorted
};

// Thread-safe: every method may be called from any gRPC thread.
class JobManager {
 public:
  virtual ~JobManager() = default;

  // Accepts a job whose fields the caller has already validated (provider
  // names, ids, password policy) on behalf of `creator` (the caller's
  // identity, recorded as ResetJob.creator). Takes ownership of the request
  // and wipes its password. Same request_id, same creator and same content:
  // returns the existing job. Same request_id, different content or a
  // different creator: kAlreadyExists (the message never names another
  // creator's job). Returns once the job is stored; it runs in the
  // background. A dry run is planned (each instance observed once) and ends
  // without any side effect.
  virtual absl::StatusOr<resetd::v1::ResetJob> Create(
      resetd::v1::CreateResetJobRequest request, std::string creator) = 0;

  // The job, in `view` (FULL when unspecified); kNotFound if unknown.
  virtual absl::StatusOr<resetd::v1::ResetJob> Get(
      std::string_view job_id, resetd::v1::JobView view) = 0;

  // One page of the job's instance results that pass the request's
  // filters, in the job's order (see instance_page.h for page sizes).
  // kNotFound if unknown; kInvalidArgument for a page token that belongs to
  // another request.
  virtual absl::StatusOr<resetd::v1::ListResetJobInstancesResponse>
  ListInstances(const resetd::v1::ListResetJobInstancesRequest& request) = 0;

  // The job's creator and targets, cheaply (no instances);
  // kNotFound if unknown.
  virtual absl::StatusOr<JobOwner> Owner(std::string_view job_id) = 0;

  // Jobs matching the request's filters (states, create time, creator) and
  // within `scope` (nullopt: every job), newest first, BASIC view.
  // kInvalidArgument for a bad page token.
  virtual absl::StatusOr<resetd::v1::ListResetJobsResponse> List(
      const resetd::v1::ListResetJobsRequest& request,
      const JobScope& scope) = 0;

  // Blocks until the job's version exceeds `after_version` or `timeout`
  // passes, then returns the current state (instances changed after
  // `after_version` in `event.changed`). kNotFound if unknown.
  // The job's state and counts now (no instances) and the version to wait
  // from: a watch's first event. kNotFound if unknown.
  virtual absl::StatusOr<JobUpdate> CurrentState(std::string_view job_id) = 0;

  virtual absl::StatusOr<JobUpdate> WaitForUpdate(std::string_view job_id,
                                                  uint64_t after_version,
                                                  absl::Duration timeout) = 0;

  // Stops new work on the job and returns instances it holds stopped to
  // their original power state. Idempotent; an ended job is returned as is.
  virtual absl::StatusOr<resetd::v1::ResetJob> Cancel(
      std::string_view job_id) = 0;
};

}  // namespace resetd::workflow
