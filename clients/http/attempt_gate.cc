#include "clients/http/attempt_gate.h"

namespace resetd::clients::http {
namespace {

// Per thread: a cloud call and all of its HTTP attempts run on one
// dispatcher thread, so the gate needs no lock to be found.
thread_local AttemptGate* current_gate = nullptr;

}  // namespace

AttemptGate* CurrentAttemptGate() { return current_gate; }

ScopedAttemptGate::ScopedAttemptGate(AttemptGate* gate)
    : previous_(current_gate) {
  current_gate = gate;
}

ScopedAttemptGate::~ScopedAttemptGate() { current_gate = previous_; }

}  // namespace resetd::clients::http
