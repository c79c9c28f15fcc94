// The Huawei ECS front of fakecloud on a fake clock: SDK-HMAC-SHA256
// verification, routing, every API's effects, jobs, the next-boot reset
// without a password check, error shapes with X-Request-Id; and an
// end-to-end run of our own Huawei client over curl against an in-process
// fakecloud on port 0.
#include "fakecloud/huawei_api.h"

#include <string>
#include <thread>
#include <vector>

#include "clients/http/curl_transport.h"
#include "clients/huawei/huawei_ecs_client.h"
#include "clients/huawei/sdk_signer.h"
#include "clients/provider_error.h"
#include "common/crypto.h"
#include "fakecloud/huawei_auth.h"
#include "fakecloud/server.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/fakes/fake_clock.h"

namespace resetd::fakecloud {
namespace {

using nlohmann::json;
using resetd::testing::FakeClock;
namespace hw = ::resetd::clients::huawei;

constexpr char kAk[] = "HWTESTAK0123456789";
constexpr char kSk[] = "hw-test-secret-key";
constexpr char kRegion[] = "ap-southeast-1";
constexpr char kProject[] = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
constexpr char kHost[] = "127.0.0.1:8443";

std::string Id(int i) {
  char id[40];
  std::snprintf(id, sizeof id, "1b5b3c43-3d8a-4c5e-9a39-5f3c0e6ba%03d", i);
  return id;
}

std::vector<InstanceSpec> TestFleet() {
  std::vector<InstanceSpec> specs;
  for (int i = 0; i < 4; ++i) {
    InstanceSpec s;
    s.provider = Provider::kHuaweiEcs;
    s.instance_id = Id(i);
    s.region = kRegion;
    s.zone = "ap-southeast-1a";
    s.state = i % 2 == 0 ? "RUNNING" : "STOPPED";
    specs.push_back(s);
  }
  specs[3].state = "LAUNCH_FAILED";
  InstanceSpec cvm;
  cvm.instance_id = "ins-cvm00001";
  cvm.region = kRegion;
  specs.push_back(cvm);
  return specs;
}

HuaweiOptions Options() {
  HuaweiOptions o;
  o.credentials.emplace(kAk, Secret(kSk));
  o.project_ids[kRegion] = kProject;
  return o;
}

// Splits "a=1&b=x%2Cy" for the signer (values decoded, as the SDK signs).
hw::SdkPairs QueryPairs(const std::string& raw) { return DecodeQuery(raw); }

// A request signed as the SDK signs it, at `at`.
ApiRequest Signed(const std::string& method, const std::string& path,
                  const std::string& query, const std::string& body,
                  absl::Time at, const std::string& sk = kSk,
                  const std::string& project = kProject) {
  ApiRequest r;
  r.method = method;
  r.path = path;
  r.query = query;
  r.body = body;
  r.headers = {{"content-type", "application/json"},
               {"host", kHost},
               {"x-project-id", project},
               {"x-sdk-date", hw::SdkDate(at)},
               {"user-agent", "huaweicloud-usdk-nodejs/3.0"}};
  hw::SdkRequest s{method,
                   path,
                   QueryPairs(query),
                   {{"content-type", "application/json"},
                    {"host", kHost},
                    {"x-project-id", project},
                    {"x-sdk-date", hw::SdkDate(at)}},
                   r.body};
  r.headers["authorization"] = hw::SdkAuthorization(kAk, sk, s);
  return r;
}

std::string V1(const std::string& rest, const std::string& project = kProject) {
  return "/v1/" + project + rest;
}

class HuaweiApiTest : public ::testing::Test {
 protected:
  HuaweiApiTest()
      : fleet_(clock_,
               FleetOptions{{absl::Seconds(2), absl::Seconds(2)},
                            {absl::Seconds(1), absl::Seconds(1)},
                            1},
               TestFleet()),
        rates_(clock_),
        faults_(FaultOptions{}, 1),
        api_(fleet_, rates_, calls_, clock_, faults_, Options()) {}

