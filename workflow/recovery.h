// Crash recovery: the runs of the jobs a previous process left unfinished,
// rebuilt from the job store, for Scheduler::RecoverJob. Used by the engine
// at start-up and by the tests that crash a scheduler.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "common/secret.h"
#include "resetd/v1/reset_service.pb.h"
#include "workflow/job_store.h"
#include "workflow/provider_registry.h"
#include "workflow/scheduler.h"

namespace resetd::workflow {

// The reset parameters of a job: its user name and password (resetd stops
// instances itself, so never a forced stop by the provider).
std::shared_ptr<clients::ResetPasswordParams> MakeResetParams(
    const resetd::v1::CreateResetJobRequest& spec, Secret password);

// Every unfinished job in `store`, oldest first, as runs whose tasks are
// restored from their records (RestoreTask). Instances of providers no
// longer in `providers` are left out. A job whose password cannot be read
// back (its key is not configured) keeps running to restore power: its
// instances not yet reset fail with PasswordUnavailable. Errors: the
// store's, from LoadUnfinished.
absl::StatusOr<std::vector<std::unique_ptr<JobRun>>> LoadRunsToRecover(
    JobStore& store, const ProviderRegistry& providers);

}  // namespace resetd::workflow
