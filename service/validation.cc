#include "service/validation.h"

#include <unordered_map>

#include "common/secret.h"
#include "service/status_mapping.h"
#include "workflow/instance_page.h"

namespace resetd::service {
namespace {

using resetd::v1::CreateResetJobRequest;
using resetd::v1::Target;

// Identifiers echoed in messages are clipped and made printable, so a
// hostile value cannot flood or forge anything downstream.
std::string Echo(std::string_view value) {
  constexpr size_t kMax = 64;
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kMax; ++i) {
    const char c = value[i];
    out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  }
  if (value.size() > kMax) out += "...";
  return out + "\"";
}

void Add(std::vector<FieldViolation>& out, std::string field,
         std::string description) {
  FieldViolation v;
  v.set_field(std::move(field));
  v.set_description(std::move(description));
  out.push_back(std::move(v));
}

bool IsRequestIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

void CheckRequestId(std::string_view id, std::vector<FieldViolation>& out) {
  if (id.empty() || id.size() > kMaxRequestIdLength) {
    Add(out, "request_id",
        "must be 1 to " + std::to_string(kMaxRequestIdLength) + " characters");
  }
  for (char c : id) {
    if (!IsRequestIdChar(c)) {
      Add(out, "request_id", "may contain only A-Z a-z 0-9 . _ : -");
      return;
    }
  }
}

void CheckEnums(const CreateResetJobRequest& r,
                std::vector<FieldViolation>& out) {
  if (!resetd::v1::StopMode_IsValid(r.stop_mode())) {
    Add(out, "stop_mode", "unknown value " + std::to_string(r.stop_mode()));
  }
  if (!resetd::v1::PowerPolicy_IsValid(r.power_policy())) {
    Add(out, "power_policy",
        "unknown value " + std::to_string(r.power_policy()));
  }
  if (r.max_unavailable() < 0) Add(out, "max_unavailable", "must be >= 0");
  if (!resetd::v1::PasswordKind_IsValid(r.password_kind())) {
    Add(out, "password_kind",
        "unknown value " + std::to_string(r.password_kind()));
  }
  if (!resetd::v1::OnConflict_IsValid(r.on_conflict())) {
    Add(out, "on_conflict",
        "unknown value " + std::to_string(r.on_conflict()) +
            " (REJECT, WAIT or SKIP)");
  }
}

// UNSPECIFIED (and unknown values, reported on their own) mean LOGIN.
policy::PasswordKind ToPasswordKind(resetd::v1::PasswordKind kind) {
  return kind == resetd::v1::PASSWORD_KIND_VNC ? policy::PasswordKind::kVnc
                                               : policy::PasswordKind::kLogin;
}

policy::OsKind ToOsKind(resetd::v1::OsType os) {
  return os == resetd::v1::OS_TYPE_WINDOWS ? policy::OsKind::kWindows
                                           : policy::OsKind::kLinux;
}

std::string TargetPath(int i) { return "targets[" + std::to_string(i) + "]"; }

}  // namespace

// Instance ids seen so far, by provider/region/id, with where they were.
struct RequestValidator::Seen {
  std::unordered_map<std::string, std::string> paths;
};

RequestValidator::RequestValidator(const resetd::v1::Config& config,
                                   const policy::PasswordPolicy& policy)
    : policy_(policy) {
  for (const auto& p : config.providers()) {
    Provider& entry = providers_[p.name()];
    entry.kind = FindProviderKind(p.kind());
    entry.regions.insert(p.regions().begin(), p.regions().end());
    for (const auto& [region, project_id] : p.project_ids()) {
      entry.project_regions.insert(region);
    }
    provider_names_ += (provider_names_.empty() ? "" : ", ") + p.name();
  }
}

void RequestValidator::CheckInstanceIds(
    const Target& target, const Provider* p, const std::string& at, Seen& seen,
    std::vector<FieldViolation>& out) const {
  if (target.instance_ids().empty()) {
    Add(out, at + ".instance_ids", "must list at least one instance id");
  }
  const std::string scope = target.provider() + '\0' + target.region() + '\0';
  for (int j = 0; j < target.instance_ids_size(); ++j) {
    const std::string& id = target.instance_ids(j);
    const std::string path = at + ".instance_ids[" + std::to_string(j) + "]";
    if (p != nullptr && p->kind != nullptr && !p->kind->is_valid_id(id)) {
      Add(out, path,
          Echo(id) + " is not a valid " + std::string(p->kind->name) +
              " instance id: expected " + std::string(p->kind->id_format));
    }
    auto [it, inserted] = seen.paths.emplace(scope + id, path);
    if (!inserted) Add(out, path, "duplicate of " + it->second);
  }
}

