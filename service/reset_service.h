// The gRPC front door: PasswordResetService. Handlers are thin:
// authenticate, validate, authorize (authz.h), call the workflow layer's
// JobManager, map the status (status_mapping.h).
#pragma once

#include <atomic>

#include "absl/time/time.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/sync_stream.h"
#include "resetd/v1/config.pb.h"
#include "resetd/v1/reset_service.grpc.pb.h"
#include "service/authenticator.h"
#include "service/authz.h"
#include "service/rpc_log.h"
#include "service/service_metrics.h"
#include "service/validation.h"
#include "service/watch_feed.h"
#include "service/watch_slots.h"
#include "spdlog/logger.h"
#include "workflow/job_manager.h"

namespace resetd::service {

struct ResetServiceOptions {
  // How long one JobManager::WaitForUpdate of a Watch stream blocks before
  // the stream checks for cancellation and shutdown again.
  absl::Duration watch_poll = absl::Seconds(1);
  // A job's Watch events are built at most once per this interval and
  // shared by all its watchers: changes in between are coalesced into the
  // next event (each carries every change since the previous one).
  absl::Duration min_event_interval = absl::Milliseconds(250);
  // The changes of a job kept for its watchers that have not sent them yet
  // (watch_feed.h); a watcher further behind gets the job's state with
  // `changes_dropped` instead.
  size_t watch_buffer_bytes = size_t{16} << 20;
  // Gets a record of every RPC (the audit trail); null = none.
  RpcAuditor* rpc_auditor = nullptr;
  // Open WatchResetJob streams per identity; more get RESOURCE_EXHAUSTED.
  int max_watches_per_identity = 16;
};

// Implements resetd.v1.PasswordResetService on the synchronous gRPC API.
// Each RPC is authenticated by `authenticator` (failure or no identity:
// UNAUTHENTICATED), validated (INVALID_ARGUMENT), authorized against `auth`
// (PERMISSION_DENIED with a google.rpc.ErrorInfo, before any side effect;
// Get/ListResetJobInstances/Watch/Cancel look up the job's creator and targets first, an unknown
// job is NOT_FOUND only for callers that hold the permission), handed to
// `jobs` (Create with the caller's identity as creator, List limited to the
// caller's scope), counted in `metrics` and logged as one structured line on
// `log` (method, job id, request id, code; never the password). The password
// of a CreateResetJob request is moved into the JobManager and the request's
// copy wiped. All collaborators must outlive the service. Thread-safe.
class ResetServiceImpl final
    : public resetd::v1::PasswordResetService::Service {
 public:
  ResetServiceImpl(workflow::JobManager& jobs,
                   const RequestValidator& validator,
                   const Authenticator& authenticator,
                   resetd::v1::AuthConfig auth, ServiceMetrics& metrics,
                   spdlog::logger& log, ResetServiceOptions options = {});

  // Stops accepting jobs (CreateResetJob fails with UNAVAILABLE) and makes
  // open and new Watch streams end with UNAVAILABLE within one watch_poll,
  // so that the server can shut down. Get/List/Cancel keep working.
  // Idempotent.
  void BeginShutdown();

  grpc::Status CreateResetJob(grpc::ServerContext* context,
                              const resetd::v1::CreateResetJobRequest* request,
                              resetd::v1::ResetJob* response) override;
  grpc::Status GetResetJob(grpc::ServerContext* context,
                           const resetd::v1::GetResetJobRequest* request,
                           resetd::v1::ResetJob* response) override;
  grpc::Status ListResetJobs(
      grpc::ServerContext* context,
      const resetd::v1::ListResetJobsRequest* request,
      resetd::v1::ListResetJobsResponse* response) override;
  grpc::Status ListResetJobInstances(
      grpc::ServerContext* context,
      const resetd::v1::ListResetJobInstancesRequest* request,
      resetd::v1::ListResetJobInstancesResponse* response) override;
  grpc::Status CancelResetJob(grpc::ServerContext* context,
                              const resetd::v1::CancelResetJobRequest* request,
                              resetd::v1::ResetJob* response) override;

 private:
  // The bookkeeping of one call of `method`.
  RpcScope Scope(RpcMethod method, const grpc::ServerContext* context) {
    return RpcScope(method, metrics_, log_, context, options_.rpc_auditor);
  }

  // The caller of `context` (recorded on `rpc`), or why there is none.
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContext* context,
                                      RpcScope& rpc) const;
  // Authorizes `request` for `caller` and records the decision on `rpc`:
  // OK, or the status to end the call with (DeniedStatus).
  absl::Status Decide(const Caller& caller, const AuthzRequest& request,
                      RpcScope& rpc) const;
  // Decide for an existing job (its creator and targets from `jobs_`).
  absl::Status DecideOnJob(const Caller& caller, Permission permission,
                           std::string_view job_id, RpcScope& rpc);

  // WatchResetJob writes each event's shared encoding (WatchEvent::encoded)
  // rather than a message of its own: the method is served as gRPC's split
  // server streaming (read the one request, then write) with raw
  // ByteBuffer responses. Clients see the same server-streaming RPC.
  using WatchStream = grpc::ServerSplitStreamer<
      resetd::v1::WatchResetJobRequest, grpc::ByteBuffer>;
  grpc::Status WatchResetJob(grpc::ServerContext* context,
                             WatchStream* stream);

  // Streams updates of `job_id` until it ends; returns the stream's status.
  absl::Status StreamUpdates(grpc::ServerContext* context,
                             std::string_view job_id, WatchStream* stream);

  workflow::JobManager& jobs_;
  const RequestValidator& validator_;
  const Authenticator& authenticator_;
  const resetd::v1::AuthConfig auth_;
  ServiceMetrics& metrics_;
  spdlog::logger& log_;
  const ResetServiceOptions options_;
  WatchSlots watch_slots_{options_.max_watches_per_identity};
  WatchFeeds watch_feeds_{
      jobs_, {.min_event_interval = options_.min_event_interval,
              .buffer_bytes = options_.watch_buffer_bytes}};
  std::atomic<bool> shutting_down_{false};
};

}  // namespace resetd::service
