#include "service/provider_setup.h"

#include <string>

#include "service/config.h"
#include "service/provider_kinds.h"

namespace resetd::service {

absl::StatusOr<workflow::ProviderRegistry> BuildProviderRegistry(
    const resetd::v1::Config& config, const CloudClientFactory& factory) {
  workflow::ProviderRegistry registry;
  for (const auto& p : config.providers()) {
    auto client = factory(p);
    if (!client.ok()) {
      return absl::Status(client.status().code(),
                          "provider " + p.name() + ": " +
                              std::string(client.status().message()));
    }
    workflow::ProviderEntry entry;
    entry.name = p.name();
    entry.account = p.account().empty() ? p.name() : p.account();
    entry.client = *std::move(client);
    entry.rate_per_second = {{"*", kDefaultRatePerSecond}};
    const ProviderKind* kind = FindProviderKind(p.kind());
    for (const auto& limit : p.rate_limits()) {
      // Validation has checked the name; the engine keys limits by its own
      // action names.
      std::string_view action =
          kind ? EngineActionFor(*kind, limit.action()) : std::string_view();
      if (action.empty()) action = limit.action();
      entry.rate_per_second[std::string(action)] = limit.requests_per_second();
    }
    if (p.max_batch() > 0) entry.max_batch = p.max_batch();
    registry.emplace(p.name(), std::move(entry));
  }
  return registry;
}

}  // namespace resetd::service
