// In-process HTTP test: a FakeCloudServer on 127.0.0.1:0 and httplib clients.
#include "fakecloud/server.h"

#include <string>

#include "common/crypto.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/fake_clock.h"
#include "tests/fakecloud/test_util.h"

namespace resetd::fakecloud {
namespace {

using nlohmann::json;
using resetd::testing::FakeClock;

FakeCloudConfig Config() {
  FakeCloudConfig config;
  config.threads = 4;
  config.credentials.emplace(testing::kTestSecretId,
                             Secret(testing::kTestSecretKey));
  config.fleet = FleetOptions{{absl::Seconds(1), absl::Seconds(1)},
                              {absl::Seconds(2), absl::Seconds(2)},
                              1};
  InstanceSpec stopped;
  stopped.instance_id = "ins-stopped1";
  stopped.region = "ap-guangzhou";
  stopped.zone = "ap-guangzhou-1";
  stopped.state = "STOPPED";
  InstanceSpec running = stopped;
  running.instance_id = "ins-running1";
  running.state = "RUNNING";
  config.instances = {stopped, running};
  return config;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<FakeCloudServer>(Config(), clock_);
    absl::StatusOr<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_connection_timeout(5);
    client_->set_read_timeout(5);
  }
  void TearDown() override { server_->Stop(); }

  // Sends a signed API call over HTTP; returns the parsed body.
  json Api(const std::string& action, const std::string& body) {
    ApiRequest r = testing::SignedRequest(action, body, clock_.Now());
    httplib::Headers headers;
    for (const auto& [name, value] : r.headers) {
      if (name != "content-type") headers.emplace(name, value);
    }
    auto res = client_->Post("/", headers, body, "application/json");
    EXPECT_TRUE(res);
    if (!res) return json();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("X-TC-TraceId"), "trace-1");
    return json::parse(res->body)["Response"];
  }

  json Admin(const std::string& path) {
    auto res = client_->Get(path.c_str());
    EXPECT_TRUE(res && res->status == 200) << path;
    return res ? json::parse(res->body) : json();
  }

  json AdminPost(const std::string& path, const std::string& body = "{}") {
    auto res = client_->Post(path.c_str(), body, "application/json");
    EXPECT_TRUE(res && res->status == 200) << path;
    return res ? json::parse(res->body) : json();
  }

  FakeClock clock_;
  std::unique_ptr<FakeCloudServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerTest, HealthzAndUnknownPaths) {
  EXPECT_EQ(Admin("/_fake/healthz")["status"], "ok");
  auto res = client_->Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(ServerTest, ApiErrorsAreHttp200) {
  auto res = client_->Post("/", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  json r = json::parse(res->body)["Response"];
  EXPECT_EQ(r["Error"]["Code"], "AuthFailure.InvalidAuthorization");
  EXPECT_TRUE(r["RequestId"].is_string());
}

TEST_F(ServerTest, ResetIsVisibleThroughTheAdminApi) {
  json r = Api("ResetInstancesPassword",
               R"({"InstanceIds":["ins-stopped1"],"Password":"Adm1n-Pass"})");
  ASSERT_FALSE(r.contains("Error")) << r.dump();
  json before = Admin("/_fake/instances");
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0]["instance_id"], "ins-stopped1");
  EXPECT_EQ(before[0]["latest_operation_state"], "OPERATING");
  EXPECT_EQ(before[0]["latest_operation_request_id"], r["RequestId"]);
  EXPECT_EQ(before[0]["password_digest"], "");
  clock_.Advance(absl::Seconds(2));
  json after = Admin("/_fake/instances");
  EXPECT_EQ(after[0]["latest_operation_state"], "SUCCESS");
  EXPECT_EQ(after[0]["password_digest"], Sha256Hex("Adm1n-Pass"));
  EXPECT_EQ(after[0]["os_type"], "LINUX");

  json calls = Admin("/_fake/calls");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["action"], "ResetInstancesPassword");
  EXPECT_EQ(calls[0]["result"], "OK");
  EXPECT_EQ(calls[0]["instance_ids"], json({"ins-stopped1"}));
  EXPECT_EQ(calls[0]["region"], "ap-guangzhou");
  EXPECT_EQ(calls[0]["secret_id"], testing::kTestSecretId);
  EXPECT_TRUE(calls[0]["time"].is_number());
  EXPECT_EQ(calls.dump().find("Adm1n-Pass"), std::string::npos);
  AdminPost("/_fake/reset-calls");
  EXPECT_TRUE(Admin("/_fake/calls").empty());
}

TEST_F(ServerTest, AdminChangesFaultsAndInstances) {
  json faults = AdminPost("/_fake/faults", R"({"error_rate":1})");
  EXPECT_EQ(faults["error_rate"], 1.0);
  std::string code = Api("DescribeInstances", "{}")["Error"]["Code"];
  EXPECT_TRUE(code == "InternalError" || code == "InternalServerError");
  AdminPost("/_fake/faults", R"({"error_rate":0})");

  AdminPost("/_fake/instances/ins-running1", R"({"state":"SHUTDOWN"})");
  EXPECT_EQ(Api("StopInstances",
                R"({"InstanceIds":["ins-running1"]})")["Error"]["Code"],
            "UnsupportedOperation.InstanceStateShutdown");
  auto res = client_->Post("/_fake/instances/ins-aaaaaaaa",
                           R"({"state":"RUNNING"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = client_->Post("/_fake/instances/ins-running1",
                      R"({"state":"DREAMING"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

TEST_F(ServerTest, StopThenStartOverHttp) {
  ASSERT_FALSE(Api("StopInstances", R"({"InstanceIds":["ins-running1"]})")
                   .contains("Error"));
  EXPECT_EQ(Api("DescribeInstancesStatus",
                R"({"InstanceIds":["ins-running1"]})")["InstanceStatusSet"][0]
                                                      ["InstanceState"],
            "STOPPING");
  clock_.Advance(absl::Seconds(1));
  ASSERT_FALSE(Api("StartInstances", R"({"InstanceIds":["ins-running1"]})")
                   .contains("Error"));
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Api("DescribeInstancesStatus",
                R"({"InstanceIds":["ins-running1"]})")["InstanceStatusSet"][0]
                                                      ["InstanceState"],
            "RUNNING");
}

TEST(ServerLifecycleTest, StopIsIdempotentAndImmediateStopWorks) {
  FakeClock clock;
  FakeCloudServer server(Config(), clock);
  ASSERT_TRUE(server.Start().ok());
  server.Stop();
  server.Stop();
}

}  // namespace
}  // namespace resetd::fakecloud
