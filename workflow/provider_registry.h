// The cloud clients the engine may use, by the provider name jobs give.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clients/cloud_client.h"

namespace resetd::workflow {

// One configured provider account.
struct ProviderEntry {
  std::string name;       // as jobs name it, e.g. "tencent"
  std::string account;    // label used in rate-limit keys and metrics
  // The account's identity for instance claims (an instance belongs to at
  // most one active job): entries that reach the same account share it.
  // Empty: the entry's name.
  std::string claim_scope;
  std::shared_ptr<clients::CloudClient> client;
  // Requests per second per engine action (Describe, Stop, Start, Reboot,
  // ResetPassword); "*" is the default for actions not named.
  std::map<std::string, double> rate_per_second = {{"*", 10.0}};
  int max_batch = 100;  // further caps the client's own capabilities
};

// The configured rate of `action` (an engine action name): its own entry,
// else "*", else 10 req/s.
inline double ConfiguredRate(const ProviderEntry& p, const std::string& action) {
  if (auto r = p.rate_per_second.find(action); r != p.rate_per_second.end()) {
    return r->second;
  }
  if (auto r = p.rate_per_second.find("*"); r != p.rate_per_second.end()) {
    return r->second;
  }
  return 10.0;
}

// Provider name -> entry. Built once by the composition root, read-only after.
using ProviderRegistry = std::map<std::string, ProviderEntry>;

}  // namespace resetd::workflow
