#include "cli/summary.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/job_text.h"
#include "cli/text_table.h"

namespace resetd::cli {
namespace {

using resetd::v1::ResetJob;
using Rows = std::vector<std::vector<std::string>>;

std::string ByState(const resetd::v1::InstanceCounts& c) {
  const std::pair<const char*, int> counts[] = {
      {"SUCCEEDED", c.succeeded()},
      {"FAILED", c.failed()},
      {"CANCELLED", c.cancelled()},
      {"IN_PROGRESS", c.in_progress()},
      {"PENDING", c.pending()}};
  Rows rows;
  for (const auto& [name, n] : counts) {
    if (n > 0) rows.push_back({name, std::to_string(n)});
  }
  rows.push_back({"TOTAL", std::to_string(c.total())});
  return "instances by state:\n" + RenderTable(rows, "  ");
}

std::string Failed(
    const ResetJob& job,
    const google::protobuf::RepeatedPtrField<resetd::v1::InstanceResult>&
        failed,
    int max_failed) {
  const int total = std::max(job.counts().failed(), failed.size());
  if (total == 0) return "";
  Rows rows = {
      {"INSTANCE", "PROVIDER", "REGION", "CODE", "MESSAGE", "REQUEST ID"}};
  int shown = 0;
  for (const auto& i : failed) {
    if (shown == max_failed) break;
    ++shown;
    const auto& e = i.error();
    rows.push_back({i.instance_id(), i.provider(), i.region(),
                    e.code().empty() ? "-" : e.code(),
                    e.message().empty() ? "-" : e.message(),
                    e.request_id().empty() ? "-" : e.request_id()});
  }
  std::string out = absl::StrCat("failed instances (", total, "):\n");
  if (shown > 0) out += RenderTable(rows, "  ");
  if (total > shown) {
    absl::StrAppend(&out, "  ... and ", total - shown,
                    " more: resetctl get ", job.job_id(), " --failed\n");
  }
  return out;
}

}  // namespace

std::string RenderSummary(
    const ResetJob& job,
    const google::protobuf::RepeatedPtrField<resetd::v1::InstanceResult>&
        failed,
    int max_failed) {
  std::string out =
      absl::StrCat("job ", job.job_id(), " ", ShortName(job.state()),
                   job.dry_run() ? " (dry run)" : "", "\n");
  out += ByState(job.counts());
  out += RenderFailureCounts(job);
  out += Failed(job, failed, max_failed);
  return out;
}

}  // namespace resetd::cli
