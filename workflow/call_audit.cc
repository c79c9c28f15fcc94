#include "workflow/call_audit.h"

#include <utility>

#include "clients/provider_error.h"

namespace resetd::workflow {

std::string OutcomeCode(const absl::Status& status) {
  if (status.ok()) return "OK";
  if (auto pe = clients::GetProviderError(status)) return pe->code;
  return std::string(absl::StatusCodeToString(status.code()));
}

std::string OutcomeRequestId(const CallOutcome& out) {
  if (out.status.ok()) return out.request_id;
  auto pe = clients::GetProviderError(out.status);
  return pe ? pe->request_id : "";
}

std::vector<SideEffectRecord> PendingSideEffects(const CloudCall& call,
                                                 const CallIntent& intent,
                                                 const ProviderEntry* entry) {
  std::vector<SideEffectRecord> out;
  if (call.action == Action::kDescribe) return out;
  for (const StepRecord& step : intent.records) {
    SideEffectRecord r;
    r.job_id = step.job_id;
    r.batch_id = step.batch_id;
    r.provider = call.provider;
    r.account = entry ? entry->account : "";
    r.region = call.region;
    r.action = std::string(ActionName(call.action));
    r.instance_ids = step.instance_ids;
    out.push_back(std::move(r));
  }
  return out;
}

void WriteSideEffects(AuditSink& sink, std::vector<SideEffectRecord> records,
                      const CallOutcome& out) {
  const std::string outcome = OutcomeCode(out.status);
  const std::string request_id = OutcomeRequestId(out);
  for (SideEffectRecord& r : records) {
    r.outcome = outcome;
    r.provider_request_id = request_id;
    sink.SideEffect(r);
  }
}

}  // namespace resetd::workflow
