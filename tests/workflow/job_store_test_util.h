// Builders shared by the job store tests.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "workflow/job_store.h"

namespace resetd::workflow::testing {

inline absl::Time T(int seconds) {
  return absl::FromUnixSeconds(1700000000) + absl::Seconds(seconds);
}

inline resetd::v1::StoredInstance MakeInstance(const std::string& job_id,
                                               int index) {
  resetd::v1::StoredInstance i;
  i.set_job_id(job_id);
  i.set_index(index);
  i.set_instance_id("ins-" + std::to_string(100000 + index));
  i.set_provider("tencent");
  i.set_region("ap-guangzhou");
  i.set_original_power_state(resetd::v1::POWER_STATE_RUNNING);
  i.mutable_result()->set_instance_id(i.instance_id());
  i.mutable_result()->set_phase("pending");
  return i;
}

// A queued job with `instances` instances, created at T(created).
inline StoredJob MakeJob(const std::string& job_id, int created,
                         int instances = 2,
                         const std::string& password = "Pa55w0rd-of-") {
  StoredJob job;
  job.job_id = job_id;
  job.request_id = "req-" + job_id;
  job.fingerprint = "fp\x01\x02" + job_id;
  job.creator = "creator-of-" + job_id;
  job.spec.set_request_id(job.request_id);
  job.spec.set_username("root");
  auto* target = job.spec.add_targets();
  target->set_provider("tencent");
  target->set_region("ap-guangzhou");
  for (int i = 0; i < instances; ++i) {
    target->add_instance_ids("ins-" + std::to_string(100000 + i));
    job.instances.push_back(MakeInstance(job_id, i));
  }
  job.password = Secret(password.empty() ? "" : password + job_id);
  job.create_time = T(created);
  job.update_time = T(created);
  return job;
}

inline StepRecord MakeStep(const std::string& job_id,
                           const std::string& batch_id,
                           const std::string& action, int at) {
  StepRecord step;
  step.job_id = job_id;
  step.batch_id = batch_id;
  step.action = action;
  step.instance_ids = {"ins-100000", "ins-100001"};
  step.time = T(at);
  return step;
}

}  // namespace resetd::workflow::testing
