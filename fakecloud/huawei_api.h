// Huawei Cloud ECS (v1 `cloudservers`, jobs, and the v2.1 reset) as a
// ProviderApi: requests under /v1/ and /v2.1/, SDK-HMAC-SHA256 signatures
// (fakecloud/huawei_auth.h), one project id per region, rate limits per
// (AK, project, API), injected faults, Huawei's error shapes with an
// X-Request-Id header on every answer, and the call log. The APIs
// themselves are in fakecloud/huawei_actions.h. See fakecloud/README.md.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/secret.h"
#include "fakecloud/call_log.h"
#include "fakecloud/faults.h"
#include "fakecloud/fleet.h"
#include "fakecloud/huawei_actions.h"
#include "fakecloud/provider_api.h"
#include "fakecloud/rate_window.h"

namespace resetd::fakecloud {

// The pair accepted when HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK are unset.
inline constexpr char kDefaultHuaweiAk[] = "HWFAKECLOUDEXAMPLEAK0";
inline constexpr char kDefaultHuaweiSk[] = "fakecloud-huawei-secret-key";

struct HuaweiOptions {
  // AK -> SK. Empty: HuaweiCredentialsFromEnv().
  std::map<std::string, Secret> credentials;
  // Region -> project id; any other region of the fleet gets
  // HuaweiProjectId(region).
  std::map<std::string, std::string> project_ids;
  // Requests per second per (AK, project, API); <= 0 = unlimited. APIs not
  // listed use HuaweiDefaultRates().
  std::map<std::string, int> rates;
  // Accepted distance between X-Sdk-Date and now (API Gateway: 15 minutes).
  absl::Duration max_skew = absl::Minutes(15);
};

// HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK from the environment if both are
// set, else kDefaultHuaweiAk / kDefaultHuaweiSk.
std::map<std::string, Secret> HuaweiCredentialsFromEnv();

// The project id fakecloud derives for `region`: the first 32 hex digits of
// SHA-256("fakecloud-huawei-project/" + region). Deterministic.
std::string HuaweiProjectId(const std::string& region);

// Thread-safe; the collaborators must outlive it.
class HuaweiApi final : public ProviderApi {
 public:
  HuaweiApi(Fleet& fleet, RateWindow& rates, CallLog& calls, const Clock& clock,
            FaultInjector& faults, HuaweiOptions options);

  Provider provider() const override { return Provider::kHuaweiEcs; }

  // Paths under /v1/ or /v2.1/, and GET /_fake/huawei/projects (this API's
  // admin answer: {"<region>":"<project id>"}).
  bool Accepts(const ApiRequest& request) const override;

  // Answers one request with Huawei's status codes and shapes; every answer
  // carries X-Request-Id. Records API calls in the call log (never a
  // password) and sleeps for injected latency.
  ApiReply Handle(const ApiRequest& request) override;

  // Region -> project id of every project this API serves.
  const std::map<std::string, std::string>& projects() const {
    return projects_;
  }

  // The rate limit of `api` (requests per second; <= 0 = unlimited).
  int RateFor(const std::string& api) const;

 private:
  struct Outcome;
  Outcome Process(const ApiRequest& request, CallRecord& record);
  std::optional<Outcome> CheckGateway(const ApiRequest& request,
                                      const HuaweiRoute& route,
                                      CallRecord& record);

  Fleet& fleet_;
  RateWindow& rates_;
  CallLog& calls_;
  const Clock& clock_;
  FaultInjector& faults_;
  const std::map<std::string, Secret> credentials_;
  const std::map<std::string, int> rate_limits_;
  const absl::Duration max_skew_;
  std::map<std::string, std::string> projects_;  // region -> id; const after
  HuaweiJobs jobs_;
};

}  // namespace resetd::fakecloud
