// An instance's steps, kept compact: the API's Step proto is built only when
// asked for. The strings of a step (its action, outcome and request id) live
// once per job in a StringTable: a batch call's request id is shared by up
// to 100 instances, and actions and outcomes take a handful of values.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::workflow {

// Strings by a small index; each distinct string is kept once. Indices and
// references stay valid while the table lives.
class StringTable {
 public:
  uint32_t Intern(std::string_view s);
  const std::string& operator[](uint32_t i) const { return strings_[i]; }
  size_t size() const { return strings_.size(); }

 private:
  std::deque<std::string> strings_;  // stable addresses for index_'s keys
  absl::flat_hash_map<std::string_view, uint32_t> index_;
};

// One side effect on one instance (the API's Step); strings in the job's
// StringTable.
struct TaskStep {
  int64_t start_ns = 0;  // Unix nanoseconds
  int64_t end_ns = 0;
  uint32_t action = 0;
  uint32_t outcome = 0;
  uint32_t request_id = 0;
};

TaskStep MakeStep(StringTable& strings, std::string_view action,
                  absl::Time start, absl::Time end, std::string_view outcome,
                  std::string_view request_id);
TaskStep StepFromProto(const resetd::v1::Step& step, StringTable& strings);
void StepToProto(const TaskStep& step, const StringTable& strings,
                 resetd::v1::Step* out);

}  // namespace resetd::workflow
