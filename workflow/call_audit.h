// The side-effect records of one cloud call (audit_sink.h), built from the
// call's intent before it is dispatched and completed by its outcome.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "workflow/audit_sink.h"
#include "workflow/cloud_call.h"
#include "workflow/provider_registry.h"
#include "workflow/step_journal.h"

namespace resetd::workflow {

// "OK", the ProviderError's code, or the canonical code's name.
std::string OutcomeCode(const absl::Status& status);
// The provider's request id of `out`: the accepted call's, or the one its
// ProviderError carries; empty when there is none.
std::string OutcomeRequestId(const CallOutcome& out);

// One record per job the call serves (its intent's step records), without
// the outcome. `entry` (may be null) gives the account. Empty for Describe.
std::vector<SideEffectRecord> PendingSideEffects(const CloudCall& call,
                                                 const CallIntent& intent,
                                                 const ProviderEntry* entry);

// Completes `records` with `out` and hands each to `sink`.
void WriteSideEffects(AuditSink& sink, std::vector<SideEffectRecord> records,
                      const CallOutcome& out);

}  // namespace resetd::workflow