  ApiReply Send(const ApiRequest& r) {
    EXPECT_TRUE(api_.Accepts(r));
    ApiReply reply = api_.Handle(r);
    EXPECT_EQ(reply.headers["X-Request-Id"].size(), 32u);
    return reply;
  }
  ApiReply Call(const std::string& method, const std::string& path,
                const std::string& query = "", const json& body = nullptr) {
    return Send(Signed(method, path, query, body.is_null() ? "" : body.dump(),
                       clock_.Now()));
  }
  static json Body(const ApiReply& r) { return json::parse(r.body); }
  static std::string ErrorCode(const ApiReply& r) {
    json b = Body(r);
    return b.contains("error") ? b["error"]["code"].get<std::string>()
                               : b.value("error_code", "");
  }
  json Server(const std::string& id) {
    ApiReply r = Call("GET", V1("/cloudservers/" + id));
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["server"];
  }
  InstanceView Admin(const std::string& id) {
    for (const InstanceView& v : fleet_.Snapshot()) {
      if (v.spec.instance_id == id) return v;
    }
    ADD_FAILURE() << id;
    return {};
  }
  std::string Action(const std::string& key, std::vector<std::string> ids,
                     const std::string& type = "") {
    json servers = json::array();
    for (const auto& id : ids) servers.push_back({{"id", id}});
    json option = {{"servers", servers}};
    if (!type.empty()) option["type"] = type;
    ApiReply r = Call("POST", V1("/cloudservers/action"), "", {{key, option}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r).value("job_id", "");
  }
  json Job(const std::string& job_id) {
    ApiReply r = Call("GET", V1("/jobs/" + job_id));
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }
  static json ResetBody(const std::string& password) {
    return {{"reset-password",
             {{"new_password", password}, {"is_check_password", true}}}};
  }

  FakeClock clock_;
  Fleet fleet_;
  RateWindow rates_;
  CallLog calls_;
  FaultInjector faults_;
  HuaweiApi api_;
};

TEST_F(HuaweiApiTest, RoutesOnlyItsPaths) {
  ApiRequest r;
  r.path = "/v1/x/cloudservers/detail";
  EXPECT_TRUE(api_.Accepts(r));
  r.path = "/v2.1/x/servers/y/os-reset-password";
  EXPECT_TRUE(api_.Accepts(r));
  r.path = "/";
  EXPECT_FALSE(api_.Accepts(r));
  EXPECT_EQ(RouteHuawei("GET", "/v1/p/cloudservers/detail")->api,
            "ListServersDetails");
  EXPECT_EQ(RouteHuawei("PUT", "/v1/p/cloudservers/os-reset-passwords")->api,
            "BatchResetServersPassword");
  EXPECT_EQ(RouteHuawei("GET", "/v1/p/jobs/j")->job_id, "j");
  EXPECT_FALSE(RouteHuawei("DELETE", "/v1/p/cloudservers/x"));
}

TEST_F(HuaweiApiTest, AcceptsTheSignatureAndRejectsBadOnes) {
  const std::string path = V1("/cloudservers/detail");
  const std::string query = "limit=100&server_id=" + Id(0) + "%2C" + Id(1);
  EXPECT_EQ(Send(Signed("GET", path, query, "", clock_.Now())).status, 200);

  ApiReply wrong = Send(Signed("GET", path, query, "", clock_.Now(), "bad"));
  EXPECT_EQ(wrong.status, 401);
  json body = Body(wrong);
  EXPECT_EQ(body["error_code"], "APIGW.0301");
  EXPECT_EQ(body["request_id"], wrong.headers["X-Request-Id"]);
  EXPECT_NE(body["error_msg"].get<std::string>().find("verify aksk"),
            std::string::npos);

  ApiReply stale =
      Send(Signed("GET", path, query, "", clock_.Now() - absl::Minutes(16)));
  EXPECT_EQ(stale.status, 401);
  EXPECT_NE(stale.body.find("expired"), std::string::npos);

  ApiRequest tampered = Signed("GET", path, query, "", clock_.Now());
  tampered.query = "limit=99&server_id=" + Id(0);
  EXPECT_EQ(Send(tampered).status, 401);

  ApiRequest host = Signed("GET", path, query, "", clock_.Now());
  host.headers["host"] = "127.0.0.1:9999";  // the port is signed
  EXPECT_EQ(Send(host).status, 401);

  ApiRequest unsigned_request = Signed("GET", path, query, "", clock_.Now());
  unsigned_request.headers.erase("authorization");
  EXPECT_EQ(ErrorCode(Send(unsigned_request)), "APIGW.0301");
}

TEST_F(HuaweiApiTest, ListsOnlyItsServersWithHuaweiStates) {
  ApiReply r = Call("GET", V1("/cloudservers/detail"),
                    "limit=100&server_id=" + Id(0) + "%2C" + Id(1) +
                        "%2Cins-cvm00001%2C" + Id(99));
  ASSERT_EQ(r.status, 200);
  json b = Body(r);
  EXPECT_EQ(b["count"], 2);
  ASSERT_EQ(b["servers"].size(), 2u);
  EXPECT_EQ(b["servers"][0]["id"], Id(0));
  EXPECT_EQ(b["servers"][0]["status"], "ACTIVE");
  EXPECT_EQ(b["servers"][0]["OS-EXT-STS:power_state"], 1);
  EXPECT_TRUE(b["servers"][0]["OS-EXT-STS:task_state"].is_null());
  EXPECT_EQ(b["servers"][0]["metadata"]["os_type"], "Linux");
  EXPECT_EQ(b["servers"][1]["status"], "SHUTOFF");
  EXPECT_EQ(Server(Id(3))["status"], "ERROR");

  json all = Body(Call("GET", V1("/cloudservers/detail"), "limit=1&offset=2"));
  EXPECT_EQ(all["count"], 4);
  ASSERT_EQ(all["servers"].size(), 1u);
  EXPECT_EQ(all["servers"][0]["id"], Id(1));
  json shutoff =
      Body(Call("GET", V1("/cloudservers/detail"), "status=SHUTOFF"));
  EXPECT_EQ(shutoff["count"], 1);

  ApiReply missing = Call("GET", V1("/cloudservers/" + Id(99)));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "Ecs.0614");
  ApiReply cvm = Call("GET", V1("/cloudservers/ins-cvm00001"));
  EXPECT_EQ(cvm.status, 400);
  EXPECT_EQ(ErrorCode(cvm), "Ecs.0114");
  EXPECT_EQ(Call("GET", V1("/cloudservers/detail"), "limit=1001").status, 400);
}

TEST_F(HuaweiApiTest, StopIsAJobAndShowsPoweringOff) {
  const std::string job = Action("os-stop", {Id(0)}, "SOFT");
  ASSERT_EQ(job.size(), 32u);
  json s = Server(Id(0));
  EXPECT_EQ(s["status"], "ACTIVE");
  EXPECT_EQ(s["OS-EXT-STS:task_state"], "powering-off");
  json j = Job(job);
  EXPECT_EQ(j["status"], "RUNNING");
  EXPECT_EQ(j["job_type"], "batchStopServers");
  EXPECT_EQ(j["entities"]["sub_jobs_total"], 1);
  EXPECT_EQ(j["entities"]["sub_jobs"][0]["entities"]["server_id"], Id(0));
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Server(Id(0))["status"], "SHUTOFF");
  j = Job(job);
  EXPECT_EQ(j["status"], "SUCCESS");
  EXPECT_NE(j["end_time"], "");

