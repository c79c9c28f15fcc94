// The Tencent Cloud API 3.0 gateway that CVM and Lighthouse (and any other
// Tencent product) share: routing by X-TC-* headers and credential scope,
// TC3 signature, version, action, region, rate limit, fault injection, the
// {"Response":{...}} envelope, the call log and the request log line. A
// product supplies only what differs: its service name, version, actions,
// default rates and how it words the fleet's errors.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/clock.h"
#include "fakecloud/action_params.h"
#include "fakecloud/call_log.h"
#include "fakecloud/faults.h"
#include "fakecloud/fleet.h"
#include "fakecloud/provider_api.h"
#include "fakecloud/rate_window.h"
#include "fakecloud/tc3_verifier.h"

namespace resetd::fakecloud {

// What one API 3.0 product is.
struct Tc3Product {
  Provider provider = Provider::kTencentCvm;
  std::string service;  // credential scope service, e.g. "cvm"
  std::string version;  // X-TC-Version, e.g. "2017-03-12"
  std::map<std::string, ActionFn> actions;
  std::map<std::string, int> default_rates;  // per action; others 10/s
  // Rewords an error an action returned (the fleet's canonical codes) in the
  // product's own codes; nullptr = as is.
  ApiError (*translate)(ApiError error) = nullptr;
};

struct ApiOptions {
  // Requests per second per (SecretId, region, action); <= 0 = unlimited.
  // Actions not listed use the product's default rates.
  std::map<std::string, int> rates;
  // Regions accepted besides Tencent's public regions.
  std::set<std::string> extra_regions;
  FaultOptions faults;  // used only by an API that owns its FaultInjector
  uint64_t seed = 1;    // seeds fault draws (idem)
};

// The credential scope service an API 3.0 request is addressed to: the one
// its TC3 Authorization names, else the one whose version X-TC-Version names
// (`versions` maps version -> service), else "". nullopt if the request has
// no X-TC-* header at all (it is not an API 3.0 request).
std::optional<std::string> Tc3ServiceOf(
    const ApiRequest& request,
    const std::map<std::string, std::string>& versions);

// Thread-safe; the collaborators must outlive it.
class Tc3Gateway {
 public:
  Tc3Gateway(Tc3Product product, Fleet& fleet, const Tc3Verifier& verifier,
             RateWindow& rates, CallLog& calls, const Clock& clock,
             FaultInjector& faults, ApiOptions options);

  const Tc3Product& product() const { return product_; }

  // Answers one API request (always meant for HTTP 200), records it in the
  // call log and writes one log line. Sleeps for injected latency.
  ApiReply Handle(const ApiRequest& request);

  // The rate limit of `action` (requests per second; <= 0 = unlimited).
  int RateFor(const std::string& action) const;

 private:
  struct Outcome;
  Outcome Process(const ApiRequest& request, CallRecord& record);
  std::optional<ApiError> CheckGateway(const ApiRequest& request,
                                       CallRecord& record);
  std::optional<ApiError> MaybeInjectError();

  const Tc3Product product_;
  Fleet& fleet_;
  const Tc3Verifier& verifier_;
  RateWindow& rates_;
  CallLog& calls_;
  const Clock& clock_;
  FaultInjector& faults_;
  const std::map<std::string, int> rate_limits_;
  const std::set<std::string> extra_regions_;
};

// A fresh random (version 4) UUID, the form of Tencent RequestIds.
std::string NewRequestId();

// Whether `region` is a public Tencent CVM region (ap-guangzhou, ...).
bool IsPublicRegion(const std::string& region);

}  // namespace resetd::fakecloud