void RequestValidator::CheckRegion(const Target& target, const Provider* p,
                                   const std::string& at,
                                   std::vector<FieldViolation>& out) const {
  if (target.region().empty()) {
    Add(out, at + ".region", "must be set");
  } else if (p != nullptr && !p->regions.empty() &&
             !p->regions.count(target.region())) {
    Add(out, at + ".region",
        "region " + Echo(target.region()) + " is not allowed for provider " +
            Echo(target.provider()));
  } else if (p != nullptr && p->kind != nullptr && p->kind->needs_project_ids &&
             !p->project_regions.count(target.region())) {
    // Config validation guarantees this for listed regions; with none
    // listed, the project ids are the allowed regions.
    Add(out, at + ".region",
        "provider " + Echo(target.provider()) +
            " has no project id for region " + Echo(target.region()) +
            " (add it to the provider's project_ids in the server config)");
  }
}

void RequestValidator::CheckTarget(const Target& target, const std::string& at,
                                   Seen& seen,
                                   std::vector<FieldViolation>& out) const {
  const Provider* p = nullptr;
  if (target.provider().empty()) {
    Add(out, at + ".provider", "must be set");
  } else if (auto it = providers_.find(target.provider());
             it != providers_.end()) {
    p = &it->second;
  } else {
    Add(out, at + ".provider",
        "unknown provider " + Echo(target.provider()) +
            " (configured: " + provider_names_ + ")");
  }
  CheckRegion(target, p, at, out);
  CheckInstanceIds(target, p, at, seen, out);
  if (!resetd::v1::OsType_IsValid(target.os_type())) {
    Add(out, at + ".os_type",
        "unknown value " + std::to_string(target.os_type()));
  }
}

void RequestValidator::CheckTargets(const CreateResetJobRequest& request,
                                    std::vector<FieldViolation>& out) const {
  if (request.targets().empty()) {
    Add(out, "targets", "must list at least one target");
    return;
  }
  Seen seen;
  int64_t total = 0;
  for (int i = 0; i < request.targets_size(); ++i) {
    CheckTarget(request.targets(i), TargetPath(i), seen, out);
    total += request.targets(i).instance_ids_size();
  }
  if (total > kMaxInstancesPerJob) {
    Add(out, "targets",
        "at most " + std::to_string(kMaxInstancesPerJob) +
            " instances per job (got " + std::to_string(total) + ")");
  }
}

std::vector<policy::PolicyTarget> RequestValidator::PolicyTargets(
    const CreateResetJobRequest& request) const {
  const policy::PasswordKind kind = ToPasswordKind(request.password_kind());
  std::vector<policy::PolicyTarget> targets;
  for (int i = 0; i < request.targets_size(); ++i) {
    const Target& t = request.targets(i);
    auto it = providers_.find(t.provider());
    // Unknown providers and OSes are reported on their own fields.
    if (it == providers_.end() || it->second.kind == nullptr ||
        !resetd::v1::OsType_IsValid(t.os_type())) {
      continue;
    }
    targets.push_back({TargetPath(i), std::string(it->second.kind->name),
                       ToOsKind(t.os_type()), kind});
  }
  return targets;
}

void RequestValidator::CheckPasswordKind(
    std::vector<policy::PolicyTarget>& targets,
    std::vector<FieldViolation>& out) const {
  std::set<std::string> lacking;
  for (const auto& v : policy_.CheckPasswordKind(targets)) {
    // A kind without any rules stays in: CheckPassword reports it.
    if (v.rule != "unsupported_password_kind") continue;
    Add(out, "password_kind", policy::FormatViolation(v));
    lacking.insert(v.target);
  }
  std::erase_if(targets, [&](const policy::PolicyTarget& t) {
    return lacking.count(t.target_label) > 0;
  });
}

// The client of such a kind refuses any other user at reset time, after
// other instances of the job were already stopped: refuse it here instead.
void RequestValidator::CheckDefaultAccount(
    const CreateResetJobRequest& request,
    std::vector<FieldViolation>& out) const {
  if (ToPasswordKind(request.password_kind()) != policy::PasswordKind::kLogin ||
      IsDefaultAccountName(request.username())) {
    return;
  }
  for (int i = 0; i < request.targets_size(); ++i) {
    auto it = providers_.find(request.targets(i).provider());
    if (it == providers_.end() || it->second.kind == nullptr ||
        !it->second.kind->default_account_only) {
      continue;
    }
    Add(out, "username",
        "target " + TargetPath(i) + " (" + std::string(it->second.kind->name) +
            "): the provider resets only the image's default account; leave "
            "username empty or use \"root\" or \"Administrator\"");
  }
}