  const std::string start = Action("os-start", {Id(0), Id(1)});
  EXPECT_EQ(Server(Id(1))["OS-EXT-STS:task_state"], "powering-on");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Job(start)["status"], "SUCCESS");
  EXPECT_EQ(Server(Id(1))["status"], "ACTIVE");

  Action("reboot", {Id(0)}, "HARD");
  EXPECT_EQ(Server(Id(0))["status"], "HARD_REBOOT");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Server(Id(0))["status"], "ACTIVE");
  EXPECT_EQ(Call("GET", V1("/jobs/ffffffffffffffffffffffffffffffff")).status,
            404);
}

TEST_F(HuaweiApiTest, ActionErrors) {
  auto post = [&](const json& body) {
    return Call("POST", V1("/cloudservers/action"), "", body);
  };
  ApiReply running = post({{"os-start", {{"servers", {{{"id", Id(0)}}}}}}});
  EXPECT_EQ(running.status, 409);
  EXPECT_EQ(ErrorCode(running), "Ecs.0100");
  EXPECT_NE(running.body.find(Id(0) + " (ACTIVE)"), std::string::npos);
  ApiReply no_type = post({{"reboot", {{"servers", {{{"id", Id(0)}}}}}}});
  EXPECT_EQ(ErrorCode(no_type), "Ecs.0005");
  EXPECT_EQ(ErrorCode(post({{"os-pause", json::object()}})), "Ecs.0005");
  ApiReply unknown = post({{"os-stop", {{"servers", {{{"id", Id(98)}}}}}}});
  EXPECT_EQ(unknown.status, 404);
  json many = json::array();
  for (int i = 0; i < 1001; ++i) many.push_back({{"id", Id(0)}});
  EXPECT_EQ(ErrorCode(post({{"os-stop", {{"servers", many}}}})), "Ecs.0118");
  ApiRequest bad =
      Signed("POST", V1("/cloudservers/action"), "", "{oops", clock_.Now());
  EXPECT_EQ(ErrorCode(Send(bad)), "Ecs.0005");
}

