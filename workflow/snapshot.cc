#include "workflow/snapshot.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

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
  out.set_on_conflict(job.spec.on_conflict() ==
                              resetd::v1::ON_CONFLICT_UNSPECIFIED
                          ? resetd::v1::ON_CONFLICT_REJECT
                          : job.spec.on_conflict());
  return out;
}

void Count(resetd::v1::InstanceState state, resetd::v1::InstanceCounts* c) {
  c->set_total(c->total() + 1);
  switch (state) {
    case resetd::v1::INSTANCE_STATE_SUCCEEDED:
      c->set_succeeded(c->succeeded() + 1);
      break;
    case resetd::v1::INSTANCE_STATE_FAILED:
      c->set_failed(c->failed() + 1);
      break;
    case resetd::v1::INSTANCE_STATE_CANCELLED:
      c->set_cancelled(c->cancelled() + 1);
      break;
    case resetd::v1::INSTANCE_STATE_IN_PROGRESS:
      c->set_in_progress(c->in_progress() + 1);
      break;
    default:
      c->set_pending(c->pending() + 1);
      break;
  }
}

// Failed instances by (provider, code), for the FULL view's failures.
class FailureTally {
 public:
  void Add(const resetd::v1::InstanceResult& r) {
    if (r.state() != resetd::v1::INSTANCE_STATE_FAILED) return;
    const std::string& code =
        r.error().code().empty() ? kNoCode : r.error().code();
    resetd::v1::FailureCount& f = by_code_[{r.provider(), code}];
    f.set_count(f.count() + 1);
    if (f.sample_instance_ids_size() < kMaxSamples) {
      f.add_sample_instance_ids(r.instance_id());
    }
  }

  // The most frequent first (then by provider and code), at most
  // kMaxFailureCodes.
  void AppendTo(resetd::v1::ResetJob& out) {
    std::vector<resetd::v1::FailureCount> all;
    for (auto& [key, f] : by_code_) {
      f.set_provider(key.first);
      f.set_code(key.second);
      all.push_back(std::move(f));
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a.count() > b.count();
    });
    if (all.size() > kMaxFailureCodes) all.resize(kMaxFailureCodes);
    for (auto& f : all) *out.add_failures() = std::move(f);
  }

 private:
  static constexpr int kMaxSamples = 3;
  static constexpr size_t kMaxFailureCodes = 20;
  static constexpr const char* kNoCode = "Unknown";
  std::map<std::pair<std::string, std::string>, resetd::v1::FailureCount>
      by_code_;
};

// The request's targets without their instance ids, with their counts (a
// running job's spec has only the counts: DropInstanceIds).
void SummariseTargets(const resetd::v1::CreateResetJobRequest& spec,
                      resetd::v1::ResetJob& out) {
  for (const auto& t : spec.targets()) {
    resetd::v1::Target* summary = out.add_targets();
    summary->set_provider(t.provider());
    summary->set_region(t.region());
    summary->set_os_type(t.os_type());
    summary->set_instance_count(t.instance_ids().empty()
                                    ? t.instance_count()
                                    : t.instance_ids_size());
  }
}

}  // namespace

resetd::v1::ResetJob BuildSnapshot(const StoredJob& job,
                                   resetd::v1::JobView view) {
  resetd::v1::ResetJob out = Header(job);
  auto* c = out.mutable_counts();
  for (const auto& i : job.instances) Count(i.result().state(), c);
  if (view == resetd::v1::JOB_VIEW_BASIC) return out;
  SummariseTargets(job.spec, out);
  FailureTally failures;
  for (const auto& i : job.instances) failures.Add(i.result());
  failures.AppendTo(out);
  return out;
}

resetd::v1::ResetJob BuildSnapshot(const JobRun& job,
                                   resetd::v1::JobView view) {
  resetd::v1::ResetJob out = Header(job);
  auto* c = out.mutable_counts();
  for (const auto& t : job.tasks) Count(t->state, c);
  if (view == resetd::v1::JOB_VIEW_BASIC) return out;
  SummariseTargets(job.spec, out);
  FailureTally failures;
  for (const auto& t : job.tasks) {
    if (t->state == resetd::v1::INSTANCE_STATE_FAILED) {
      failures.Add(ResultOf(*t));
    }
  }
  failures.AppendTo(out);
  return out;
}

void AppendChanged(const JobRun& job, uint64_t after_version,
                   resetd::v1::ResetJobEvent* event) {
  for (const auto& t : job.tasks) {
    if (t->version > after_version) *event->add_changed() = ResultOf(*t);
  }
}

}  // namespace resetd::workflow
