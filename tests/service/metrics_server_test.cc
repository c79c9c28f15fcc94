#include "service/metrics_server.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "prometheus/counter.h"
#include "service/service_metrics.h"

namespace resetd::service {
namespace {

using ::testing::HasSubstr;

TEST(MetricsServerTest, ServesRegistryOnPortZero) {
  auto registry = std::make_shared<prometheus::Registry>();
  ServiceMetrics metrics(*registry);
  metrics.Record(RpcMethod::kCancelResetJob, grpc::StatusCode::ABORTED,
                 absl::Milliseconds(3));
  auto server = MetricsServer::Start("127.0.0.1:0", registry);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  EXPECT_EQ((*server)->address(),
            "127.0.0.1:" + std::to_string((*server)->port()));
  httplib::Client client("127.0.0.1", (*server)->port());
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_THAT(response->body,
              HasSubstr("resetd_grpc_requests_total{code=\"ABORTED\","
                        "method=\"CancelResetJob\"} 1"));
  // A second server cannot take the same port.
  auto clash = MetricsServer::Start(
      "127.0.0.1:" + std::to_string((*server)->port()), registry);
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kUnavailable);
}

TEST(MetricsServerTest, WithPortReplacesPort) {
  EXPECT_EQ(WithPort("0.0.0.0:0", 9464), "0.0.0.0:9464");
  EXPECT_EQ(WithPort("[::]:0", 81), "[::]:81");
  EXPECT_EQ(WithPort("localhost", 81), "localhost:81");
}

}  // namespace
}  // namespace resetd::service