TEST_F(HuaweiApiTest, ResetAppliesOnlyAtTheNextBootWithoutAnyCheck) {
  // "x" would fail every rule: Huawei checks nothing and reports nothing.
  ApiReply r = Call("PUT", V1("/cloudservers/" + Id(0) + "/os-reset-password"),
                    "", ResetBody("x"));
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  InstanceView v = Admin(Id(0));
  EXPECT_EQ(v.password_digest, "");
  EXPECT_EQ(v.staged_password_digest, Sha256Hex("x"));
  EXPECT_EQ(v.state, "RUNNING");

  // A stop does not apply it; the start does.
  Action("os-stop", {Id(0)});
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Admin(Id(0)).password_digest, "");
  Action("os-start", {Id(0)});
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Admin(Id(0)).password_digest, Sha256Hex("x"));
  EXPECT_EQ(Admin(Id(0)).staged_password_digest, "");

  // Reset then reboot at once (the recipe): no operation is in the way.
  EXPECT_EQ(Call("PUT", V1("/cloudservers/" + Id(0) + "/os-reset-password"), "",
                 ResetBody("Second-Passw0rd"))
                .status,
            204);
  const std::string reboot = Action("reboot", {Id(0)}, "SOFT");
  EXPECT_EQ(Server(Id(0))["status"], "REBOOT");
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(Job(reboot)["status"], "SUCCESS");
  EXPECT_EQ(Admin(Id(0)).password_digest, Sha256Hex("Second-Passw0rd"));

  // A stopped server takes it and stays SHUTOFF.
  EXPECT_EQ(Call("PUT",
                 "/v2.1/" + std::string(kProject) + "/servers/" + Id(1) +
                     "/os-reset-password",
                 "", ResetBody("Third-Passw0rd"))
                .status,
            204);
  EXPECT_EQ(Admin(Id(1)).state, "STOPPED");
  EXPECT_EQ(Admin(Id(1)).staged_password_digest, Sha256Hex("Third-Passw0rd"));

  ApiReply broken =
      Call("PUT", V1("/cloudservers/" + Id(3) + "/os-reset-password"), "",
           ResetBody("x"));
  EXPECT_EQ(broken.status, 409);
  ApiReply no_password =
      Call("PUT", V1("/cloudservers/" + Id(0) + "/os-reset-password"), "",
           {{"reset-password", json::object()}});
  EXPECT_EQ(ErrorCode(no_password), "Ecs.0005");
}

