// Turns the config's providers into the engine's ProviderRegistry. The
// concrete clients come from a factory, so only main.cc names them.
#pragma once

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "clients/cloud_client.h"
#include "resetd/v1/config.pb.h"
#include "workflow/provider_registry.h"

namespace resetd::service {

// Builds the client of one configured (defaulted, validated) provider.
using CloudClientFactory =
    std::function<absl::StatusOr<std::shared_ptr<clients::CloudClient>>(
        const resetd::v1::ProviderConfig&)>;

// One entry per provider: name, account, the factory's client, max_batch,
// and rates: "*" = 10 req/s unless configured, then each configured action.
// Fails with the factory's error, prefixed with the provider's name.
absl::StatusOr<workflow::ProviderRegistry> BuildProviderRegistry(
    const resetd::v1::Config& config, const CloudClientFactory& factory);

}  // namespace resetd::service
