#include "service/reset_service.h"

#include <utility>

#include "common/secret.h"
#include "service/rpc_log.h"

namespace resetd::service {

using resetd::v1::CreateResetJobRequest;

ResetServiceImpl::ResetServiceImpl(workflow::JobManager& jobs,
                                   const RequestValidator& validator,
                                   ServiceMetrics& metrics, spdlog::logger& log,
                                   ResetServiceOptions options)
    : jobs_(jobs),
      validator_(validator),
      metrics_(metrics),
      log_(log),
      options_(options) {}

void ResetServiceImpl::BeginShutdown() { shutting_down_.store(true); }

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
  absl::Status accept =
      shutting_down_.load()
          ? absl::UnavailableError("the server is shutting down")
          : validator_.ValidateCreate(call_request);
  if (!accept.ok()) {
    WipeString(*call_request.mutable_password());
    return rpc.Finish(accept);
  }
  CreateResetJobRequest handed;
  handed.Swap(&call_request);
  absl::StatusOr<resetd::v1::ResetJob> job = jobs_.Create(std::move(handed));
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
  if (absl::Status valid = validator_.ValidateGet(*request); !valid.ok()) {
    return rpc.Finish(valid);
  }
  auto job = jobs_.Get(request->job_id(), request->view());
  if (job.ok()) *response = *std::move(job);
  return rpc.Finish(job.status());
}

grpc::Status ResetServiceImpl::ListResetJobs(
    grpc::ServerContext* context,
    const resetd::v1::ListResetJobsRequest* request,
    resetd::v1::ListResetJobsResponse* response) {
  RpcScope rpc = Scope(RpcMethod::kListResetJobs, context);
  if (absl::Status valid = validator_.ValidateList(*request); !valid.ok()) {
    return rpc.Finish(valid);
  }
  auto jobs = jobs_.List(*request);
  if (jobs.ok()) *response = *std::move(jobs);
  return rpc.Finish(jobs.status());
}

grpc::Status ResetServiceImpl::WatchResetJob(
    grpc::ServerContext* context,
    const resetd::v1::WatchResetJobRequest* request,
    grpc::ServerWriter<resetd::v1::ResetJobEvent>* writer) {
  RpcScope rpc = Scope(RpcMethod::kWatchResetJob, context);
  rpc.set_job_id(request->job_id());
  if (absl::Status valid = validator_.ValidateJobId(request->job_id());
      !valid.ok()) {
    return rpc.Finish(valid);
  }
  return rpc.Finish(StreamUpdates(context, request->job_id(), writer));
}

absl::Status ResetServiceImpl::StreamUpdates(
    grpc::ServerContext* context, std::string_view job_id,
    grpc::ServerWriter<resetd::v1::ResetJobEvent>* writer) {
  uint64_t version = 0;
  bool sent_any = false;
  while (true) {
    if (context->IsCancelled()) {
      return absl::CancelledError("the client cancelled the stream");
    }
    if (shutting_down_.load()) {
      return absl::UnavailableError("the server is shutting down");
    }
    auto update = jobs_.WaitForUpdate(job_id, version, options_.watch_poll);
    if (!update.ok()) return update.status();
    if (!sent_any || update->version != version) {
      if (!writer->Write(update->event)) {
        return absl::CancelledError("the client went away");
      }
      sent_any = true;
      version = update->version;
    }
    if (update->terminal) return absl::OkStatus();
  }
}

grpc::Status ResetServiceImpl::CancelResetJob(
    grpc::ServerContext* context,
    const resetd::v1::CancelResetJobRequest* request,
    resetd::v1::ResetJob* response) {
  RpcScope rpc = Scope(RpcMethod::kCancelResetJob, context);
  rpc.set_job_id(request->job_id());
  if (absl::Status valid = validator_.ValidateJobId(request->job_id());
      !valid.ok()) {
    return rpc.Finish(valid);
  }
  auto job = jobs_.Cancel(request->job_id());
  if (job.ok()) *response = *std::move(job);
  return rpc.Finish(job.status());
}

}  // namespace resetd::service
