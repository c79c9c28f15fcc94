#include "cli/job_text.h"

#include <google/protobuf/util/time_util.h>

#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/text_table.h"

namespace resetd::cli {
namespace {

using resetd::v1::ResetJob;

std::string Strip(const std::string& full, std::string_view prefix,
                  int number) {
  if (full.empty()) return std::to_string(number);
  if (full.rfind(prefix, 0) == 0) return full.substr(prefix.size());
  return full;
}

std::string YesNo(bool b) { return b ? "yes" : "no"; }

std::string CountsLine(const resetd::v1::InstanceCounts& c) {
  return absl::StrCat(c.total(), " (pending ", c.pending(), ", in progress ",
                      c.in_progress(), ", succeeded ", c.succeeded(),
                      ", failed ", c.failed(), ", cancelled ", c.cancelled(),
                      ")");
}

std::string TargetLine(const resetd::v1::Target& t) {
  // A job's targets carry their count; a request's, their ids.
  const int n = t.instance_ids_size() > 0 ? t.instance_ids_size()
                                          : t.instance_count();
  return absl::StrCat(t.provider(), "/", t.region(), "  ",
                      ShortName(t.os_type()), "  ", n, " instances");
}

}  // namespace

std::string ShortName(resetd::v1::JobState s) {
  return Strip(resetd::v1::JobState_Name(s), "JOB_STATE_", s);
}
std::string ShortName(resetd::v1::InstanceState s) {
  return Strip(resetd::v1::InstanceState_Name(s), "INSTANCE_STATE_", s);
}
std::string ShortName(resetd::v1::PowerState s) {
  return Strip(resetd::v1::PowerState_Name(s), "POWER_STATE_", s);
}
std::string ShortName(resetd::v1::StopMode s) {
  return Strip(resetd::v1::StopMode_Name(s), "STOP_MODE_", s);
}
std::string ShortName(resetd::v1::PowerPolicy s) {
  return Strip(resetd::v1::PowerPolicy_Name(s), "POWER_POLICY_", s);
}
std::string ShortName(resetd::v1::OsType s) {
  return Strip(resetd::v1::OsType_Name(s), "OS_TYPE_", s);
}
std::string ShortName(resetd::v1::OnConflict s) {
  // UNSPECIFIED is REJECT (reset_service.proto).
  if (s == resetd::v1::ON_CONFLICT_UNSPECIFIED) return "REJECT";
  return Strip(resetd::v1::OnConflict_Name(s), "ON_CONFLICT_", s);
}
std::string ShortName(resetd::v1::PasswordKind s) {
  // UNSPECIFIED is LOGIN (reset_service.proto).
  if (s == resetd::v1::PASSWORD_KIND_UNSPECIFIED) return "LOGIN";
  return Strip(resetd::v1::PasswordKind_Name(s), "PASSWORD_KIND_", s);
}

std::string VerificationText(resetd::v1::ResetVerification v) {
  switch (v) {
    case resetd::v1::RESET_VERIFICATION_VERIFIED:
      return "verified";
    case resetd::v1::RESET_VERIFICATION_UNVERIFIABLE:
      return "applied, unverifiable";
    case resetd::v1::RESET_VERIFICATION_UNSPECIFIED:
      return "-";
    default:
      return std::to_string(v);
  }
}

bool IsTerminal(resetd::v1::JobState state) {
  switch (state) {
    case resetd::v1::JOB_STATE_SUCCEEDED:
    case resetd::v1::JOB_STATE_PARTIALLY_FAILED:
    case resetd::v1::JOB_STATE_FAILED:
    case resetd::v1::JOB_STATE_CANCELLED:
      return true;
    default:
      return false;
  }
}

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "-";
  return google::protobuf::util::TimeUtil::ToString(ts);
}

std::string RenderJob(const ResetJob& job) {
  std::vector<std::vector<std::string>> rows = {
      {"job", job.job_id()},
      {"request id", job.request_id()},
      {"state", ShortName(job.state())},
      {"created", FormatTimestamp(job.create_time())},
      {"updated", FormatTimestamp(job.update_time())},
      {"stop mode", ShortName(job.stop_mode())},
      {"power policy", ShortName(job.power_policy())},
      {"password kind", ShortName(job.password_kind())},
      {"on conflict", ShortName(job.on_conflict())},
      {"max unavailable", job.max_unavailable() == 0
                              ? "no cap"
                              : std::to_string(job.max_unavailable())},
      {"dry run", YesNo(job.dry_run())},
      {"username", job.username().empty() ? "-" : job.username()},
      {"instances", CountsLine(job.counts())},
  };
  for (const auto& target : job.targets())
    rows.push_back({"target", TargetLine(target)});
  return RenderTable(rows);
}

std::string RenderInstances(
    const google::protobuf::RepeatedPtrField<resetd::v1::InstanceResult>&
        instances,
    bool header) {
  std::vector<std::vector<std::string>> rows;
  if (header) {
    rows.push_back({"INSTANCE", "PROVIDER", "REGION", "STATE", "ORIGINAL",
                    "FINAL", "RESET", "PHASE", "ERROR"});
  }
  for (const auto& i : instances) {
    rows.push_back({i.instance_id(), i.provider(), i.region(),
                    ShortName(i.state()), ShortName(i.original_power_state()),
                    ShortName(i.final_power_state()),
                    VerificationText(i.verification()),
                    i.phase().empty() ? "-" : i.phase(),
                    i.error().code().empty() ? "-" : i.error().code()});
  }
  return RenderTable(rows);
}

std::string RenderFailureCounts(const ResetJob& job) {
  if (job.failures().empty()) return "";
  std::vector<std::vector<std::string>> rows = {
      {"PROVIDER", "CODE", "COUNT", "E.G."}};
  int listed = 0;
  for (const auto& f : job.failures()) {
    listed += f.count();
    rows.push_back({f.provider(), f.code(), std::to_string(f.count()),
                    absl::StrJoin(f.sample_instance_ids(), ",")});
  }
  std::string out = "failures by code:\n" + RenderTable(rows, "  ");
  if (job.counts().failed() > listed) {
    absl::StrAppend(&out, "  ... and ", job.counts().failed() - listed,
                    " more under other codes\n");
  }
  return out;
}

std::string RenderJobList(const resetd::v1::ListResetJobsResponse& page) {
  if (page.jobs().empty()) return "no jobs\n";
  std::vector<std::vector<std::string>> rows = {
      {"JOB", "STATE", "TOTAL", "OK", "FAILED", "CREATED", "DRY RUN"}};
  for (const auto& job : page.jobs()) {
    rows.push_back({job.job_id(), ShortName(job.state()),
                    std::to_string(job.counts().total()),
                    std::to_string(job.counts().succeeded()),
                    std::to_string(job.counts().failed()),
                    FormatTimestamp(job.create_time()), YesNo(job.dry_run())});
  }
  return RenderTable(rows);
}

}  // namespace resetd::cli
