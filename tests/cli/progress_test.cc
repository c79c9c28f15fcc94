#include "cli/progress.h"

#include <algorithm>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

resetd::v1::InstanceCounts Counts(int total, int pending, int in_progress,
                                  int ok, int failed, int cancelled = 0) {
  resetd::v1::InstanceCounts c;
  c.set_total(total);
  c.set_pending(pending);
  c.set_in_progress(in_progress);
  c.set_succeeded(ok);
  c.set_failed(failed);
  c.set_cancelled(cancelled);
  return c;
}

TEST(ProgressBarTest, RendersTheExampleLine) {
  // 203 of 500 done; with a 20-cell bar that is 8 cells (floor).
  std::string tail = " 40% 203/500  ok 200  failed 3  in progress 22  3.1 s";
  std::string bar = RenderProgressBar(Counts(500, 275, 22, 200, 3), 3.14,
                                      static_cast<int>(tail.size()) + 22);
  EXPECT_EQ(bar, "[########------------]" + tail);
}

TEST(ProgressBarTest, FitsTheWidthWithinBounds) {
  auto c = Counts(10, 0, 0, 5, 0);
  std::string narrow = RenderProgressBar(c, 0, 20);  // bar never below 10 cells
  EXPECT_THAT(narrow, StartsWith("[#####-----] 50% 5/10"));
  std::string wide = RenderProgressBar(c, 0, 500);  // nor above 40
  EXPECT_THAT(wide, StartsWith("[" + std::string(20, '#') +
                               std::string(20, '-') + "]"));
  for (int width : {60, 80, 100}) {
    EXPECT_LE(static_cast<int>(RenderProgressBar(c, 12.5, width).size()),
              width);
  }
}

TEST(ProgressBarTest, EdgeCases) {
  EXPECT_THAT(RenderProgressBar(Counts(0, 0, 0, 0, 0), 0, 80),
              HasSubstr("] 0% 0/0"));
  std::string full = RenderProgressBar(Counts(4, 0, 0, 2, 1, 1), 9.96, 80);
  EXPECT_THAT(
      full,
      HasSubstr(
          "] 100% 4/4  ok 2  failed 1  cancelled 1  in progress 0  10.0 s"));
  EXPECT_EQ(full.find('-'), std::string::npos);
}

TEST(ProgressLineTest, PlainLine) {
  resetd::v1::ResetJob job;
  job.set_state(resetd::v1::JOB_STATE_RUNNING);
  *job.mutable_counts() = Counts(500, 275, 22, 200, 3);
  EXPECT_EQ(RenderProgressLine(job, 3.1),
            "RUNNING 203/500 (40%)  ok 200  failed 3  cancelled 0  "
            "in progress 22  pending 275  3.1 s");
}

resetd::v1::ResetJob Job(resetd::v1::JobState state, int ok) {
  resetd::v1::ResetJob job;
  job.set_state(state);
  *job.mutable_counts() = Counts(10, 10 - ok, 0, ok, 0);
  return job;
}

TEST(ProgressDisplayTest, PlainLinesAreThrottledButFirstAndLastShown) {
  std::ostringstream out;
  ProgressDisplay display(out, /*is_tty=*/false, 80,
                          /*line_interval_seconds=*/5);
  display.Update(Job(resetd::v1::JOB_STATE_RUNNING, 1), 0.0);      // first
  display.Update(Job(resetd::v1::JOB_STATE_RUNNING, 2), 1.0);      // too soon
  display.Update(Job(resetd::v1::JOB_STATE_RUNNING, 3), 6.0);      // due
  display.Update(Job(resetd::v1::JOB_STATE_RUNNING, 3), 20.0);     // unchanged
  display.Update(Job(resetd::v1::JOB_STATE_SUCCEEDED, 10), 21.0);  // terminal
  display.Finish();
  EXPECT_EQ(out.str(),
            "RUNNING 1/10 (10%)  ok 1  failed 0  cancelled 0  in progress 0  "
            "pending 9  0.0 s\n"
            "RUNNING 3/10 (30%)  ok 3  failed 0  cancelled 0  in progress 0  "
            "pending 7  6.0 s\n"
            "SUCCEEDED 10/10 (100%)  ok 10  failed 0  cancelled 0  in progress "
            "0  pending 0  21.0 s\n");
}

TEST(ProgressDisplayTest, TerminalRedrawsInPlace) {
  std::ostringstream out;
  ProgressDisplay display(out, /*is_tty=*/true, 80);
  display.Update(Job(resetd::v1::JOB_STATE_RUNNING, 1), 0.0);
  display.Update(Job(resetd::v1::JOB_STATE_RUNNING, 2), 0.5);
  display.Finish();
  display.Finish();
  std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\r'), 2);
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
  EXPECT_THAT(s, HasSubstr("2/10"));
}

}  // namespace
}  // namespace resetd::cli
