#include "service/authz.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"
#include "service/status_mapping.h"

namespace resetd::service {

namespace {

using resetd::v1::AuthConfig;
using resetd::v1::RoleBinding;

// Roles in order: each has every right of the ones before it.
enum class Role { kNone, kViewer, kOperator, kAdmin };

Role RoleOf(const std::string& name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  if (name == "admin") return Role::kAdmin;
  return Role::kNone;
}

bool IsOthersJob(const AuthzRequest& r, const Caller& c) {
  return r.permission == Permission::kCancel && r.job_creator != c.identity;
}

// The least role that may do `r`: cancelling another caller's job (or one
// without a recorded creator) takes admin.
Role Needed(const AuthzRequest& r, const Caller& c) {
  switch (r.permission) {
    case Permission::kCreate:
      return Role::kOperator;
    case Permission::kCancel:
      return IsOthersJob(r, c) ? Role::kAdmin : Role::kOperator;
    default:
      return Role::kViewer;
  }
}

std::string Needs(const AuthzRequest& r, const Caller& c) {
  return IsOthersJob(r, c) ? "resetd.jobs.cancelOthers"
                           : PermissionName(r.permission);
}

bool Applies(const RoleBinding& b, const Caller& c) {
  return std::any_of(
      b.identities().begin(), b.identities().end(),
      [&](const std::string& id) { return id == c.identity || id == "*"; });
}

workflow::ScopeGrant GrantOf(const RoleBinding& b) {
  return {{b.providers().begin(), b.providers().end()},
          {b.regions().begin(), b.regions().end()}};
}

// The bindings that apply to `c` with at least `role`, by index.
std::vector<int> Granting(const AuthConfig& auth, const Caller& c, Role role) {
  std::vector<int> out;
  for (int i = 0; i < auth.bindings_size(); ++i) {
    const RoleBinding& b = auth.bindings(i);
    if (Applies(b, c) && RoleOf(b.role()) >= role) out.push_back(i);
  }
  return out;
}

bool DevMode(const AuthConfig& auth, const Caller& c) {
  return auth.bindings().empty() && c.source == Caller::Source::kInsecure;
}

AuthzDecision Deny(std::string reason, std::string permission) {
  AuthzDecision d;
  d.reason = std::move(reason);
  d.missing_permission = std::move(permission);
  return d;
}

}  // namespace

std::string PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kGet:
      return "resetd.jobs.get";
    case Permission::kList:
      return "resetd.jobs.list";
    case Permission::kWatch:
      return "resetd.jobs.watch";
    case Permission::kCreate:
      return "resetd.jobs.create";
    case Permission::kCancel:
      return "resetd.jobs.cancel";
  }
  return "resetd.jobs.unknown";
}

AuthzDecision Authorize(const AuthConfig& auth, const Caller& caller,
                        const AuthzRequest& request) {
  const std::string needs = Needs(request, caller);
  if (!caller.authenticated()) return Deny("unauthenticated", needs);
  if (DevMode(auth, caller)) {
    return {true, "admin (development mode: insecure, no bindings)"};
  }
  const std::vector<int> granting =
      Granting(auth, caller, Needed(request, caller));
  if (granting.empty()) {
    return Deny(
        absl::StrCat("no binding grants ", needs, " to ", caller.identity),
        needs);
  }
  std::vector<int> used;
  for (const workflow::ProviderRegion& t : request.targets) {
    auto by = std::find_if(granting.begin(), granting.end(), [&](int i) {
      return workflow::Covers(GrantOf(auth.bindings(i)), t);
    });
    if (by == granting.end()) {
      AuthzDecision d = Deny(absl::StrCat(needs, " not granted for provider ",
                                          t.provider, " region ", t.region),
                             needs);
      d.provider = t.provider;
      d.region = t.region;
      return d;
    }
    if (std::find(used.begin(), used.end(), *by) == used.end()) {
      used.push_back(*by);
    }
  }
  if (used.empty()) used.push_back(granting.front());
  std::vector<std::string> parts;
  for (int i : used) {
    parts.push_back(
        absl::StrCat(auth.bindings(i).role(), " (bindings[", i, "])"));
  }
  return {true, absl::StrJoin(parts, ", ")};
}

workflow::JobScope ListScope(const AuthConfig& auth, const Caller& caller) {
  if (!caller.authenticated()) return std::vector<workflow::ScopeGrant>();
  if (DevMode(auth, caller)) return std::nullopt;
  std::vector<workflow::ScopeGrant> grants;
  for (int i : Granting(auth, caller, Role::kViewer)) {
    workflow::ScopeGrant g = GrantOf(auth.bindings(i));
    if (g.providers.empty() && g.regions.empty()) return std::nullopt;
    grants.push_back(std::move(g));
  }
  return grants;
}

absl::Status DeniedStatus(const Caller& caller, const AuthzDecision& decision) {
  if (!caller.authenticated()) {
    return absl::UnauthenticatedError(
        "no identity: present a client certificate or a bearer token");
  }
  google::rpc::ErrorInfo info;
  info.set_reason(decision.provider.empty() ? "PERMISSION_DENIED"
                                            : "OUT_OF_SCOPE");
  info.set_domain(kErrorInfoDomain);
  auto& meta = *info.mutable_metadata();
  meta["permission"] = decision.missing_permission;
  meta["identity"] = caller.identity;
  if (!decision.provider.empty()) {
    meta["provider"] = decision.provider;
    meta["region"] = decision.region;
  }
  return WithErrorInfo(
      absl::PermissionDeniedError(
          absl::StrCat(caller.identity, " may not do this: ", decision.reason)),
      info);
}

}  // namespace resetd::service
