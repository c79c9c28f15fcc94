// The Engine's record of who created each job: ResetJob.creator, Owner(),
// request_id idempotency per creator, and List by creator and scope.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/workflow/engine_fixture.h"

namespace resetd::workflow::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(EngineTest, JobRecordsItsCreator) {
  StartEngine();
  auto ids = AddFleet("ins", 1, PowerState::kRunning);
  auto created = engine_->Create(Request("req-1", ids), "spiffe://corp/ops");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->creator(), "spiffe://corp/ops");

  auto job = WaitForEnd(created->job_id());
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->creator(), "spiffe://corp/ops");
  auto owner = engine_->Owner(created->job_id());
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_EQ(owner->creator, "spiffe://corp/ops");
  EXPECT_THAT(owner->targets,
              ElementsAre(ProviderRegion{"tencent", "ap-guangzhou"}));
  EXPECT_EQ(engine_->Owner("rj-unknown").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(EngineTest, SameRequestIdFromAnotherCreatorIsAlreadyExists) {
  StartEngine();
  auto ids = AddFleet("ins", 1, PowerState::kRunning);
  auto first = engine_->Create(Request("req-1", ids), "alice");
  ASSERT_TRUE(first.ok()) << first.status();

  auto other = engine_->Create(Request("req-1", ids), "bob");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(other.status().message()),
              HasSubstr("another caller"));
  EXPECT_THAT(std::string(other.status().message()),
              Not(HasSubstr(first->job_id())));
  auto again = engine_->Create(Request("req-1", ids), "alice");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->job_id(), first->job_id());
  ASSERT_TRUE(WaitForEnd(first->job_id()).ok());
}

TEST_F(EngineTest, ListFiltersByCreatorAndScope) {
  StartEngine();
  auto a = AddFleet("a", 1, PowerState::kRunning);
  auto b = AddFleet("b", 1, PowerState::kRunning);
  auto by_alice = engine_->Create(Request("req-a", a), "alice");
  auto by_bob = engine_->Create(Request("req-b", b), "bob");
  ASSERT_TRUE(by_alice.ok() && by_bob.ok());

  resetd::v1::ListResetJobsRequest req;
  req.set_creator("bob");
  auto bobs = engine_->List(req, std::nullopt);
  ASSERT_TRUE(bobs.ok()) << bobs.status();
  ASSERT_EQ(bobs->jobs_size(), 1);
  EXPECT_EQ(bobs->jobs(0).job_id(), by_bob->job_id());
  EXPECT_EQ(bobs->jobs(0).creator(), "bob");

  req.clear_creator();
  JobScope tencent = std::vector<ScopeGrant>{{{"tencent"}, {}}};
  EXPECT_EQ(engine_->List(req, tencent)->jobs_size(), 2);
  JobScope aliyun = std::vector<ScopeGrant>{{{"aliyun"}, {}}};
  EXPECT_EQ(engine_->List(req, aliyun)->jobs_size(), 0);
  ASSERT_TRUE(WaitForEnd(by_alice->job_id()).ok());
  ASSERT_TRUE(WaitForEnd(by_bob->job_id()).ok());
}

}  // namespace
}  // namespace resetd::workflow::testing
