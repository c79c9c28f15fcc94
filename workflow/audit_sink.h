// The audit trail's view of the engine: one record per job served by each
// cloud call that has a side effect (everything but Describe). Plain data
// and an interface, no code: the service layer implements the sink
// (service/audit_log.h) without linking the engine.
#pragma once

#include <string>
#include <vector>

namespace resetd::workflow {

// One side effect on a cloud, as far as one job is concerned. It holds ids,
// names and codes only: there is no field a password, token or key could go
// in, and the provider's error message (which may echo parameters) is left
// out on purpose.
struct SideEffectRecord {
  std::string job_id;
  std::string batch_id;  // the step record's batch id (job_store.h)
  std::string provider;  // the provider entry's name, e.g. "tencent"
  std::string account;   // the entry's account label
  std::string region;
  std::string action;  // engine action: Stop, Start, Reboot, ResetPassword,
                       // ResetVncPassword
  std::vector<std::string> instance_ids;  // this job's ids in the call
  std::string provider_request_id;        // empty when the provider gave none
  std::string outcome;  // "OK", the provider's error code, or the canonical
                        // code name when there is no provider error
};

// Receives side-effect records on the engine's worker threads, after the
// call returned and before its outcome is handed to the scheduler: when
// SideEffect() returns, the record must be as durable as the sink makes it.
// Must never block for long and never throw; a failure is the sink's to
// count and report (the job goes on). Implementations are thread-safe.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void SideEffect(const SideEffectRecord& record) = 0;
};

}  // namespace resetd::workflow