TEST_F(HuaweiApiTest, BatchResetAndDryRun) {
  json body = {{"new_password", "Batch-Passw0rd"},
               {"servers", {{{"id", Id(0)}}, {{"id", Id(1)}}}}};
  json dry = body;
  dry["dry_run"] = true;
  ApiReply checked =
      Call("PUT", V1("/cloudservers/os-reset-passwords"), "", dry);
  EXPECT_EQ(checked.status, 204);
  EXPECT_EQ(Admin(Id(0)).staged_password_digest, "");
  ApiReply r = Call("PUT", V1("/cloudservers/os-reset-passwords"), "", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r), json::parse(R"({"response":[{"id":")" + Id(0) +
                                 R"("},{"id":")" + Id(1) + R"("}]})"));
  EXPECT_EQ(Admin(Id(1)).staged_password_digest, Sha256Hex("Batch-Passw0rd"));
}

TEST_F(HuaweiApiTest, NoPasswordReachesTheCallLog) {
  Call("PUT", V1("/cloudservers/" + Id(0) + "/os-reset-password"), "",
       ResetBody("Secret-Passw0rd"));
  Send(Signed("PUT", V1("/cloudservers/" + Id(0) + "/os-reset-password"), "",
              ResetBody("Secret-Passw0rd").dump(), clock_.Now(), "bad"));
  Call("PUT", V1("/cloudservers/os-reset-passwords"), "",
       {{"new_password", "Secret-Passw0rd"}, {"servers", {{{"id", Id(1)}}}}});
  const std::vector<CallRecord> calls = calls_.Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].action, "ResetServerPassword");
  EXPECT_EQ(calls[0].region, kRegion);
  EXPECT_EQ(calls[0].secret_id, kAk);
  EXPECT_EQ(calls[1].result, "APIGW.0301");
  EXPECT_EQ(calls[2].instance_ids, std::vector<std::string>{Id(1)});
  EXPECT_EQ(calls_.ToJson().dump().find("Secret-Passw0rd"), std::string::npos);
}

TEST_F(HuaweiApiTest, ProjectPathAndGatewayErrors) {
  const std::string other = "ffffffffffffffffffffffffffffffff";
  ApiReply wrong = Send(Signed("GET", V1("/cloudservers/detail", other), "", "",
                               clock_.Now(), kSk, other));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(ErrorCode(wrong), "Ecs.0023");
  ApiRequest mismatch =
      Signed("GET", V1("/cloudservers/detail", other), "", "", clock_.Now());
  EXPECT_EQ(ErrorCode(Send(mismatch)), "Ecs.0023");
  ApiReply none = Call("GET", V1("/cloudservers/a/b/c"));
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(ErrorCode(none), "APIGW.0101");
}

TEST_F(HuaweiApiTest, RateLimitPerAkProjectAndApi) {
  HuaweiOptions o = Options();
  o.rates["ShowServer"] = 2;
  HuaweiApi api(fleet_, rates_, calls_, clock_, faults_, o);
  auto show = [&] {
    return api.Handle(
        Signed("GET", V1("/cloudservers/" + Id(0)), "", "", clock_.Now()));
  };
  EXPECT_EQ(show().status, 200);
  EXPECT_EQ(show().status, 200);
  ApiReply throttled = show();
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(Body(throttled)["error_code"], "APIGW.0308");
  // Another API has its own window.
  EXPECT_EQ(api.Handle(Signed("GET", V1("/cloudservers/detail"), "", "",
                              clock_.Now()))
                .status,
            200);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(show().status, 200);
  EXPECT_EQ(api.RateFor("ListServersDetails"), 10);
}

