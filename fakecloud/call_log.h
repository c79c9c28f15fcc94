// The record of every API call fakecloud answered, for tests to inspect
// through GET /_fake/calls. Never holds a password.
#pragma once

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"

namespace resetd::fakecloud {

struct CallRecord {
  double time_ms = 0;    // unix time in milliseconds
  std::string provider;  // ProviderName() of the API that answered
  std::string action;
  std::string region;
  std::string secret_id;
  std::vector<std::string> instance_ids;
  std::string request_id;
  std::string result;     // "OK" or the error code
  nlohmann::json params;  // the request parameters without Password
};

// Thread-safe, append-only until Clear().
class CallLog {
 public:
  void Add(CallRecord record);
  std::vector<CallRecord> Calls() const;
  void Clear();

  // The records as the admin endpoint serves them (a JSON array).
  nlohmann::json ToJson() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<CallRecord> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resetd::fakecloud
