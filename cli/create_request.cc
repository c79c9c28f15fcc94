#include "cli/create_request.h"

#include "absl/status/status.h"
#include "cli/flag_values.h"
#include "cli/job_file.h"

namespace resetd::cli {
namespace {

using resetd::v1::CreateResetJobRequest;

absl::Status RefuseTargetFlags(const CreateFlags& f) {
  if (f.provider || f.region || f.instances || f.instances_file || f.os) {
    return absl::InvalidArgumentError(
        "--file already names the targets: drop --provider, --region, "
        "--instances, --instances-file and --os");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> InstanceIds(const CreateFlags& f) {
  if (f.instances.has_value() == f.instances_file.has_value()) {
    return absl::InvalidArgumentError(
        "give exactly one of --instances and --instances-file");
  }
  if (f.instances_file) return LoadInstanceFile(*f.instances_file);
  std::vector<std::string> ids = SplitCommaList(*f.instances);
  if (ids.empty()) return absl::InvalidArgumentError("--instances is empty");
  return ids;
}

absl::Status AddTargetFromFlags(const CreateFlags& f,
                                CreateResetJobRequest& r) {
  if (!f.provider || !f.region) {
    return absl::InvalidArgumentError(
        "give --provider and --region (or a job file with --file)");
  }
  absl::StatusOr<std::vector<std::string>> ids = InstanceIds(f);
  if (!ids.ok()) return ids.status();
  resetd::v1::Target* target = r.add_targets();
  target->set_provider(*f.provider);
  target->set_region(*f.region);
  for (std::string& id : *ids) target->add_instance_ids(std::move(id));
  if (f.os) {
    absl::StatusOr<resetd::v1::OsType> os = ParseOsType(*f.os);
    if (!os.ok()) return os.status();
    target->set_os_type(*os);
  }
  return absl::OkStatus();
}

absl::Status ApplyOptionFlags(const CreateFlags& f, CreateResetJobRequest& r) {
  if (f.username) r.set_username(*f.username);
  if (f.stop_mode) {
    absl::StatusOr<resetd::v1::StopMode> mode = ParseStopMode(*f.stop_mode);
    if (!mode.ok()) return mode.status();
    r.set_stop_mode(*mode);
  }
  if (f.power_policy) {
    absl::StatusOr<resetd::v1::PowerPolicy> p =
        ParsePowerPolicy(*f.power_policy);
    if (!p.ok()) return p.status();
    r.set_power_policy(*p);
  }
  if (f.password_kind) {
    absl::StatusOr<resetd::v1::PasswordKind> kind =
        ParsePasswordKind(*f.password_kind);
    if (!kind.ok()) return kind.status();
    r.set_password_kind(*kind);
  }
  if (f.on_conflict) {
    absl::StatusOr<resetd::v1::OnConflict> mode =
        ParseOnConflict(*f.on_conflict);
    if (!mode.ok()) return mode.status();
    r.set_on_conflict(*mode);
  }
  if (f.max_unavailable) {
    if (*f.max_unavailable < 0) {
      return absl::InvalidArgumentError("--max-unavailable must be >= 0");
    }
    r.set_max_unavailable(*f.max_unavailable);
  }
  if (f.dry_run) r.set_dry_run(true);
  if (f.request_id) r.set_request_id(*f.request_id);
  if (r.request_id().empty()) r.set_request_id(NewRequestId());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CreateResetJobRequest> BuildCreateRequest(
    const CreateFlags& flags) {
  CreateResetJobRequest request;
  if (flags.file) {
    if (absl::Status s = RefuseTargetFlags(flags); !s.ok()) return s;
    absl::StatusOr<CreateResetJobRequest> from_file = LoadJobFile(*flags.file);
    if (!from_file.ok()) return from_file.status();
    request = std::move(*from_file);
  } else if (absl::Status s = AddTargetFromFlags(flags, request); !s.ok()) {
    return s;
  }
  if (absl::Status s = ApplyOptionFlags(flags, request); !s.ok()) return s;
  return request;
}

}  // namespace resetd::cli
