// The Tencent Cloud CVM API 3.0 (version 2017-03-12) as a ProviderApi: the
// shared API 3.0 gateway (fakecloud/tc3_gateway.h) with CVM's service name,
// version, actions (fakecloud/tencent_actions.h) and rates.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/clock.h"
#include "fakecloud/call_log.h"
#include "fakecloud/faults.h"
#include "fakecloud/fleet.h"
#include "fakecloud/provider_api.h"
#include "fakecloud/rate_window.h"
#include "fakecloud/tc3_gateway.h"
#include "fakecloud/tc3_verifier.h"

namespace resetd::fakecloud {

// The documented default rates: DescribeInstances and DescribeInstancesStatus
// 40/s, StopInstances, StartInstances, RebootInstances and
// ResetInstancesPassword 10/s.
std::map<std::string, int> DefaultRates();

// Version -> credential scope service of the Tencent API 3.0 products
// fakecloud serves: 2017-03-12 -> cvm, 2020-03-24 -> lighthouse.
const std::map<std::string, std::string>& TencentVersions();

// Thread-safe; the collaborators must outlive it.
class TencentApi final : public ProviderApi {
 public:
  // With its own FaultInjector built from options.faults and options.seed.
  TencentApi(Fleet& fleet, const Tc3Verifier& verifier, RateWindow& rates,
             CallLog& calls, const Clock& clock, ApiOptions options);
  // Sharing `faults` with the other APIs of a server.
  TencentApi(Fleet& fleet, const Tc3Verifier& verifier, RateWindow& rates,
             CallLog& calls, const Clock& clock, FaultInjector& faults,
             ApiOptions options);

  Provider provider() const override { return Provider::kTencentCvm; }

  // An API 3.0 request (X-TC-* headers) whose credential scope names "cvm",
  // or, without a parsable Authorization, whose X-TC-Version is 2017-03-12
  // or unknown to fakecloud.
  bool Accepts(const ApiRequest& request) const override;

  // Answers one API request (always meant for HTTP 200), records it in the
  // call log and writes one log line. Sleeps for injected latency.
  ApiReply Handle(const ApiRequest& request) override;

  void SetFaults(const FaultOptions& faults) { faults_.Set(faults); }
  FaultOptions faults() const { return faults_.Get(); }

 private:
  std::unique_ptr<FaultInjector> owned_faults_;  // null if shared
  FaultInjector& faults_;
  Tc3Gateway gateway_;
};

}  // namespace resetd::fakecloud
