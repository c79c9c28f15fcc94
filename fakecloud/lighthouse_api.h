// The Tencent Cloud Lighthouse API 3.0 (version 2020-03-24) as a
// ProviderApi: the shared API 3.0 gateway (fakecloud/tc3_gateway.h) with
// Lighthouse's service name, version, actions (fakecloud/lighthouse_actions.h),
// rates and error words.
#pragma once

#include "common/clock.h"
#include "fakecloud/call_log.h"
#include "fakecloud/faults.h"
#include "fakecloud/fleet.h"
#include "fakecloud/provider_api.h"
#include "fakecloud/rate_window.h"
#include "fakecloud/tc3_gateway.h"
#include "fakecloud/tc3_verifier.h"

namespace resetd::fakecloud {

// Thread-safe; the collaborators must outlive it.
class LighthouseApi final : public ProviderApi {
 public:
  // `options.faults` and `options.seed` are not used: `faults` is shared.
  LighthouseApi(Fleet& fleet, const Tc3Verifier& verifier, RateWindow& rates,
                CallLog& calls, const Clock& clock, FaultInjector& faults,
                ApiOptions options);

  Provider provider() const override { return Provider::kTencentLighthouse; }

  // An API 3.0 request (X-TC-* headers) whose credential scope names
  // "lighthouse", or, without a parsable Authorization, whose X-TC-Version
  // is 2020-03-24.
  bool Accepts(const ApiRequest& request) const override;

  // Answers one API request (always meant for HTTP 200).
  ApiReply Handle(const ApiRequest& request) override;

 private:
  Tc3Gateway gateway_;
};

}  // namespace resetd::fakecloud
