#include "workflow/instrumented_job_store.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "tests/fakes/failing_job_store.h"
#include "tests/workflow/job_store_test_util.h"

namespace resetd::workflow {
namespace {

using resetd::testing::FailingJobStore;
using testing::MakeJob;
using testing::T;

class InstrumentedJobStoreTest : public ::testing::Test {
 protected:
  std::string Metrics() {
    return prometheus::TextSerializer().Serialize(registry_.Collect());
  }
  bool Has(const std::string& line) {
    return Metrics().find(line + "\n") != std::string::npos;
  }

  prometheus::Registry registry_;
  WorkflowMetrics metrics_{registry_};
  FailingJobStore base_{NewInMemoryJobStore()};
  std::unique_ptr<JobStore> store_ = NewInstrumentedJobStore(base_, metrics_);
};

TEST_F(InstrumentedJobStoreTest, EveryOperationIsExportedBeforeItsFirstWrite) {
  for (const char* op : {"insert_job", "write", "update_job", "take_claims"}) {
    const std::string labels = std::string("{operation=\"") + op + "\"}";
    EXPECT_TRUE(Has("resetd_store_write_failures_total" + labels + " 0")) << op;
    EXPECT_TRUE(Has("resetd_store_write_duration_seconds_count" + labels + " 0"))
        << op;
  }
}

TEST_F(InstrumentedJobStoreTest, WritesAreTimedAndFailuresCounted) {
  ASSERT_TRUE(store_->InsertJob(MakeJob("j1", 0)).ok());
  ASSERT_TRUE(store_->Write({}, {}).ok());
  base_.set_fail_writes(true);
  EXPECT_EQ(store_->Write({}, {}).code(), absl::StatusCode::kInternal);
  base_.set_fail_writes(false);
  ASSERT_TRUE(store_
                  ->UpdateJob("j1", resetd::v1::JOB_STATE_SUCCEEDED, false,
                              T(1), true)
                  .ok());
  EXPECT_TRUE(Has(
      "resetd_store_write_duration_seconds_count{operation=\"insert_job\"} 1"));
  EXPECT_TRUE(
      Has("resetd_store_write_duration_seconds_count{operation=\"write\"} 2"));
  EXPECT_TRUE(Has("resetd_store_write_failures_total{operation=\"write\"} 1"));
  EXPECT_TRUE(
      Has("resetd_store_write_failures_total{operation=\"update_job\"} 0"));
  // Reads pass through, untimed.
  auto job = store_->GetJob("j1", false);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, resetd::v1::JOB_STATE_SUCCEEDED);
}

}  // namespace
}  // namespace resetd::workflow