TEST_F(HuaweiApiTest, DerivedProjectIds) {
  EXPECT_EQ(HuaweiProjectId("cn-north-4"), HuaweiProjectId("cn-north-4"));
  EXPECT_EQ(HuaweiProjectId("cn-north-4").size(), 32u);
  EXPECT_NE(HuaweiProjectId("cn-north-4"), HuaweiProjectId("cn-north-1"));
  HuaweiApi derived(fleet_, rates_, calls_, clock_, faults_, HuaweiOptions{});
  EXPECT_EQ(derived.projects().at(kRegion), HuaweiProjectId(kRegion));
}

// Our client, over curl, against fakecloud on port 0 (real clock).
TEST(HuaweiEndToEnd, OurClientDrivesTheFake) {
  FakeCloudConfig config;
  config.fleet.transition = {absl::Milliseconds(50), absl::Milliseconds(50)};
  config.fleet.reset = {absl::Milliseconds(50), absl::Milliseconds(50)};
  config.instances = TestFleet();
  config.huawei = Options();
  FakeCloudServer server(std::move(config), RealClock());
  absl::StatusOr<int> port = server.Start();
  ASSERT_TRUE(port.ok());

  hw::HuaweiEcsOptions options;
  options.endpoint = "127.0.0.1:" + std::to_string(*port);
  options.scheme = "http";
  options.project_ids[kRegion] = kProject;
  options.ak = kAk;
  options.sk = Secret(kSk);
  std::unique_ptr<clients::CloudClient> client =
      hw::MakeHuaweiEcsClient(options, clients::http::MakeCurlTransport());

  auto states = client->Describe(kRegion, {Id(0), Id(1), Id(99)});
  ASSERT_TRUE(states.ok()) << states.status();
  ASSERT_EQ(states->size(), 3u);
  EXPECT_EQ((*states)[0].state, clients::PowerState::kRunning);
  EXPECT_EQ((*states)[1].state, clients::PowerState::kStopped);
  EXPECT_EQ((*states)[2].state, clients::PowerState::kNotFound);

  clients::ResetPasswordParams params;
  params.password = Secret("E2e-Passw0rd!");
  auto reset = client->ResetPassword(kRegion, {Id(0)}, params);
  ASSERT_TRUE(reset.ok()) << reset.status();
  EXPECT_EQ(reset->request_id.size(), 32u);
  auto reboot = client->Reboot(kRegion, {Id(0)}, clients::StopMode::kSoft);
  ASSERT_TRUE(reboot.ok()) << reboot.status();
  EXPECT_EQ(reboot->request_id.rfind("job:", 0), 0u);
  bool running = false;
  for (int i = 0; i < 100 && !running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto now = client->Describe(kRegion, {Id(0)});
    ASSERT_TRUE(now.ok());
    running = (*now)[0].state == clients::PowerState::kRunning;
  }
  EXPECT_TRUE(running);
  InstanceView v;
  for (const InstanceView& x : server.fleet().Snapshot())
    if (x.spec.instance_id == Id(0)) v = x;
  EXPECT_EQ(v.password_digest, Sha256Hex("E2e-Passw0rd!"));

  // A provider error keeps its code and the X-Request-Id.
  auto start = client->Start(kRegion, {Id(0)});
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.status().code(), absl::StatusCode::kFailedPrecondition);
  std::optional<clients::ProviderError> e =
      clients::GetProviderError(start.status());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "Ecs.0100");
  EXPECT_EQ(e->http_status, 409);
  EXPECT_EQ(e->request_id.size(), 32u);

  // A wrong SK: APIGW.0301, unauthenticated.
  options.sk = Secret("wrong");
  auto bad =
      hw::MakeHuaweiEcsClient(options, clients::http::MakeCurlTransport())
          ->Describe(kRegion, {Id(0)});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(clients::GetProviderError(bad.status())->code, "APIGW.0301");
  server.Stop();
}

}  // namespace
}  // namespace resetd::fakecloud
