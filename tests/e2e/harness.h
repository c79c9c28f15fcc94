// Processes for end-to-end tests: a fakecloud and a resetd on loopback, with
// the admin and gRPC clients the tests talk to them through.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/util/full_job.h"
#include "grpcpp/security/credentials.h"
#include "nlohmann/json.hpp"
#include "resetd/v1/reset_service.grpc.pb.h"
#include "tests/e2e/subprocess.h"

namespace resetd::testing {

// A new private directory under the test temp dir; removed when the test
// program exits if every test passed, kept (with its logs) if one failed.
std::string MakeTempDir(const std::string& prefix);

// fakecloud as a child process, and its admin endpoints.
class FakeCloud {
 public:
  // Starts FAKECLOUD_BIN with `args` (after --listen 127.0.0.1:0).
  FakeCloud(std::vector<std::string> args,
            std::map<std::string, std::string> env, const std::string& dir);
  bool ok() const { return !address_.empty(); }
  const std::string& address() const { return address_; }
  std::string Output() const { return process_.Output(); }

  nlohmann::json Get(const std::string& path);  // null on failure
  bool Post(const std::string& path, const nlohmann::json& body = {});
  // instance_id -> admin record.
  std::map<std::string, nlohmann::json> Instances();
  nlohmann::json Calls() { return Get("/_fake/calls"); }

 private:
  Subprocess process_;
  std::string address_;
};

// resetd as a child process that can be killed and started again on the
// same config (and store).
class Resetd {
 public:
  Resetd(nlohmann::json config, std::map<std::string, std::string> env,
         const std::string& dir);
  // Starts (again); false if it did not come up. stub() talks over
  // `credentials` (default: plaintext).
  bool Start(std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);
  // Sends `signal` and waits for the exit; returns the waitpid status.
  int Stop(int signal);
  bool running() { return process_ && process_->Running(); }
  // Everything every run printed.
  std::string Output() const;
  resetd::v1::PasswordResetService::Stub& stub() { return *stub_; }
  // The bound gRPC address ("127.0.0.1:port") and, when the config has
  // one, the plaintext health listener's ("" otherwise).
  const std::string& grpc_address() const { return grpc_address_; }
  const std::string& health_address() const { return health_address_; }
  std::string Metrics();

 private:
  const std::string dir_;
  const std::string config_path_;
  const std::map<std::string, std::string> env_;
  int runs_ = 0;
  std::unique_ptr<Subprocess> process_;
  std::unique_ptr<resetd::v1::PasswordResetService::Stub> stub_;
  std::string metrics_address_;
  std::string grpc_address_;
  std::string health_address_;
};

// Follows WatchResetJob to the end, then returns the FULL view. Responses
// are appended (serialized and as text) to `seen` when given.
FullJob WatchToEnd(resetd::v1::PasswordResetService::Stub& stub,
                   const std::string& job_id, std::string* seen = nullptr);

// The job's FULL view with every instance (paged through
// ListResetJobInstances), or a job with state UNSPECIFIED if a call failed.
FullJob GetJob(resetd::v1::PasswordResetService::Stub& stub,
               const std::string& job_id);

// The most calls of one action in any one-second window, per action.
std::map<std::string, int> MaxCallsPerSecond(const nlohmann::json& calls);

// resetd's default rate of a provider API action (fakecloud's record names:
// provider "tencent_cvm", action "DescribeInstances"): the provider's
// published rate where it publishes one, else 10 per second.
int DefaultRate(const std::string& provider, const std::string& action);

// Instances that a StopInstances reached twice with no StartInstances in
// between.
std::vector<std::string> StoppedTwiceInARow(const nlohmann::json& calls);

}  // namespace resetd::testing
