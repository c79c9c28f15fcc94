#include "fakecloud/lighthouse_api.h"

#include "fakecloud/lighthouse_actions.h"
#include "fakecloud/tencent_api.h"

namespace resetd::fakecloud {

namespace {

constexpr char kService[] = "lighthouse";

Tc3Product LighthouseProduct() {
  Tc3Product product;
  product.provider = Provider::kTencentLighthouse;
  product.service = kService;
  product.version = "2020-03-24";
  product.actions = LighthouseActions();
  product.default_rates = LighthouseDefaultRates();
  product.translate = &LighthouseError;
  return product;
}

}  // namespace

LighthouseApi::LighthouseApi(Fleet& fleet, const Tc3Verifier& verifier,
                             RateWindow& rates, CallLog& calls,
                             const Clock& clock, FaultInjector& faults,
                             ApiOptions options)
    : gateway_(LighthouseProduct(), fleet, verifier, rates, calls, clock,
               faults, std::move(options)) {}

bool LighthouseApi::Accepts(const ApiRequest& request) const {
  return Tc3ServiceOf(request, TencentVersions()) == kService;
}

ApiReply LighthouseApi::Handle(const ApiRequest& request) {
  return gateway_.Handle(request);
}

}  // namespace resetd::fakecloud
