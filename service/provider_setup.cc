#include "service/provider_setup.h"

#include <algorithm>

#include <string>

#include "clients/credential_source.h"
#include "common/crypto.h"
#include "service/config.h"
#include "service/provider_kinds.h"

namespace resetd::service {
namespace {

// The account's identity for instance claims: the cloud and a digest of the
// API key's public id, so that two provider entries with the same key (CVM
// and Lighthouse, or two names for one account) claim the same instances.
// Without a readable key id, the configured account label.
std::string ClaimScope(const resetd::v1::ProviderConfig& p,
                       const std::string& account) {
  const ProviderKind* kind = FindProviderKind(p.kind());
  if (kind == nullptr) return "account:" + account;
  auto key_id = clients::LoadCredential(
      "secret id", p.credentials().secret_id_file(),
      p.credentials().secret_id_env(), std::string(kind->secret_id_env).c_str());
  if (!key_id.ok()) return std::string(kind->cloud) + ":account:" + account;
  return std::string(kind->cloud) + ":key:" + Sha256Hex(*key_id).substr(0, 16);
}

}  // namespace

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
    entry.claim_scope = ClaimScope(p, entry.account);
    entry.rate_per_second = {{"*", kDefaultRatePerSecond}};
    const ProviderKind* kind = FindProviderKind(p.kind());
    // The provider's published rates, unless the config sets "*": that
    // lowers (or raises) every action it does not name, published or not.
    const bool config_sets_all =
        std::any_of(p.rate_limits().begin(), p.rate_limits().end(),
                    [](const auto& l) { return l.action() == "*"; });
    for (int i = 0; kind != nullptr && !config_sets_all &&
                    i < kind->published_rate_count;
         ++i) {
      const PublishedRate& r = kind->published_rates[i];
      entry.rate_per_second[std::string(r.engine)] = r.per_second;
    }
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
