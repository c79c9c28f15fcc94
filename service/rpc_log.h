// Per-RPC bookkeeping shared by the handlers: one metrics record and one
// structured log line per call.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/log_value.h"
#include "grpcpp/server_context.h"
#include "service/caller.h"
#include "service/service_metrics.h"
#include "spdlog/logger.h"

namespace resetd::service {

using resetd::LogValue;

// What one RPC was, for the audit trail (audit_log.h): who, what, on which
// job, what authorization decided and how it ended. Never a secret.
struct RpcRecord {
  std::string method;      // e.g. "CreateResetJob"
  Caller caller;           // identity, source and peer
  std::string job_id;      // when known
  std::string request_id;  // CreateResetJob's
  bool decided = false;    // authorization ran (false: failed before it)
  bool allowed = false;
  std::string reason;      // why allowed or denied
  std::string code;        // the gRPC code it ended with, e.g. "OK"
};

// Receives one RpcRecord per finished RPC. Thread-safe.
class RpcAuditor {
 public:
  virtual ~RpcAuditor() = default;
  virtual void Rpc(const RpcRecord& record) = 0;
};

// Times one RPC; Finish() maps its status, counts it and logs it as
//   event=rpc method=M code=C job_id=J request_id=R duration_ms=D peer=P
//   [message="..."]
// and hands its RpcRecord to the auditor, if there is one.
// Not thread-safe (one per call).
class RpcScope {
 public:
  // `auditor` (may be null) gets the RpcRecord at Finish().
  RpcScope(RpcMethod method, ServiceMetrics& metrics, spdlog::logger& log,
           const grpc::ServerContext* context, RpcAuditor* auditor = nullptr);

  void set_job_id(std::string_view id) { job_id_ = std::string(id); }
  void set_request_id(std::string_view id) { request_id_ = std::string(id); }
  // Who called (set once authenticated) and what authorization decided:
  // `reason` says why (the role and scope that allowed it, or what is
  // missing). Both go to the log line and the audit trail.
  void set_caller(const Caller& caller) { caller_ = caller; }
  void set_decision(bool allowed, std::string_view reason) {
    decided_ = true;
    allowed_ = allowed;
    reason_ = std::string(reason);
  }

  // The grpc::Status for `status` (ToGrpcStatus), after recording it.
  grpc::Status Finish(const absl::Status& status);

 private:
  // What the audit trail gets for a call that ended with `code`.
  RpcRecord Record(grpc::StatusCode code) const;

  const RpcMethod method_;
  ServiceMetrics& metrics_;
  spdlog::logger& log_;
  const grpc::ServerContext* context_;
  RpcAuditor* const auditor_;
  const std::chrono::steady_clock::time_point start_;
  std::string job_id_;
  std::string request_id_;
  Caller caller_;
  bool decided_ = false;
  bool allowed_ = false;
  std::string reason_;
};

}  // namespace resetd::service
