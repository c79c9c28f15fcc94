// The API's view of a job stays bounded however many instances it has.
#include "workflow/snapshot.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "gtest/gtest.h"

namespace resetd::workflow {
namespace {

constexpr int kInstances = 100000;  // the most a job may have

// A stored job of kInstances instances: every third one failed, under one
// of 30 codes of different frequencies (more than the view lists).
StoredJob BigJob() {
  StoredJob job;
  job.job_id = "rj-big";
  job.state = resetd::v1::JOB_STATE_PARTIALLY_FAILED;
  auto* target = job.spec.add_targets();
  target->set_provider("tencent");
  target->set_region("ap-guangzhou");
  job.instances.resize(kInstances);
  for (int i = 0; i < kInstances; ++i) {
    const std::string id = "ins-" + std::to_string(10000000 + i);
    target->add_instance_ids(id);
    resetd::v1::InstanceResult* r = job.instances[i].mutable_result();
    r->set_instance_id(id);
    r->set_provider("tencent");
    if (i % 3 != 0) {
      r->set_state(resetd::v1::INSTANCE_STATE_SUCCEEDED);
      continue;
    }
    r->set_state(resetd::v1::INSTANCE_STATE_FAILED);
    // sqrt: 30 codes, code k for 2k+1 of every 900 failures.
    const int k = static_cast<int>(std::sqrt((i / 3) % 900));
    r->mutable_error()->set_code("Code" + std::to_string(k));
  }
  return job;
}

TEST(SnapshotTest, FullViewOfTheLargestJobIsSmallAndSummarisesFailures) {
  const StoredJob job = BigJob();
  const resetd::v1::ResetJob full =
      BuildSnapshot(job, resetd::v1::JOB_VIEW_FULL);
  EXPECT_EQ(full.counts().total(), kInstances);
  const int failed = (kInstances + 2) / 3;
  EXPECT_EQ(full.counts().failed(), failed);
  // Far below gRPC's 4 MB default: no per-instance list, no ids.
  EXPECT_LT(full.ByteSizeLong(), 16u * 1024);
  ASSERT_EQ(full.targets_size(), 1);
  EXPECT_EQ(full.targets(0).instance_ids_size(), 0);
  EXPECT_EQ(full.targets(0).instance_count(), kInstances);

  EXPECT_EQ(full.failures_size(), 20) << "30 codes, the 20 most frequent";
  int listed = 0;
  for (int i = 0; i < full.failures_size(); ++i) {
    const auto& f = full.failures(i);
    EXPECT_EQ(f.provider(), "tencent");
    EXPECT_LE(f.sample_instance_ids_size(), 3);
    EXPECT_GT(f.sample_instance_ids_size(), 0);
    if (i > 0) EXPECT_GE(full.failures(i - 1).count(), f.count());
    listed += f.count();
  }
  EXPECT_LT(listed, failed) << "the other codes are left out";
  // The most frequent code is counted exactly.
  std::map<std::string, int> by_code;
  for (const auto& i : job.instances) {
    if (i.result().state() == resetd::v1::INSTANCE_STATE_FAILED) {
      ++by_code[i.result().error().code()];
    }
  }
  int most = 0;
  for (const auto& [code, n] : by_code) most = std::max(most, n);
  EXPECT_EQ(full.failures(0).count(), most);
  EXPECT_EQ(by_code[full.failures(0).code()], most);
}

TEST(SnapshotTest, BasicViewHasNoTargetsOrFailures) {
  const resetd::v1::ResetJob basic =
      BuildSnapshot(BigJob(), resetd::v1::JOB_VIEW_BASIC);
  EXPECT_EQ(basic.targets_size(), 0);
  EXPECT_EQ(basic.failures_size(), 0);
  EXPECT_EQ(basic.counts().total(), kInstances);
}

}  // namespace
}  // namespace resetd::workflow
