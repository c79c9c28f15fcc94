#include "fakecloud/call_log.h"

namespace resetd::fakecloud {

void CallLog::Add(CallRecord record) {
  absl::MutexLock lock(&mu_);
  calls_.push_back(std::move(record));
}

std::vector<CallRecord> CallLog::Calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

void CallLog::Clear() {
  absl::MutexLock lock(&mu_);
  calls_.clear();
}

nlohmann::json CallLog::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (const CallRecord& c : Calls()) {
    out.push_back({{"time", c.time_ms},
                   {"provider", c.provider},
                   {"action", c.action},
                   {"region", c.region},
                   {"secret_id", c.secret_id},
                   {"instance_ids", c.instance_ids},
                   {"request_id", c.request_id},
                   {"result", c.result},
                   {"params", c.params}});
  }
  return out;
}

}  // namespace resetd::fakecloud