void RequestValidator::CheckCredentials(
    const CreateResetJobRequest& request,
    const std::vector<policy::PolicyTarget>& targets,
    std::vector<FieldViolation>& out) const {
  std::set<std::string> username_problems;  // same rule, many targets: once
  for (const auto& v : policy_.CheckUsername(request.username(), targets)) {
    username_problems.insert(v.description);
  }
  for (const std::string& d : username_problems) Add(out, "username", d);
  CheckDefaultAccount(request, out);
  if (request.password().empty()) {
    Add(out, "password", "must be set");
    return;
  }
  // The policy takes a Secret; this copy is wiped when it goes out of scope.
  const Secret password{std::string(request.password())};
  for (const auto& v :
       policy_.CheckPassword(password, request.username(), targets)) {
    Add(out, "password", policy::FormatViolation(v));
  }
}

std::vector<FieldViolation> RequestValidator::CreateViolations(
    const CreateResetJobRequest& request) const {
  std::vector<FieldViolation> out;
  CheckRequestId(request.request_id(), out);
  CheckTargets(request, out);
  std::vector<policy::PolicyTarget> targets = PolicyTargets(request);
  std::vector<FieldViolation> kind_violations;  // reported in field order
  CheckPasswordKind(targets, kind_violations);
  CheckCredentials(request, targets, out);
  CheckEnums(request, out);
  out.insert(out.end(), kind_violations.begin(), kind_violations.end());
  return out;
}

absl::Status RequestValidator::ValidateCreate(
    const CreateResetJobRequest& request) const {
  return ViolationsToStatus("CreateResetJobRequest", CreateViolations(request));
}

absl::Status RequestValidator::ValidateGet(
    const resetd::v1::GetResetJobRequest& request) const {
  std::vector<FieldViolation> out;
  if (request.job_id().empty()) Add(out, "job_id", "must be set");
  if (!resetd::v1::JobView_IsValid(request.view())) {
    Add(out, "view", "unknown value " + std::to_string(request.view()));
  }
  return ViolationsToStatus("GetResetJobRequest", out);
}

absl::Status RequestValidator::ValidateList(
    const resetd::v1::ListResetJobsRequest& request) const {
  std::vector<FieldViolation> out;
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    Add(out, "page_size", "must be 0 to " + std::to_string(kMaxPageSize));
  }
  for (int i = 0; i < request.states_size(); ++i) {
    if (!resetd::v1::JobState_IsValid(request.states(i))) {
      Add(out, "states[" + std::to_string(i) + "]",
          "unknown value " + std::to_string(request.states(i)));
    }
  }
  return ViolationsToStatus("ListResetJobsRequest", out);
}

absl::Status RequestValidator::ValidateListInstances(
    const resetd::v1::ListResetJobInstancesRequest& request) const {
  std::vector<FieldViolation> out;
  if (request.job_id().empty()) Add(out, "job_id", "must be set");
  if (request.page_size() < 0 ||
      request.page_size() > workflow::kMaxInstancePageSize) {
    Add(out, "page_size",
        "must be 0 to " + std::to_string(workflow::kMaxInstancePageSize));
  }
  for (int i = 0; i < request.states_size(); ++i) {
    if (!resetd::v1::InstanceState_IsValid(request.states(i))) {
      Add(out, "states[" + std::to_string(i) + "]",
          "unknown value " + std::to_string(request.states(i)));
    }
  }
  if (auto page = workflow::PageOf(request); !page.ok()) {
    Add(out, "page_token", std::string(page.status().message()));
  }
  return ViolationsToStatus("ListResetJobInstancesRequest", out);
}

absl::Status RequestValidator::ValidateJobId(std::string_view job_id) const {
  std::vector<FieldViolation> out;
  if (job_id.empty()) Add(out, "job_id", "must be set");
  return ViolationsToStatus("request", out);
}

absl::Status ViolationsToStatus(std::string_view what,
                                const std::vector<FieldViolation>& violations) {
  if (violations.empty()) return absl::OkStatus();
  google::rpc::BadRequest bad_request;
  for (const auto& v : violations) *bad_request.add_field_violations() = v;
  const auto& first = violations.front();
  std::string message =
      "invalid " + std::string(what) + ": " +
      std::to_string(violations.size()) +
      (violations.size() == 1 ? " field violation" : " field violations") +
      "; first: " + first.field() + ": " + first.description();
  return InvalidArgumentWithViolations(message, bad_request);
}

}  // namespace resetd::service
