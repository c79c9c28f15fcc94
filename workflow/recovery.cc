#include "workflow/recovery.h"

#include <utility>

#include "workflow/new_job.h"

namespace resetd::workflow {
namespace {

// Without the password nothing can be reset any more; power is still
// restored.
void MarkPasswordUnavailable(const absl::Status& why, Task& task) {
  task.skip_reset = true;
  task.failed = true;
  SetError(task, "PasswordUnavailable", std::string(why.message()));
}

std::unique_ptr<JobRun> RunOf(StoredJob& stored,
                              const ProviderRegistry& providers) {
  auto job = std::make_unique<JobRun>();
  job->job_id = stored.job_id;
  job->spec = stored.spec;
  job->creator = stored.creator;
  job->state = stored.state;
  job->cancelled = stored.cancelled;
  job->create_time = stored.create_time;
  job->update_time = stored.update_time;
  const bool have_password =
      stored.password_status.ok() && !stored.password.empty();
  job->reset = MakeResetParams(stored.spec, std::move(stored.password));
  for (const auto& record : stored.instances) {
    auto p = providers.find(record.provider());
    if (p == providers.end()) continue;  // provider removed from config
    auto task = std::make_unique<Task>();
    RestoreTask(record, *job, *task);
    task->provider = &p->second;
    if (!have_password && !task->reset_done) {
      MarkPasswordUnavailable(stored.password_status, *task);
    }
    job->tasks.push_back(std::move(task));
  }
  DropInstanceIds(job->spec);
  return job;
}

}  // namespace

std::shared_ptr<clients::ResetPasswordParams> MakeResetParams(
    const resetd::v1::CreateResetJobRequest& spec, Secret password) {
  auto params = std::make_shared<clients::ResetPasswordParams>();
  params->username = spec.username();
  params->password = std::move(password);
  params->force_stop = false;  // resetd stops instances itself
  return params;
}

absl::StatusOr<std::vector<std::unique_ptr<JobRun>>> LoadRunsToRecover(
    JobStore& store, const ProviderRegistry& providers) {
  auto jobs = store.LoadUnfinished();
  if (!jobs.ok()) return jobs.status();
  std::vector<std::unique_ptr<JobRun>> runs;
  for (StoredJob& stored : *jobs) runs.push_back(RunOf(stored, providers));
  return runs;
}

}  // namespace resetd::workflow
