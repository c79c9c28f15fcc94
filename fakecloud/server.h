// fakecloud as one object: the fleet, every provider's API behind one router,
// the admin endpoints and an HTTP server with a thread pool. Tests run it
// in-process on port 0.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/secret.h"
#include "fakecloud/aliyun_api.h"
#include "fakecloud/call_log.h"
#include "fakecloud/faults.h"
#include "fakecloud/fleet.h"
#include "fakecloud/huawei_api.h"
#include "fakecloud/provider_api.h"
#include "fakecloud/rate_window.h"
#include "fakecloud/tc3_verifier.h"
#include "fakecloud/tencent_api.h"

namespace httplib {
class Server;
}

namespace resetd::fakecloud {

// The credentials fakecloud accepts when TENCENTCLOUD_SECRET_ID/KEY are unset.
inline constexpr char kDefaultSecretId[] = "AKIDfakecloudEXAMPLE";
inline constexpr char kDefaultSecretKey[] = "fakecloud-secret-key";

struct FakeCloudConfig {
  std::string host = "127.0.0.1";
  int port = 0;                               // 0 = any free port
  int threads = 8;                            // HTTP worker threads
  std::map<std::string, Secret> credentials;  // SecretId -> SecretKey
  absl::Duration max_skew = absl::Seconds(300);
  FleetOptions fleet;
  ApiOptions api;  // CVM's rates, every API's regions, faults and seed
  // Lighthouse's rates per action (its documented defaults for the others).
  std::map<std::string, int> lighthouse_rates;
  AliyunOptions aliyun;  // Alibaba ECS: credentials, rates, skew
  std::vector<InstanceSpec> instances;
  HuaweiOptions huawei;  // Huawei ECS: credentials, project ids, rates
};

// The accepted credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY
// from the environment if both are set, else the default pair above.
std::map<std::string, Secret> CredentialsFromEnv();

// Owns every part. Start() and Stop() are not meant to race each other; the
// served requests are handled concurrently and safely.
class FakeCloudServer {
 public:
  FakeCloudServer(FakeCloudConfig config, const Clock& clock);
  ~FakeCloudServer();  // Stop()s

  // Binds host:port and serves in a background thread. Returns the bound port,
  // or Unavailable if the address cannot be bound.
  absl::StatusOr<int> Start();

  // Stops serving and joins the thread. Idempotent.
  void Stop();

  Fleet& fleet() { return fleet_; }
  CallLog& calls() { return calls_; }
  TencentApi& api() { return *cvm_; }  // the Tencent CVM API
  RateWindow& rates() { return rates_; }
  FaultInjector& faults() { return faults_; }
  const ApiRouter& router() const { return router_; }

 private:
  void RegisterApis(const Clock& clock);
  void RegisterRoutes();

  FakeCloudConfig config_;
  Fleet fleet_;
  Tc3Verifier verifier_;
  RateWindow rates_;
  CallLog calls_;
  FaultInjector faults_;
  ApiRouter router_;
  TencentApi* cvm_ = nullptr;  // owned by router_
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
};

}  // namespace resetd::fakecloud
