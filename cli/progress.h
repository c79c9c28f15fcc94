// Live progress of a job: a redrawn bar on a terminal, periodic plain lines
// elsewhere. The rendering functions are pure; ProgressDisplay is not
// thread-safe (one watcher drives it).
#pragma once

#include <ostream>
#include <string>

#include "resetd/v1/reset_service.pb.h"

namespace resetd::cli {

// Renders one progress bar line that fits in `width` columns (the bar shrinks
// to fit, at least 10 cells), e.g.
//   [#########-----------] 45% 225/500  ok 200  failed 3  in progress 22  3.1 s
// "Done" counts succeeded + failed + cancelled; "cancelled N" is shown only
// when N > 0. A job with no instances renders 0%.
std::string RenderProgressBar(const resetd::v1::InstanceCounts& counts,
                              double elapsed_seconds, int width);

// Renders one plain progress line for logs and pipes, e.g.
//   RUNNING 225/500 (45%)  ok 200  failed 3  cancelled 0  in progress 22
//   pending 275  3.1 s
std::string RenderProgressLine(const resetd::v1::ResetJob& job,
                               double elapsed_seconds);

// Writes progress to `out`. On a terminal, every Update redraws the bar in
// place ("\r" + bar + erase to end of line). Otherwise, Update writes a line
// for the first update, for a terminal job state, and whenever counts have
// changed and at least `line_interval_seconds` have passed since the last line.
class ProgressDisplay {
 public:
  ProgressDisplay(std::ostream& out, bool is_tty, int width,
                  double line_interval_seconds = 5.0);

  // Shows `job`'s state and counts as of `elapsed_seconds` since the start.
  void Update(const resetd::v1::ResetJob& job, double elapsed_seconds);

  // Ends the display (on a terminal: moves past the bar line). Idempotent.
  void Finish();

 private:
  std::ostream& out_;
  const bool is_tty_;
  const int width_;
  const double line_interval_seconds_;
  bool drawn_ = false;
  double last_line_at_ = 0;
  std::string last_counts_;
};

}  // namespace resetd::cli
