#include "workflow/snapshot.h"

#include "google/protobuf/util/time_util.h"

namespace resetd::workflow {

namespace {
google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}
}  // namespace

bool IsTerminal(resetd::v1::JobState s) {
  return s == resetd::v1::JOB_STATE_SUCCEEDED ||
         s == resetd::v1::JOB_STATE_PARTIALLY_FAILED ||
         s == resetd::v1::JOB_STATE_FAILED ||
         s == resetd::v1::JOB_STATE_CANCELLED;
}

resetd::v1::ResetJob BuildSnapshot(const JobRun& job,
                                   resetd::v1::JobView view) {
  resetd::v1::ResetJob out;
  out.set_job_id(job.job_id);
  out.set_request_id(job.spec.request_id());
  out.set_state(job.state);
  *out.mutable_create_time() = ToTimestamp(job.create_time);
  *out.mutable_update_time() = ToTimestamp(job.update_time);
  out.set_stop_mode(job.spec.stop_mode());
  out.set_power_policy(job.spec.power_policy());
  out.set_max_unavailable(job.spec.max_unavailable());
  out.set_dry_run(job.spec.dry_run());
  out.set_username(job.spec.username());
  auto* c = out.mutable_counts();
  c->set_total(static_cast<int>(job.tasks.size()));
  for (const auto& t : job.tasks) {
    switch (t->result.state()) {
      case resetd::v1::INSTANCE_STATE_SUCCEEDED: c->set_succeeded(c->succeeded() + 1); break;
      case resetd::v1::INSTANCE_STATE_FAILED: c->set_failed(c->failed() + 1); break;
      case resetd::v1::INSTANCE_STATE_CANCELLED: c->set_cancelled(c->cancelled() + 1); break;
      case resetd::v1::INSTANCE_STATE_IN_PROGRESS: c->set_in_progress(c->in_progress() + 1); break;
      default: c->set_pending(c->pending() + 1); break;
    }
  }
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
