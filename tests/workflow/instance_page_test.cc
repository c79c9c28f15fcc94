#include "workflow/instance_page.h"

#include "gtest/gtest.h"

namespace resetd::workflow {
namespace {

using resetd::v1::InstanceResult;
using resetd::v1::ListResetJobInstancesRequest;

ListResetJobInstancesRequest Request(const std::string& job_id) {
  ListResetJobInstancesRequest r;
  r.set_job_id(job_id);
  return r;
}

TEST(InstancePageTest, PageSizeDefaultsAndIsCapped) {
  auto r = Request("j1");
  EXPECT_EQ(PageOf(r)->size, kDefaultInstancePageSize);
  EXPECT_EQ(PageOf(r)->start_index, 0);
  r.set_page_size(7);
  EXPECT_EQ(PageOf(r)->size, 7);
  r.set_page_size(kMaxInstancePageSize + 1);
  EXPECT_EQ(PageOf(r)->size, kMaxInstancePageSize);
}

TEST(InstancePageTest, TokenCarriesTheNextIndexForTheSameRequest) {
  auto r = Request("j1");
  r.add_states(resetd::v1::INSTANCE_STATE_FAILED);
  r.set_page_size(10);
  r.set_page_token(NextPageToken(r, 42));
  // Another page size with the same token: still the same request.
  r.set_page_size(20);
  auto page = PageOf(r);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->start_index, 42);
  EXPECT_EQ(page->size, 20);
}

TEST(InstancePageTest, TokenOfAnotherJobOrFilterIsRefused) {
  auto r = Request("j1");
  const std::string token = NextPageToken(r, 5);
  auto other_job = Request("j2");
  other_job.set_page_token(token);
  EXPECT_EQ(PageOf(other_job).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto other_filter = Request("j1");
  other_filter.add_providers("aliyun");
  other_filter.set_page_token(token);
  EXPECT_EQ(PageOf(other_filter).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (const char* junk : {"12", "!!!", "AAAA"}) {
    auto bad = Request("j1");
    bad.set_page_token(junk);
    EXPECT_EQ(PageOf(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << junk;
  }
}

TEST(InstancePageTest, FiltersCombineAndEmptyPassesAll) {
  InstanceResult failed;
  failed.set_provider("tencent");
  failed.set_state(resetd::v1::INSTANCE_STATE_FAILED);
  failed.mutable_error()->set_code("ResetFailed");
  InstanceResult ok;
  ok.set_provider("aliyun");
  ok.set_state(resetd::v1::INSTANCE_STATE_SUCCEEDED);

  auto all = Request("j1");
  EXPECT_TRUE(Selects(all, failed));
  EXPECT_TRUE(Selects(all, ok));

  auto by_state = Request("j1");
  by_state.add_states(resetd::v1::INSTANCE_STATE_FAILED);
  by_state.add_states(resetd::v1::INSTANCE_STATE_CANCELLED);
  EXPECT_TRUE(Selects(by_state, failed));
  EXPECT_FALSE(Selects(by_state, ok));

  auto by_provider = Request("j1");
  by_provider.add_providers("aliyun");
  EXPECT_FALSE(Selects(by_provider, failed));
  EXPECT_TRUE(Selects(by_provider, ok));

  auto by_code = Request("j1");
  by_code.add_error_codes("ResetFailed");
  EXPECT_TRUE(Selects(by_code, failed));
  EXPECT_FALSE(Selects(by_code, ok)) << "no error, no code";
  by_code.add_providers("aliyun");
  EXPECT_FALSE(Selects(by_code, failed)) << "every filter must pass";
}

TEST(InstancePageTest, AResultIsBuiltOnlyWhenItGoesOnThePage) {
  auto r = Request("j1");
  r.set_page_size(1);
  r.add_states(resetd::v1::INSTANCE_STATE_FAILED);
  auto page = PageOf(r);
  ASSERT_TRUE(page.ok()) << page.status();
  InstancePageBuilder builder(r, *page);
  const std::string provider = "tencent";
  const std::string code = "ResetFailed";
  int built = 0;
  auto build = [&](const std::string& id) {
    return [&built, id] {
      ++built;
      InstanceResult out;
      out.set_instance_id(id);
      return out;
    };
  };
  EXPECT_TRUE(builder.Take(
      0, InstanceFacts{resetd::v1::INSTANCE_STATE_SUCCEEDED, provider, nullptr},
      build("ins-0")));
  EXPECT_EQ(built, 0) << "filtered out: not built";
  EXPECT_TRUE(builder.Take(
      1, InstanceFacts{resetd::v1::INSTANCE_STATE_FAILED, provider, &code},
      build("ins-1")));
  EXPECT_EQ(built, 1);
  EXPECT_FALSE(builder.Take(
      2, InstanceFacts{resetd::v1::INSTANCE_STATE_FAILED, provider, &code},
      build("ins-2")));
  EXPECT_EQ(built, 1) << "the next page's first: only its index is kept";
  auto out = std::move(builder).Finish();
  ASSERT_EQ(out.instances_size(), 1);
  EXPECT_EQ(out.instances(0).instance_id(), "ins-1");
  EXPECT_FALSE(out.next_page_token().empty());
}

}  // namespace
}  // namespace resetd::workflow
