// Validation of the public API's requests against the server config, before
// anything is stored or any side effect happens. Every violation is
// collected (not just the first) as a google.rpc.BadRequest field violation
// with a path like "targets[0].instance_ids[3]". No description ever contains
// the password or any part of it.
//
// Per target, by its provider's kind (provider_kinds.h): the instance id
// format; for kinds scoped to projects, a region with a configured project
// id; for kinds that reset only the image's default account, a username that
// is empty, "root" or "Administrator" (login jobs). Across targets: the
// job's password_kind must exist on every target's kind ("password_kind",
// one violation per target without it, e.g. VNC on tencent_cvm), and the
// password must satisfy the policy of every target's kind, OS and password
// kind (the union of their rules).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "policy/password_policy.h"
#include "resetd/v1/config.pb.h"
#include "resetd/v1/reset_service.pb.h"
#include "service/provider_kinds.h"

namespace resetd::service {

using FieldViolation = google::rpc::BadRequest::FieldViolation;

inline constexpr int kMaxRequestIdLength = 128;
inline constexpr int kMaxInstancesPerJob = 100000;
inline constexpr int kMaxPageSize = 500;

// Validates requests against one config. Immutable after construction;
// thread-safe. `policy` must outlive the validator.
class RequestValidator {
 public:
  explicit RequestValidator(
      const resetd::v1::Config& config,
      const policy::PasswordPolicy& policy = policy::PasswordPolicy::Builtin());

  // Every violation of `request`, in field order; empty when valid.
  std::vector<FieldViolation> CreateViolations(
      const resetd::v1::CreateResetJobRequest& request) const;

  // OK, or kInvalidArgument carrying a google.rpc.BadRequest payload (see
  // status_mapping.h) with every violation.
  absl::Status ValidateCreate(
      const resetd::v1::CreateResetJobRequest& request) const;
  // OK, or kInvalidArgument with a BadRequest: job_id must be set and the
  // view a known value.
  absl::Status ValidateGet(const resetd::v1::GetResetJobRequest& request) const;
  // OK, or kInvalidArgument with a BadRequest: page_size within 0..500 and
  // every state a known value.
  absl::Status ValidateList(
      const resetd::v1::ListResetJobsRequest& request) const;
  // OK, or kInvalidArgument with a BadRequest: job_id set, page_size within
  // 0..1000, every state a known value, and a page token this server gave
  // for the same job_id and filters.
  absl::Status ValidateListInstances(
      const resetd::v1::ListResetJobInstancesRequest& request) const;
  // For Watch and Cancel: job_id must be set.
  absl::Status ValidateJobId(std::string_view job_id) const;

 private:
  struct Provider {
    const ProviderKind* kind = nullptr;
    std::set<std::string, std::less<>> regions;  // empty = any
    // Regions with a project id, where the kind needs one.
    std::set<std::string, std::less<>> project_regions;
  };
  struct Seen;  // instance ids already listed, for duplicates

  void CheckTargets(const resetd::v1::CreateResetJobRequest& request,
                    std::vector<FieldViolation>& out) const;
  void CheckTarget(const resetd::v1::Target& target, const std::string& at,
                   Seen& seen, std::vector<FieldViolation>& out) const;
  void CheckInstanceIds(const resetd::v1::Target& target, const Provider* p,
                        const std::string& at, Seen& seen,
                        std::vector<FieldViolation>& out) const;
  void CheckRegion(const resetd::v1::Target& target, const Provider* p,
                   const std::string& at,
                   std::vector<FieldViolation>& out) const;
  // Username and password against the policy of `targets` (the targets
  // that have the job's password kind).
  void CheckCredentials(const resetd::v1::CreateResetJobRequest& request,
                        const std::vector<policy::PolicyTarget>& targets,
                        std::vector<FieldViolation>& out) const;
  void CheckDefaultAccount(const resetd::v1::CreateResetJobRequest& request,
                           std::vector<FieldViolation>& out) const;
  // The targets of known providers and valid OS, each with the job's
  // password kind.
  std::vector<policy::PolicyTarget> PolicyTargets(
      const resetd::v1::CreateResetJobRequest& request) const;
  // Moves the targets whose provider kind lacks the job's password kind out
  // of `targets`, reporting each under "password_kind".
  void CheckPasswordKind(std::vector<policy::PolicyTarget>& targets,
                         std::vector<FieldViolation>& out) const;

  std::map<std::string, Provider, std::less<>> providers_;
  std::string provider_names_;  // for messages
  const policy::PasswordPolicy& policy_;
};

// kInvalidArgument for `violations` ("invalid <what>: N field violations;
// first: ..."), with the BadRequest payload; OK when empty.
absl::Status ViolationsToStatus(std::string_view what,
                                const std::vector<FieldViolation>& violations);

}  // namespace resetd::service
