// The API 3.0 instance client behind MakePacedTransport: every HTTP request
// it sends, the Describe fallback's re-calls included, passes the gate of
// the call (so the engine's token bucket and metrics see each one). Runs for
// CVM and Lighthouse.
#include <set>
#include <string>
#include <vector>

#include "clients/http/attempt_gate.h"
#include "clients/http/paced_transport.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/clients/http/counting_gate.h"
#include "tests/clients/tencent/api3_test_harness.h"

namespace resetd::clients::testing {
namespace {

using http::CountingGate;
using http::HttpRequest;
using http::HttpResponse;
using http::ScopedAttemptGate;

class Api3PacedTest : public ::testing::TestWithParam<const Api3TestProduct*>,
                      public Api3Harness {
 protected:
  Api3PacedTest() : Api3Harness(*GetParam()) {}

  // The product's client over the paced scripted transport.
  std::unique_ptr<CloudClient> PacedClient() {
    return product_.make(Options(), http::MakePacedTransport(transport_));
  }

  // DescribeInstances over `known`: any unknown id fails the whole call
  // with the product's "not found" error, naming no id (so the client
  // bisects).
  void AnswerFrom(std::set<std::string> known) {
    transport_->SetHandler(
        [this, known](const HttpRequest& r) -> absl::StatusOr<HttpResponse> {
          const nlohmann::json body = nlohmann::json::parse(r.body);
          std::vector<nlohmann::json> found;
          for (const auto& j : body["InstanceIds"]) {
            if (!known.count(j.get<std::string>())) {
              return ErrorResponse(product_.not_found_unnamed, "not found");
            }
            found.push_back(Instance(j.get<std::string>(), "RUNNING"));
          }
          return InstanceSet(found);
        });
  }
};

TEST_P(Api3PacedTest, EveryRequestOfTheBisectingFallbackPassesTheGate) {
  const std::vector<std::string> ids = Ids(16);
  AnswerFrom({ids.begin(), ids.end() - 1});  // the last one is unknown
  CountingGate gate;
  ScopedAttemptGate scope(&gate);
  auto result = PacedClient()->Describe(kApi3Region, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->back().state, PowerState::kNotFound);
  EXPECT_GT(transport_->request_count(), 1u);
  EXPECT_EQ(static_cast<size_t>(gate.attempts()), transport_->request_count());
}

TEST_P(Api3PacedTest, TheNamedIdFallbackReCallPassesTheGate) {
  const std::vector<std::string> ids = Ids(3);
  transport_->Push(
      ErrorResponse(product_.not_found_named, NotFoundMessage(ids[1])));
  transport_->Push(
      InstanceSet({Instance(ids[0], "RUNNING"), Instance(ids[2], "STOPPED")}));
  CountingGate gate;
  ScopedAttemptGate scope(&gate);
  auto result = PacedClient()->Describe(kApi3Region, ids);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(transport_->request_count(), 2u);
  EXPECT_EQ(gate.attempts(), 2);
}

TEST_P(Api3PacedTest, AnActionIsOneAttempt) {
  transport_->Push(Accepted());
  CountingGate gate;
  ScopedAttemptGate scope(&gate);
  ASSERT_TRUE(PacedClient()->Start(kApi3Region, Ids(2)).ok());
  EXPECT_EQ(transport_->request_count(), 1u);
  EXPECT_EQ(gate.attempts(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Products, Api3PacedTest, ::testing::Values(&TencentCvm(), &Lighthouse()),
    [](const ::testing::TestParamInfo<const Api3TestProduct*>& info) {
      return std::string(info.param->name);
    });

}  // namespace
}  // namespace resetd::clients::testing
