#include "cli/summary.h"

#include <map>
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

std::string ByPowerState(const ResetJob& job) {
  std::map<std::string, int> counts;
  for (const auto& i : job.instances())
    ++counts[ShortName(i.final_power_state())];
  Rows rows;
  for (const auto& [name, n] : counts)
    rows.push_back({name, std::to_string(n)});
  return "instances by final power state:\n" + RenderTable(rows, "  ");
}

std::string Failed(const ResetJob& job, int max_failed) {
  Rows rows = {
      {"INSTANCE", "PROVIDER", "REGION", "CODE", "MESSAGE", "REQUEST ID"}};
  int failed = 0;
  for (const auto& i : job.instances()) {
    if (i.state() != resetd::v1::INSTANCE_STATE_FAILED) continue;
    if (++failed > max_failed) continue;
    const auto& e = i.error();
    rows.push_back({i.instance_id(), i.provider(), i.region(),
                    e.code().empty() ? "-" : e.code(),
                    e.message().empty() ? "-" : e.message(),
                    e.request_id().empty() ? "-" : e.request_id()});
  }
  if (failed == 0) return "";
  std::string out = absl::StrCat("failed instances (", failed, "):\n",
                                 RenderTable(rows, "  "));
  if (failed > max_failed) {
    absl::StrAppend(&out, "  ... and ", failed - max_failed, " more\n");
  }
  return out;
}

}  // namespace

std::string RenderSummary(const ResetJob& job, int max_failed) {
  std::string out =
      absl::StrCat("job ", job.job_id(), " ", ShortName(job.state()),
                   job.dry_run() ? " (dry run)" : "", "\n");
  out += ByState(job.counts());
  if (job.instances().empty()) {
    return out + "(no per-instance results)\n";
  }
  out += ByPowerState(job);
  out += Failed(job, max_failed);
  return out;
}

}  // namespace resetd::cli
