// Authorization: what a caller may do, decided by one pure function over the
// config's role bindings (resetd.v1.AuthConfig). The handlers ask it once
// per RPC, before any side effect.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "resetd/v1/config.pb.h"
#include "service/caller.h"
#include "workflow/job_scope.h"

namespace resetd::service {

// What an RPC wants to do.
enum class Permission { kGet, kList, kWatch, kCreate, kCancel };

// The permission's name as the ErrorInfo metadata spells it:
// "resetd.jobs.get", ".list", ".watch", ".create", ".cancel".
std::string PermissionName(Permission permission);

// One call to authorize.
struct AuthzRequest {
  Permission permission = Permission::kGet;
  // Get/Watch/Cancel: the existing job's creator and targets. Create: the
  // request's targets (creator unused). List: nothing (see ListScope).
  std::string job_creator;
  std::vector<workflow::ProviderRegion> targets;
};

// What was decided. Allowed: `reason` names the role and binding (e.g.
// "operator (bindings[1])"). Denied: `reason` says what is missing,
// `missing_permission` names it ("resetd.jobs.cancelOthers" for another
// caller's job) and, when a target was out of scope, `provider`/`region`
// name it.
struct AuthzDecision {
  bool allowed = false;
  std::string reason;
  std::string missing_permission;
  std::string provider;
  std::string region;
};

// Decides whether `caller` may do `request` under `auth`:
//   - an unauthenticated caller (empty identity) may do nothing;
//   - development mode: with no bindings, a Source::kInsecure caller (an
//     insecure server's "anonymous") is admin. With bindings, it has only
//     what they grant its identity or "*";
//   - a binding applies when it lists the caller's identity or "*"; roles:
//     viewer (Get, List, Watch), operator (+ Create, Cancel of jobs it
//     created), admin (+ Cancel of any job). Each binding holds only within
//     its providers and regions (empty = all); a caller with several has
//     the union: every target must be covered by some binding that grants
//     the permission.
// Pure and thread-safe.
AuthzDecision Authorize(const resetd::v1::AuthConfig& auth,
                        const Caller& caller, const AuthzRequest& request);

// The jobs `caller` may see in ListResetJobs: nullopt = every job (dev
// mode, or a binding without providers and regions); else the providers
// and regions of its bindings. Call after Authorize allowed kList.
workflow::JobScope ListScope(const resetd::v1::AuthConfig& auth,
                             const Caller& caller);

// The status of a denied `decision`: kUnauthenticated for a caller without
// identity, else kPermissionDenied with a google.rpc.ErrorInfo payload
// {reason: "PERMISSION_DENIED" or "OUT_OF_SCOPE", domain: "resetd",
// metadata: permission, identity and (scope) provider, region}.
absl::Status DeniedStatus(const Caller& caller, const AuthzDecision& decision);

}  // namespace resetd::service
