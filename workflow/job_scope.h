// Where a job reaches (its targets' providers and regions) and the scopes
// that limit which jobs a caller may see: shared by the job stores' List
// filter and by authorization (service/authz.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "resetd/v1/reset_service.pb.h"

namespace resetd::workflow {

// One (provider, region) a job targets.
struct ProviderRegion {
  std::string provider;
  std::string region;
  bool operator==(const ProviderRegion& o) const {
    return provider == o.provider && region == o.region;
  }
  bool operator<(const ProviderRegion& o) const {
    return provider < o.provider ||
           (provider == o.provider && region < o.region);
  }
};

// The distinct (provider, region) pairs of `request`'s targets, sorted.
std::vector<ProviderRegion> TargetsOf(
    const resetd::v1::CreateResetJobRequest& request);

// A part of a scope: these providers (empty = any) in these regions
// (empty = any).
struct ScopeGrant {
  std::vector<std::string> providers;
  std::vector<std::string> regions;
  bool operator==(const ScopeGrant& o) const {
    return providers == o.providers && regions == o.regions;
  }
};

// Which jobs a caller may see: nullopt = every job; else a job is in scope
// when each of its targets is covered by at least one grant (no grants: no
// job with targets).
using JobScope = std::optional<std::vector<ScopeGrant>>;

// True when `target` is within `grant`.
bool Covers(const ScopeGrant& grant, const ProviderRegion& target);

// True when every target is covered by some grant of `scope`.
bool InScope(const JobScope& scope, const std::vector<ProviderRegion>& targets);

}  // namespace resetd::workflow
