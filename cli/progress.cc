#include "cli/progress.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "cli/job_text.h"

namespace resetd::cli {
namespace {

constexpr int kMinBarCells = 10;
constexpr int kMaxBarCells = 40;

int Done(const resetd::v1::InstanceCounts& c) {
  return c.succeeded() + c.failed() + c.cancelled();
}

int Percent(const resetd::v1::InstanceCounts& c) {
  if (c.total() <= 0) return 0;
  return static_cast<int>(100LL * Done(c) / c.total());
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f s", s);
  return buf;
}

std::string Bar(const resetd::v1::InstanceCounts& c, int cells) {
  int filled = c.total() <= 0 ? 0
                              : static_cast<int>(static_cast<long long>(cells) *
                                                 Done(c) / c.total());
  filled = std::clamp(filled, 0, cells);
  return absl::StrCat("[", std::string(filled, '#'),
                      std::string(cells - filled, '-'), "]");
}

}  // namespace

std::string RenderProgressBar(const resetd::v1::InstanceCounts& counts,
                              double elapsed_seconds, int width) {
  std::string tail = absl::StrCat(" ", Percent(counts), "% ", Done(counts), "/",
                                  counts.total(), "  ok ", counts.succeeded(),
                                  "  failed ", counts.failed());
  if (counts.cancelled() > 0)
    absl::StrAppend(&tail, "  cancelled ", counts.cancelled());
  absl::StrAppend(&tail, "  in progress ", counts.in_progress(), "  ",
                  Seconds(elapsed_seconds));
  int cells = width - static_cast<int>(tail.size()) - 2;
  cells = std::clamp(cells, kMinBarCells, kMaxBarCells);
  return Bar(counts, cells) + tail;
}

std::string RenderProgressLine(const resetd::v1::ResetJob& job,
                               double elapsed_seconds) {
  const auto& c = job.counts();
  return absl::StrCat(ShortName(job.state()), " ", Done(c), "/", c.total(),
                      " (", Percent(c), "%)  ok ", c.succeeded(), "  failed ",
                      c.failed(), "  cancelled ", c.cancelled(),
                      "  in progress ", c.in_progress(), "  pending ",
                      c.pending(), "  ", Seconds(elapsed_seconds));
}

ProgressDisplay::ProgressDisplay(std::ostream& out, bool is_tty, int width,
                                 double line_interval_seconds)
    : out_(out),
      is_tty_(is_tty),
      width_(width),
      line_interval_seconds_(line_interval_seconds) {}

void ProgressDisplay::Update(const resetd::v1::ResetJob& job,
                             double elapsed_seconds) {
  if (is_tty_) {
    out_ << '\r' << RenderProgressBar(job.counts(), elapsed_seconds, width_)
         << "\x1b[K" << std::flush;
    drawn_ = true;
    return;
  }
  std::string counts = job.counts().SerializeAsString() +
                       std::to_string(static_cast<int>(job.state()));
  bool first = !drawn_;
  bool due = counts != last_counts_ &&
             elapsed_seconds - last_line_at_ >= line_interval_seconds_;
  if (!first && !due && !IsTerminal(job.state())) return;
  if (!first && IsTerminal(job.state()) && counts == last_counts_) return;
  out_ << RenderProgressLine(job, elapsed_seconds) << '\n' << std::flush;
  drawn_ = true;
  last_line_at_ = elapsed_seconds;
  last_counts_ = std::move(counts);
}

void ProgressDisplay::Finish() {
  if (is_tty_ && drawn_) out_ << '\n' << std::flush;
  drawn_ = false;
}

}  // namespace resetd::cli
