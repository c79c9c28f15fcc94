#include "workflow/job_scope.h"

#include <algorithm>
#include <set>

namespace resetd::workflow {

namespace {
bool Contains(const std::vector<std::string>& names, const std::string& n) {
  return names.empty() ||
         std::find(names.begin(), names.end(), n) != names.end();
}
}  // namespace

std::vector<ProviderRegion> TargetsOf(
    const resetd::v1::CreateResetJobRequest& request) {
  std::set<ProviderRegion> seen;
  for (const auto& t : request.targets()) {
    seen.insert(ProviderRegion{t.provider(), t.region()});
  }
  return std::vector<ProviderRegion>(seen.begin(), seen.end());
}

bool Covers(const ScopeGrant& grant, const ProviderRegion& target) {
  return Contains(grant.providers, target.provider) &&
         Contains(grant.regions, target.region);
}

bool InScope(const JobScope& scope,
             const std::vector<ProviderRegion>& targets) {
  if (!scope) return true;
  return std::all_of(targets.begin(), targets.end(), [&](const auto& t) {
    return std::any_of(scope->begin(), scope->end(),
                       [&](const ScopeGrant& g) { return Covers(g, t); });
  });
}

}  // namespace resetd::workflow
