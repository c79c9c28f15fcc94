// One cloud call as the scheduler plans it, and its outcome; plus the
// Dispatcher that runs calls off the scheduler's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clients/cloud_client.h"
#include "clients/http/attempt_gate.h"
#include "workflow/recipe.h"

namespace resetd::workflow {

// A call the scheduler has planned: one action of one provider's client in
// one region, for up to the provider's batch limit of instance ids. Plain
// data; `client` and `reset` are shared with the scheduler.
struct CloudCall {
  uint64_t call_id = 0;  // unique per scheduler; matches its CallOutcome
  std::string provider;
  std::string region;
  Action action = Action::kDescribe;
  std::vector<std::string> ids;
  clients::StopMode stop_mode = clients::StopMode::kSoft;
  std::shared_ptr<const clients::ResetPasswordParams> reset;  // kResetPassword
  std::shared_ptr<clients::CloudClient> client;
  // Passed by every HTTP attempt the client makes for this call (installed
  // by ExecuteCall around the client call); null = attempts go unpaced.
  std::shared_ptr<clients::http::AttemptGate> gate;
};

// What came of a CloudCall: OK with the provider's request id (and, for
// Describe, the observed statuses), or the client's error with its
// ProviderError payload. `latency` is the call's wall time.
struct CallOutcome {
  uint64_t call_id = 0;
  absl::Status status;
  std::string request_id;                          // accepted calls
  std::vector<clients::InstanceStatus> statuses;   // kDescribe
  absl::Duration latency;
};

// Sends `call` through its client, synchronously, and reports the outcome.
// `call.gate` is the calling thread's AttemptGate while the client runs.
CallOutcome ExecuteCall(const CloudCall& call);

// Runs calls somewhere and reports each outcome exactly once. Thread-safe.
class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // Runs `call` (now or later, on any thread) and calls `done` with its
  // outcome exactly once, on the thread that ran it.
  virtual void Dispatch(CloudCall call,
                        std::function<void(CallOutcome)> done) = 0;
};

// Runs each call on the calling thread (deterministic tests).
class InlineDispatcher final : public Dispatcher {
 public:
  void Dispatch(CloudCall call, std::function<void(CallOutcome)> done) override {
    done(ExecuteCall(call));
  }
};

// Runs calls on `threads` worker threads; the destructor waits for the
// calls already dispatched.
std::unique_ptr<Dispatcher> NewThreadPoolDispatcher(int threads);

}  // namespace resetd::workflow
