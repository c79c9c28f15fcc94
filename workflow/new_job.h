// A new job, from its CreateResetJobRequest to the run the scheduler drives
// and the record the store keeps. Used by the engine's Create.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/secret.h"
#include "resetd/v1/reset_service.pb.h"
#include "workflow/job_store.h"
#include "workflow/provider_registry.h"
#include "workflow/task.h"

namespace resetd::workflow {

// Spells out the defaults (stop mode, password kind, power policy, OS type),
// so that leaving a field unset and setting its default are the same content
// for idempotency. REJECT is stored as unset: the content (and fingerprint)
// of jobs made before on_conflict existed stays the same.
void NormalizeRequest(resetd::v1::CreateResetJobRequest& r);

// A job with a fresh id ("rj-" and 16 hex digits) created at `now`: one
// pending task per instance of its targets, in request order, with no claim
// yet. kInvalidArgument for a provider not in `providers`.
absl::StatusOr<std::unique_ptr<JobRun>> NewJobRun(
    const resetd::v1::CreateResetJobRequest& request, const Secret& password,
    const ProviderRegistry& providers, absl::Time now);

// The record InsertJob stores for `job`, with its password (which the store
// seals) and the request's fingerprint.
StoredJob ToStoredJob(const JobRun& job, const std::string& fingerprint);

// Once a job is stored and its tasks made, its spec in memory needs no
// instance ids (the tasks have them, the store keeps the whole spec): each
// target keeps their number in `instance_count` instead.
void DropInstanceIds(resetd::v1::CreateResetJobRequest& spec);

}  // namespace resetd::workflow
