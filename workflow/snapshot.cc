#include "workflow/snapshot.h"

#include "google/protobuf/util/time_util.h"

namespace resetd::workflow {

namespace {
google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}
}  // namespace

namespace {

template <typename Job>
resetd::v1::ResetJob Header(const Job& job) {
  resetd::v1::ResetJob out;
  out.set_job_id(job.job_id);
  out.set_request_id(job.spec.request_id());
  out.set_creator(job.creator);
  out.set_state(job.state);
  *out.mutable_create_time() = ToTimestamp(job.create_time);
  *out.mutable_update_time() = ToTimestamp(job.update_time);
  out.set_stop_mode(job.spec.stop_mode());
  out.set_power_policy(job.spec.power_policy());
  out.set_max_unavailable(job.spec.max_unavailable());
  out.set_dry_run(job.spec.dry_run());
  out.set_username(job.spec.username());
  out.set_password_kind(job.spec.password_kind());
  out.set_on_conflict(job.spec.on_conflict() == resetd::v1::ON_CONFLICT_UNSPECIFIED
                          ? resetd::v1::ON_CONFLICT_REJECT
                          : job.spec.on_conflict());
  return out;
}

void Count(resetd::v1::InstanceState state, resetd::v1::InstanceCounts* c) {
  c->set_total(c->total() + 1);
  switch (state) {
    case resetd::v1::INSTANCE_STATE_SUCCEEDED: c->set_succeeded(c->succeeded() + 1); break;
    case resetd::v1::INSTANCE_STATE_FAILED: c->set_failed(c->failed() + 1); break;
    case resetd::v1::INSTANCE_STATE_CANCELLED: c->set_cancelled(c->cancelled() + 1); break;
    case resetd::v1::INSTANCE_STATE_IN_PROGRESS: c->set_in_progress(c->in_progress() + 1); break;
    default: c->set_pending(c->pending() + 1); break;
  }
}

}  // namespace

resetd::v1::ResetJob BuildSnapshot(const StoredJob& job,
                                   resetd::v1::JobView view) {
  resetd::v1::ResetJob out = Header(job);
  auto* c = out.mutable_counts();
  for (const auto& i : job.instances) Count(i.result().state(), c);
  if (view == resetd::v1::JOB_VIEW_BASIC) return out;
  *out.mutable_targets() = job.spec.targets();
  for (const auto& i : job.instances) *out.add_instances() = i.result();
  return out;
}

resetd::v1::ResetJob BuildSnapshot(const JobRun& job,
                                   resetd::v1::JobView view) {
  resetd::v1::ResetJob out = Header(job);
  auto* c = out.mutable_counts();
  for (const auto& t : job.tasks) Count(t->result.state(), c);
  if (view == resetd::v1::JOB_VIEW_BASIC) return out;
  *out.mutable_targets() = job.spec.targets();
  for (const auto& t : job.tasks) *out.add_instances() = t->result;
  return out;
}

void AppendChanged(const JobRun& job, uint64_t after_version,
                   resetd::v1::ResetJobEvent* event) {
  for (const auto& t : job.tasks) {
    if (t->version > after_version) *event->add_changed() = t->result;
  }
}

}  // namespace resetd::workflow
