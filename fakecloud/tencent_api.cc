#include "fakecloud/tencent_api.h"

#include "fakecloud/tencent_actions.h"

namespace resetd::fakecloud {

namespace {

constexpr char kService[] = "cvm";
constexpr char kVersion[] = "2017-03-12";

// The fleet already speaks CVM; only Lighthouse's own states need CVM's
// words in a state error.
ApiError CvmError(ApiError error) {
  for (const auto& [id, state] : error.subjects) {
    if (!state.empty() && CvmState(state) != state &&
        error.code == UnsupportedStateCode(state)) {
      error.code = UnsupportedStateCode(CvmState(state));
    }
  }
  return error;
}

Tc3Product CvmProduct() {
  Tc3Product product;
  product.provider = Provider::kTencentCvm;
  product.service = kService;
  product.version = kVersion;
  for (const std::string& name : ActionNames()) {
    product.actions[name] = FindAction(name);
  }
  product.default_rates = DefaultRates();
  product.translate = &CvmError;
  return product;
}

}  // namespace

std::map<std::string, int> DefaultRates() {
  return {{"DescribeInstances", 40}, {"DescribeInstancesStatus", 40},
          {"StopInstances", 10},     {"StartInstances", 10},
          {"RebootInstances", 10},   {"ResetInstancesPassword", 10}};
}

const std::map<std::string, std::string>& TencentVersions() {
  static const auto* versions = new std::map<std::string, std::string>{
      {"2017-03-12", "cvm"}, {"2020-03-24", "lighthouse"}};
  return *versions;
}

TencentApi::TencentApi(Fleet& fleet, const Tc3Verifier& verifier,
                       RateWindow& rates, CallLog& calls, const Clock& clock,
                       ApiOptions options)
    : owned_faults_(
          std::make_unique<FaultInjector>(options.faults, options.seed)),
      faults_(*owned_faults_),
      gateway_(CvmProduct(), fleet, verifier, rates, calls, clock, faults_,
               std::move(options)) {}

TencentApi::TencentApi(Fleet& fleet, const Tc3Verifier& verifier,
                       RateWindow& rates, CallLog& calls, const Clock& clock,
                       FaultInjector& faults, ApiOptions options)
    : faults_(faults),
      gateway_(CvmProduct(), fleet, verifier, rates, calls, clock, faults_,
               std::move(options)) {}

bool TencentApi::Accepts(const ApiRequest& request) const {
  std::optional<std::string> service = Tc3ServiceOf(request, TencentVersions());
  return service.has_value() && (*service == kService || service->empty());
}

ApiReply TencentApi::Handle(const ApiRequest& request) {
  return gateway_.Handle(request);
}

}  // namespace resetd::fakecloud
