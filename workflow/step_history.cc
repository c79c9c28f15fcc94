#include "workflow/step_history.h"

#include "google/protobuf/util/time_util.h"

namespace resetd::workflow {

using google::protobuf::util::TimeUtil;

uint32_t StringTable::Intern(std::string_view s) {
  if (auto it = index_.find(s); it != index_.end()) return it->second;
  const auto i = static_cast<uint32_t>(strings_.size());
  strings_.emplace_back(s);
  index_.emplace(strings_.back(), i);
  return i;
}

TaskStep MakeStep(StringTable& strings, std::string_view action,
                  absl::Time start, absl::Time end, std::string_view outcome,
                  std::string_view request_id) {
  TaskStep s;
  s.start_ns = absl::ToUnixNanos(start);
  s.end_ns = absl::ToUnixNanos(end);
  s.action = strings.Intern(action);
  s.outcome = strings.Intern(outcome);
  s.request_id = strings.Intern(request_id);
  return s;
}

TaskStep StepFromProto(const resetd::v1::Step& step, StringTable& strings) {
  TaskStep s;
  s.start_ns = TimeUtil::TimestampToNanoseconds(step.start_time());
  s.end_ns = TimeUtil::TimestampToNanoseconds(step.end_time());
  s.action = strings.Intern(step.action());
  s.outcome = strings.Intern(step.outcome());
  s.request_id = strings.Intern(step.request_id());
  return s;
}

void StepToProto(const TaskStep& step, const StringTable& strings,
                 resetd::v1::Step* out) {
  out->set_action(strings[step.action]);
  *out->mutable_start_time() = TimeUtil::NanosecondsToTimestamp(step.start_ns);
  *out->mutable_end_time() = TimeUtil::NanosecondsToTimestamp(step.end_ns);
  out->set_outcome(strings[step.outcome]);
  out->set_request_id(strings[step.request_id]);
}

}  // namespace resetd::workflow
