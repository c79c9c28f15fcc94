// The Alibaba Cloud ECS RPC API (version 2014-05-26) as a ProviderApi:
// routing by x-acs-* headers or an Action parameter, ACS3-HMAC-SHA256 and
// RPC v1 signatures (fakecloud/aliyun_auth.h), version, action, region,
// flow control per (AccessKeyId, region, action), fault injection, the
// actions of fakecloud/aliyun_actions.h, errors as HTTP 4xx/5xx with
// {"RequestId","HostId","Code","Message","Recommend"}, the call log and one
// log line per request. Passwords (which travel in the URL query) never
// reach the log, the call log or an answer.
#pragma once

#include <map>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/secret.h"
#include "fakecloud/aliyun_auth.h"
#include "fakecloud/call_log.h"
#include "fakecloud/faults.h"
#include "fakecloud/fleet.h"
#include "fakecloud/provider_api.h"
#include "fakecloud/rate_window.h"

namespace resetd::fakecloud {

// The credentials fakecloud accepts when ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET
// are unset.
inline constexpr char kDefaultAliyunAccessKeyId[] = "LTAIfakecloudEXAMPLE";
inline constexpr char kDefaultAliyunAccessKeySecret[] =
    "fakecloud-aliyun-secret";

struct AliyunOptions {
  // AccessKeyId -> AccessKeySecret; empty = the default pair above.
  std::map<std::string, Secret> credentials;
  // Requests per second per (AccessKeyId, region, action); <= 0 =
  // unlimited. Actions not listed use AliyunDefaultRates().
  std::map<std::string, int> rates;
  // RegionIds accepted besides Alibaba's public regions and the fleet's.
  std::set<std::string> extra_regions;
  // Accepted distance between x-acs-date (or Timestamp) and now.
  absl::Duration max_skew = absl::Minutes(15);
};

// ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET from the
// environment if both are set, else the default pair above.
std::map<std::string, Secret> AliyunCredentialsFromEnv();

// Thread-safe; the collaborators must outlive it.
class AliyunApi final : public ProviderApi {
 public:
  AliyunApi(Fleet& fleet, RateWindow& rates, CallLog& calls,
            const Clock& clock, FaultInjector& faults, AliyunOptions options);

  Provider provider() const override { return Provider::kAliyunEcs; }

  // A request at "/" with any x-acs-* header, or with an Action parameter in
  // its query or form body (RPC v1, pop-core).
  bool Accepts(const ApiRequest& request) const override;

  // Answers one request: HTTP 200 with the action's JSON, or the error's
  // HTTP status and body. Sleeps for injected latency.
  ApiReply Handle(const ApiRequest& request) override;

  // The rate limit of `action` (requests per second; <= 0 = unlimited).
  int RateFor(const std::string& action) const;

 private:
  struct Call;
  std::optional<AliyunError> CheckGateway(const ApiRequest& request,
                                          Call& call);
  std::optional<AliyunError> CheckRegion(Call& call);
  std::optional<AliyunError> MaybeInjectError();
  void Record(Call& call, const std::optional<AliyunError>& error);

  Fleet& fleet_;
  RateWindow& rates_;
  CallLog& calls_;
  const Clock& clock_;
  FaultInjector& faults_;
  const AliyunVerifier verifier_;
  const std::map<std::string, int> rate_limits_;
  std::set<std::string> regions_;  // const after construction
};

}  // namespace resetd::fakecloud
