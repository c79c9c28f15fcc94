#include "tests/e2e/harness.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"
#include "httplib.h"

namespace resetd::testing {

using nlohmann::json;

namespace {

std::pair<std::string, int> SplitHostPort(const std::string& addr) {
  auto colon = addr.rfind(':');
  return {addr.substr(0, colon), std::stoi(addr.substr(colon + 1))};
}

constexpr absl::Duration kStartTimeout = absl::Seconds(20);

}  // namespace

namespace {

// The directories MakeTempDir made, removed when the test program exits if
// every test passed (a failure is read from the logs they hold).
class TempDirs {
 public:
  void Add(std::string dir) {
    std::lock_guard<std::mutex> lock(mu_);
    dirs_.push_back(std::move(dir));
  }
  ~TempDirs() {
    if (!::testing::UnitTest::GetInstance()->Passed()) return;
    for (const auto& dir : dirs_) {
      std::error_code ignored;  // best effort: never fail a passed run
      std::filesystem::remove_all(dir, ignored);
    }
  }

 private:
  std::mutex mu_;
  std::vector<std::string> dirs_;
};

}  // namespace

std::string MakeTempDir(const std::string& prefix) {
  static TempDirs made;
  std::string tmpl = ::testing::TempDir() + prefix + "-XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  if (dir == nullptr) return "/tmp";
  made.Add(dir);
  return dir;
}

FakeCloud::FakeCloud(std::vector<std::string> args,
                     std::map<std::string, std::string> env,
                     const std::string& dir)
    : process_(
          [&] {
            std::vector<std::string> argv = {FAKECLOUD_BIN, "--listen",
                                             "127.0.0.1:0"};
            argv.insert(argv.end(), args.begin(), args.end());
            return argv;
          }(),
          std::move(env), dir + "/fakecloud.log") {
  address_ = process_.WaitForLine("listening on ([0-9.:]+)", kStartTimeout)
                 .value_or("");
}

json FakeCloud::Get(const std::string& path) {
  auto [host, port] = SplitHostPort(address_);
  httplib::Client client(host, port);
  auto res = client.Get(path.c_str());
  if (!res || res->status != 200) return json();
  return json::parse(res->body, nullptr, false);
}

bool FakeCloud::Post(const std::string& path, const json& body) {
  auto [host, port] = SplitHostPort(address_);
  httplib::Client client(host, port);
  auto res = client.Post(path.c_str(), body.dump(), "application/json");
  return res && res->status == 200;
}

std::map<std::string, json> FakeCloud::Instances() {
  std::map<std::string, json> out;
  for (const auto& i : Get("/_fake/instances")) {
    out[i["instance_id"].get<std::string>()] = i;
  }
  return out;
}

Resetd::Resetd(json config, std::map<std::string, std::string> env,
               const std::string& dir)
    : dir_(dir), config_path_(dir + "/resetd.json"), env_(std::move(env)) {
  std::ofstream(config_path_) << config.dump(2);
}

bool Resetd::Start(std::shared_ptr<grpc::ChannelCredentials> credentials) {
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{RESETD_BIN, "--config", config_path_}, env_,
      dir_ + "/resetd." + std::to_string(runs_++) + ".log");
  auto grpc_addr =
      process_->WaitForLine("grpc listening on ([0-9.:]+)", kStartTimeout);
  auto metrics_addr =
      process_->WaitForLine("metrics listening on ([0-9.:]+)", kStartTimeout);
  if (!grpc_addr || !metrics_addr) return false;
  metrics_address_ = *metrics_addr;
  grpc_address_ = *grpc_addr;
  if (process_->Output().find("grpc health listening on") !=
      std::string::npos) {
    health_address_ =
        process_
            ->WaitForLine("grpc health listening on ([0-9.:]+)", kStartTimeout)
            .value_or("");
  }
  stub_ = resetd::v1::PasswordResetService::NewStub(grpc::CreateChannel(
      *grpc_addr,
      credentials ? credentials : grpc::InsecureChannelCredentials()));
  return true;
}

