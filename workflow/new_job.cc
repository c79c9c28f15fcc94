#include "workflow/new_job.h"

#include <utility>

#include "common/crypto.h"
#include "workflow/recovery.h"

namespace resetd::workflow {

using resetd::v1::CreateResetJobRequest;

void NormalizeRequest(CreateResetJobRequest& r) {
  if (r.stop_mode() == resetd::v1::STOP_MODE_UNSPECIFIED) {
    r.set_stop_mode(resetd::v1::STOP_MODE_SOFT);
  }
  // REJECT is stored as unset: the content (and fingerprint) of jobs made
  // before on_conflict existed stays the same.
  if (r.on_conflict() == resetd::v1::ON_CONFLICT_REJECT) {
    r.set_on_conflict(resetd::v1::ON_CONFLICT_UNSPECIFIED);
  }
  if (r.password_kind() == resetd::v1::PASSWORD_KIND_UNSPECIFIED) {
    r.set_password_kind(resetd::v1::PASSWORD_KIND_LOGIN);
  }
  if (r.power_policy() == resetd::v1::POWER_POLICY_UNSPECIFIED) {
    r.set_power_policy(resetd::v1::POWER_POLICY_RESTORE_ORIGINAL);
  }
  for (auto& t : *r.mutable_targets()) {
    if (t.os_type() == resetd::v1::OS_TYPE_UNSPECIFIED) {
      t.set_os_type(resetd::v1::OS_TYPE_LINUX);
    }
  }
}

absl::StatusOr<std::unique_ptr<JobRun>> NewJobRun(
    const CreateResetJobRequest& request, const Secret& password,
    const ProviderRegistry& providers, absl::Time now) {
  auto job = std::make_unique<JobRun>();
  job->job_id = "rj-" + HexEncode(RandomBytes(8));
  job->spec = request;
  job->create_time = job->update_time = now;
  job->reset = MakeResetParams(request, Secret(password));
  for (const auto& target : request.targets()) {
    auto p = providers.find(target.provider());
    if (p == providers.end()) {
      return absl::InvalidArgumentError("unknown provider " +
                                        target.provider());
    }
    for (const auto& id : target.instance_ids()) {
      auto task = std::make_unique<Task>();
      task->index = static_cast<int>(job->tasks.size());
      task->provider = &p->second;
      task->region = target.region();
      task->id = id;
      task->job = job.get();
      job->tasks.push_back(std::move(task));
    }
  }
  return job;
}

StoredJob ToStoredJob(const JobRun& job, const std::string& fingerprint) {
  StoredJob stored;
  stored.job_id = job.job_id;
  stored.request_id = job.spec.request_id();
  stored.fingerprint = fingerprint;
  stored.creator = job.creator;
  stored.spec = job.spec;
  stored.password = job.reset->password;
  stored.create_time = stored.update_time = job.create_time;
  for (const auto& t : job.tasks) stored.instances.push_back(ToRecord(*t));
  return stored;
}

void DropInstanceIds(resetd::v1::CreateResetJobRequest& spec) {
  for (auto& t : *spec.mutable_targets()) {
    if (t.instance_ids().empty()) continue;
    t.set_instance_count(t.instance_ids_size());
    // Clear() would keep the strings for reuse: swap them out to free them.
    google::protobuf::RepeatedPtrField<std::string>().Swap(
        t.mutable_instance_ids());
  }
}

}  // namespace resetd::workflow
