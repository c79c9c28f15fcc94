// An AttemptGate for tests: counts the attempts that pass it and never
// blocks, so a test can compare what the gate saw with what was sent.
#pragma once

#include <atomic>
#include <functional>
#include <utility>

#include "clients/http/attempt_gate.h"

namespace resetd::clients::http {

// Thread-safe. BeforeAttempt() counts, then runs the optional hook (e.g. to
// record the order of gate passes and sends).
class CountingGate final : public AttemptGate {
 public:
  CountingGate() = default;
  explicit CountingGate(std::function<void()> hook) : hook_(std::move(hook)) {}

  void BeforeAttempt() override {
    attempts_.fetch_add(1);
    if (hook_) hook_();
  }
  // The attempts that passed the gate so far.
  int attempts() const { return attempts_.load(); }

 private:
  const std::function<void()> hook_;
  std::atomic<int> attempts_{0};
};

}  // namespace resetd::clients::http