int Resetd::Stop(int signal) {
  return process_ ? process_->Stop(signal, absl::Seconds(60)) : -1;
}

std::string Resetd::Output() const {
  std::string out;
  for (int i = 0; i < runs_; ++i) {
    out += ReadFile(dir_ + "/resetd." + std::to_string(i) + ".log");
  }
  return out;
}

std::string Resetd::Metrics() {
  auto [host, port] = SplitHostPort(metrics_address_);
  httplib::Client client(host, port);
  auto res = client.Get("/metrics");
  return res ? res->body : "";
}

FullJob GetJob(resetd::v1::PasswordResetService::Stub& stub,
               const std::string& job_id) {
  auto deadline = [] {
    return std::chrono::system_clock::now() + std::chrono::seconds(10);
  };
  grpc::ClientContext ctx;
  ctx.set_deadline(deadline());
  resetd::v1::GetResetJobRequest get;
  get.set_job_id(job_id);
  get.set_view(resetd::v1::JOB_VIEW_FULL);
  resetd::v1::ResetJob job;
  if (!stub.GetResetJob(&ctx, get, &job).ok()) return FullJob();
  bool ok = false;
  auto instances = AllPages(
      job_id, 1000,
      [&](const auto& request, auto& page) {
        grpc::ClientContext page_ctx;
        page_ctx.set_deadline(deadline());
        return stub.ListResetJobInstances(&page_ctx, request, &page).ok();
      },
      &ok);
  if (!ok) return FullJob();
  return FullJob(std::move(job), std::move(instances));
}

FullJob WatchToEnd(resetd::v1::PasswordResetService::Stub& stub,
                   const std::string& job_id, std::string* seen) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(3));
  resetd::v1::WatchResetJobRequest watch;
  watch.set_job_id(job_id);
  auto reader = stub.WatchResetJob(&ctx, watch);
  resetd::v1::ResetJobEvent event;
  while (reader->Read(&event)) {
    if (seen) *seen += event.SerializeAsString() + event.DebugString();
  }
  reader->Finish();
  FullJob job = GetJob(stub, job_id);
  if (seen) {
    *seen += job.job().SerializeAsString() + job.job().DebugString();
    for (const auto& i : job.instances()) {
      *seen += i.SerializeAsString() + i.DebugString();
    }
  }
  return job;
}

int DefaultRate(const std::string& provider, const std::string& action) {
  if (provider == "tencent_cvm" && action == "DescribeInstances") return 40;
  if (provider == "tencent_lighthouse" && action == "DescribeInstances") {
    return 100;
  }
  if (provider == "tencent_lighthouse" && action == "ResetInstancesPassword") {
    return 20;
  }
  return 10;
}

std::map<std::string, int> MaxCallsPerSecond(const json& calls) {
  std::map<std::string, std::vector<double>> times;
  for (const auto& c : calls) {
    times[c["action"].get<std::string>()].push_back(c["time"].get<double>() /
                                                    1000.0);
  }
  std::map<std::string, int> out;
  for (auto& [action, ts] : times) {
    std::sort(ts.begin(), ts.end());
    int best = 0;
    for (size_t i = 0, j = 0; i < ts.size(); ++i) {
      while (j < ts.size() && ts[j] < ts[i] + 1.0) ++j;
      best = std::max(best, static_cast<int>(j - i));
    }
    out[action] = best;
  }
  return out;
}

std::vector<std::string> StoppedTwiceInARow(const json& calls) {
  std::map<std::string, std::string> last;
  std::vector<std::string> out;
  for (const auto& c : calls) {
    const std::string action = c["action"];
    if (action != "StopInstances" && action != "StartInstances") continue;
    if (c["result"] != "OK") continue;
    for (const auto& id : c["instance_ids"]) {
      if (action == "StopInstances" && last[id] == "StopInstances") {
        out.push_back(id);
      }
      last[id] = action;
    }
  }
  return out;
}

}  // namespace resetd::testing
