#include "fakecloud/provider_api.h"

namespace resetd::fakecloud {

void ApiRouter::Add(std::unique_ptr<ProviderApi> api) {
  apis_.push_back(std::move(api));
}

ProviderApi* ApiRouter::Route(const ApiRequest& request) const {
  for (const auto& api : apis_) {
    if (api->Accepts(request)) return api.get();
  }
  return request.path == "/" ? fallback_ : nullptr;
}

std::vector<ProviderApi*> ApiRouter::apis() const {
  std::vector<ProviderApi*> out;
  for (const auto& api : apis_) out.push_back(api.get());
  return out;
}

}  // namespace resetd::fakecloud
