#include "fakecloud/server.h"

#include <chrono>
#include <cstdlib>

#include "fakecloud/admin.h"
#include "fakecloud/huawei_api.h"
#include "fakecloud/lighthouse_api.h"
#include "fakecloud/text.h"
#include "httplib.h"

namespace resetd::fakecloud {

namespace {

ApiRequest ToApiRequest(const httplib::Request& req) {
  ApiRequest r;
  r.method = req.method;
  r.path = req.path;
  size_t q = req.target.find('?');
  r.query = q == std::string::npos ? "" : req.target.substr(q + 1);
  r.body = req.body;
  for (const auto& [name, value] : req.headers) r.headers[Lower(name)] = value;
  return r;
}

void Serve(const ApiRouter& router, const httplib::Request& req,
           httplib::Response& res) {
  ApiRequest request = ToApiRequest(req);
  ProviderApi* api = router.Route(request);
  if (api == nullptr) {
    res.status = 404;
    return;
  }
  ApiReply reply = api->Handle(request);
  for (const auto& [name, value] : reply.headers) res.set_header(name, value);
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
}

}  // namespace

std::map<std::string, Secret> CredentialsFromEnv() {
  const char* id = std::getenv("TENCENTCLOUD_SECRET_ID");
  const char* key = std::getenv("TENCENTCLOUD_SECRET_KEY");
  std::map<std::string, Secret> credentials;
  if (id != nullptr && key != nullptr && *id != '\0' && *key != '\0') {
    credentials.emplace(id, Secret(key));
  } else {
    credentials.emplace(kDefaultSecretId, Secret(kDefaultSecretKey));
  }
  return credentials;
}

FakeCloudServer::FakeCloudServer(FakeCloudConfig config, const Clock& clock)
    : config_(std::move(config)),
      fleet_(clock, config_.fleet, config_.instances),
      verifier_(config_.credentials, clock, config_.max_skew),
      rates_(clock),
      faults_(config_.api.faults, config_.api.seed),
      http_(std::make_unique<httplib::Server>()) {
  RegisterApis(clock);
  RegisterRoutes();
}

// One API per provider whose API layer exists; the CVM API also answers
// requests at "/" that no API recognises, as fakecloud always did.
void FakeCloudServer::RegisterApis(const Clock& clock) {
  auto cvm = std::make_unique<TencentApi>(fleet_, verifier_, rates_, calls_,
                                          clock, faults_, config_.api);
  cvm_ = cvm.get();
  ApiOptions lighthouse{config_.lighthouse_rates, config_.api.extra_regions};
  router_.Add(std::make_unique<LighthouseApi>(fleet_, verifier_, rates_, calls_,
                                              clock, faults_, lighthouse));
  router_.Add(std::make_unique<HuaweiApi>(fleet_, rates_, calls_, clock,
                                          faults_, config_.huawei));
  router_.Add(std::move(cvm));
  router_.Add(std::make_unique<AliyunApi>(fleet_, rates_, calls_, clock, faults_, config_.aliyun));
  router_.SetFallback(cvm_);
}

FakeCloudServer::~FakeCloudServer() { Stop(); }

void FakeCloudServer::RegisterRoutes() {
  const int threads = config_.threads > 0 ? config_.threads : 1;
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  http_->set_payload_max_length(8 << 20);
  // Idle keep-alive connections hold a worker; a short timeout lets Stop()
  // return quickly instead of after httplib's default 5 s.
  http_->set_keep_alive_timeout(1);
  RegisterAdminRoutes(*http_,
                      AdminTargets{&fleet_, &calls_, &rates_, &faults_});
  // After the admin routes, which therefore win: every other path goes to
  // the router (Huawei's APIs live under /v1/ and /v2.1/).
  auto api = [this](const httplib::Request& req, httplib::Response& res) {
    Serve(router_, req, res);
  };
  for (auto add : {&httplib::Server::Get, &httplib::Server::Post,
                   &httplib::Server::Put, &httplib::Server::Delete}) {
    (http_.get()->*add)(R"(/.*)", api);
  }
}

absl::StatusOr<int> FakeCloudServer::Start() {
  int port =
      config_.port == 0
          ? http_->bind_to_any_port(config_.host)
          : (http_->bind_to_port(config_.host, config_.port) ? config_.port
                                                             : -1);
  if (port <= 0) {
    return absl::UnavailableError("cannot bind " + config_.host + ":" +
                                  std::to_string(config_.port));
  }
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() is a no-op until the loop runs; wait for it so Stop() cannot hang.
  for (int i = 0; i < 5000 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

void FakeCloudServer::Stop() {
  if (!thread_.joinable()) return;
  http_->stop();
  thread_.join();
}

}  // namespace resetd::fakecloud
