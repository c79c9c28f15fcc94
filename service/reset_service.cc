#include "service/reset_service.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "common/secret.h"
#include "grpcpp/support/method_handler.h"
#include "service/rpc_log.h"

namespace resetd::service {

using resetd::v1::CreateResetJobRequest;

ResetServiceImpl::ResetServiceImpl(workflow::JobManager& jobs,
                                   const RequestValidator& validator,
                                   const Authenticator& authenticator,
                                   resetd::v1::AuthConfig auth,
                                   ServiceMetrics& metrics, spdlog::logger& log,
                                   ResetServiceOptions options)
    : jobs_(jobs),
      validator_(validator),
      authenticator_(authenticator),
      auth_(std::move(auth)),
      metrics_(metrics),
      log_(log),
      options_(options) {
  // Index of WatchResetJob among the service's methods: generated code
  // registers them in the order of the proto's service.
  const int watch = resetd::v1::WatchResetJobRequest::descriptor()
                        ->file()
                        ->FindServiceByName("PasswordResetService")
                        ->FindMethodByName("WatchResetJob")
                        ->index();
  MarkMethodStreamed(
      watch,
      new grpc::internal::SplitServerStreamingHandler<
          resetd::v1::WatchResetJobRequest, grpc::ByteBuffer>(
          [this](grpc::ServerContext* context, WatchStream* stream) {
            return WatchResetJob(context, stream);
          }));
}

void ResetServiceImpl::BeginShutdown() { shutting_down_.store(true); }

absl::StatusOr<Caller> ResetServiceImpl::Authenticate(
    const grpc::ServerContext* context, RpcScope& rpc) const {
  absl::StatusOr<Caller> caller = authenticator_.Authenticate(*context);
  if (!caller.ok()) {
    // The Authenticator's messages never carry the token; the code may be
    // anything it chose, but a caller that could not be identified is
    // always UNAUTHENTICATED to the client.
    if (caller.status().code() == absl::StatusCode::kUnauthenticated) {
      return caller.status();
    }
    return absl::UnauthenticatedError(caller.status().message());
  }
  rpc.set_caller(*caller);
  return caller;
}

absl::Status ResetServiceImpl::Decide(const Caller& caller,
                                      const AuthzRequest& request,
                                      RpcScope& rpc) const {
  AuthzDecision decision = Authorize(auth_, caller, request);
  rpc.set_decision(decision.allowed, decision.reason);
  if (decision.allowed) return absl::OkStatus();
  return DeniedStatus(caller, decision);
}

absl::Status ResetServiceImpl::DecideOnJob(const Caller& caller,
                                           Permission permission,
                                           std::string_view job_id,
                                           RpcScope& rpc) {
  AuthzRequest request{permission, {}, {}};
  absl::StatusOr<workflow::JobOwner> owner = jobs_.Owner(job_id);
  if (!owner.ok()) {
    if (owner.status().code() != absl::StatusCode::kNotFound) {
      return owner.status();
    }
    // Only callers that could see such a job learn that it does not exist.
    request.job_creator = caller.identity;
    absl::Status allowed = Decide(caller, request, rpc);
    return allowed.ok() ? owner.status() : allowed;
  }
  request.job_creator = std::move(owner->creator);
  request.targets = std::move(owner->targets);
  return Decide(caller, request, rpc);
}

grpc::Status ResetServiceImpl::CreateResetJob(
    grpc::ServerContext* context, const CreateResetJobRequest* request,
    resetd::v1::ResetJob* response) {
  RpcScope rpc = Scope(RpcMethod::kCreateResetJob, context);
  rpc.set_request_id(request->request_id());
  // The sync API hands the request as const, but the message belongs to
  // this call and nobody reads it after the handler. Taking its contents
  // (Swap moves the strings, no copy of the password) and wiping what is
  // left keeps the plaintext from lingering in freed memory.
  auto& call_request = const_cast<CreateResetJobRequest&>(*request);
  absl::StatusOr<Caller> caller = Authenticate(context, rpc);
  absl::Status accept = caller.status();
  if (accept.ok()) {
    accept = shutting_down_.load()
                 ? absl::UnavailableError("the server is shutting down")
                 : validator_.ValidateCreate(call_request);
  }
  if (accept.ok()) {
    accept = Decide(
        *caller, {Permission::kCreate, {}, workflow::TargetsOf(call_request)},
        rpc);
  }
  if (!accept.ok()) {
    WipeString(*call_request.mutable_password());
    return rpc.Finish(accept);
  }
  CreateResetJobRequest handed;
  handed.Swap(&call_request);
  absl::StatusOr<resetd::v1::ResetJob> job =
      jobs_.Create(std::move(handed), caller->identity);
  // Moved-from protobuf messages stay valid; wipe whatever remains anyway.
  WipeString(*handed.mutable_password());  // NOLINT(bugprone-use-after-move)
  WipeString(*call_request.mutable_password());
  if (job.ok()) {
    *response = *std::move(job);
    rpc.set_job_id(response->job_id());
  }
  return rpc.Finish(job.status());
}

grpc::Status ResetServiceImpl::GetResetJob(
    grpc::ServerContext* context, const resetd::v1::GetResetJobRequest* request,
    resetd::v1::ResetJob* response) {
  RpcScope rpc = Scope(RpcMethod::kGetResetJob, context);
  rpc.set_job_id(request->job_id());
  absl::StatusOr<Caller> caller = Authenticate(context, rpc);
  if (!caller.ok()) return rpc.Finish(caller.status());
  if (absl::Status valid = validator_.ValidateGet(*request); !valid.ok()) {
    return rpc.Finish(valid);
  }
  absl::Status allowed =
      DecideOnJob(*caller, Permission::kGet, request->job_id(), rpc);
  if (!allowed.ok()) return rpc.Finish(allowed);
  auto job = jobs_.Get(request->job_id(), request->view());
  if (job.ok()) *response = *std::move(job);
  return rpc.Finish(job.status());
}

grpc::Status ResetServiceImpl::ListResetJobs(
    grpc::ServerContext* context,
    const resetd::v1::ListResetJobsRequest* request,
    resetd::v1::ListResetJobsResponse* response) {
  RpcScope rpc = Scope(RpcMethod::kListResetJobs, context);
  absl::StatusOr<Caller> caller = Authenticate(context, rpc);
  if (!caller.ok()) return rpc.Finish(caller.status());
  if (absl::Status valid = validator_.ValidateList(*request); !valid.ok()) {
    return rpc.Finish(valid);
  }
  if (absl::Status allowed = Decide(*caller, {Permission::kList, {}, {}}, rpc);
      !allowed.ok()) {
    return rpc.Finish(allowed);
  }
  auto jobs = jobs_.List(*request, ListScope(auth_, *caller));
  if (jobs.ok()) *response = *std::move(jobs);
  return rpc.Finish(jobs.status());
}

grpc::Status ResetServiceImpl::ListResetJobInstances(
    grpc::ServerContext* context,
    const resetd::v1::ListResetJobInstancesRequest* request,
    resetd::v1::ListResetJobInstancesResponse* response) {
  RpcScope rpc = Scope(RpcMethod::kListResetJobInstances, context);
  rpc.set_job_id(request->job_id());
  absl::StatusOr<Caller> caller = Authenticate(context, rpc);
  if (!caller.ok()) return rpc.Finish(caller.status());
  if (absl::Status valid = validator_.ValidateListInstances(*request);
      !valid.ok()) {
    return rpc.Finish(valid);
  }
  // Reading a job's instances is reading the job.
  absl::Status allowed =
      DecideOnJob(*caller, Permission::kGet, request->job_id(), rpc);
  if (!allowed.ok()) return rpc.Finish(allowed);
  auto page = jobs_.ListInstances(*request);
  if (page.ok()) *response = *std::move(page);
  return rpc.Finish(page.status());
}

grpc::Status ResetServiceImpl::WatchResetJob(grpc::ServerContext* context,
                                             WatchStream* stream) {
  RpcScope rpc = Scope(RpcMethod::kWatchResetJob, context);
  resetd::v1::WatchResetJobRequest request;
  if (!stream->Read(&request)) {
    return rpc.Finish(
        absl::InvalidArgumentError("no WatchResetJobRequest was received"));
  }
  rpc.set_job_id(request.job_id());
  absl::StatusOr<Caller> caller = Authenticate(context, rpc);
  if (!caller.ok()) return rpc.Finish(caller.status());
  if (absl::Status valid = validator_.ValidateJobId(request.job_id());
      !valid.ok()) {
    return rpc.Finish(valid);
  }
  absl::Status allowed =
      DecideOnJob(*caller, Permission::kWatch, request.job_id(), rpc);
  if (!allowed.ok()) return rpc.Finish(allowed);
  absl::StatusOr<WatchSlots::Slot> slot =
      watch_slots_.Acquire(caller->identity);
  if (!slot.ok()) return rpc.Finish(slot.status());
  return rpc.Finish(StreamUpdates(context, request.job_id(), stream));
}

absl::Status ResetServiceImpl::StreamUpdates(grpc::ServerContext* context,
                                             std::string_view job_id,
                                             WatchStream* stream) {
  auto watch = watch_feeds_.Subscribe(std::string(job_id));
  if (!watch.ok()) return watch.status();
  // The first event: state and counts only.
  const WatchEvent& first = (*watch)->first();
  if (!stream->Write(first.encoded)) {
    return absl::CancelledError("the client went away");
  }
  if (first.terminal) return absl::OkStatus();
  while (true) {
    if (context->IsCancelled()) {
      return absl::CancelledError("the client cancelled the stream");
    }
    if (shutting_down_.load()) {
      return absl::UnavailableError("the server is shutting down");
    }
    auto next = (*watch)->Next(options_.watch_poll);
    if (!next.ok()) return next.status();
    if (*next == nullptr) continue;
    if ((*next)->changes_dropped) metrics_.CountWatchDrop();
    if (!stream->Write((*next)->encoded)) {
      return absl::CancelledError("the client went away");
    }
    if ((*next)->terminal) return absl::OkStatus();
  }
}

grpc::Status ResetServiceImpl::CancelResetJob(
    grpc::ServerContext* context,
    const resetd::v1::CancelResetJobRequest* request,
    resetd::v1::ResetJob* response) {
  RpcScope rpc = Scope(RpcMethod::kCancelResetJob, context);
  rpc.set_job_id(request->job_id());
  absl::StatusOr<Caller> caller = Authenticate(context, rpc);
  if (!caller.ok()) return rpc.Finish(caller.status());
  if (absl::Status valid = validator_.ValidateJobId(request->job_id());
      !valid.ok()) {
    return rpc.Finish(valid);
  }
  absl::Status allowed =
      DecideOnJob(*caller, Permission::kCancel, request->job_id(), rpc);
  if (!allowed.ok()) return rpc.Finish(allowed);
  auto job = jobs_.Cancel(request->job_id());
  if (job.ok()) *response = *std::move(job);
  return rpc.Finish(job.status());
}

}  // namespace resetd::service
