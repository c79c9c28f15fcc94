// Pacing of HTTP attempts: a gate that each attempt passes before it goes,
// installed per thread for the duration of one cloud call. The engine owns
// the policy (its token buckets); the transport only asks.
#pragma once

namespace resetd::clients::http {

// Decides when the next HTTP attempt of the current cloud call may go.
// One gate serves one cloud call, whose attempts all run on the thread that
// installed it (see ScopedAttemptGate); implementations need not be
// thread-safe unless they are shared between calls.
class AttemptGate {
 public:
  virtual ~AttemptGate() = default;

  // Called once before every HTTP attempt (first send and any re-send).
  // Blocks the calling thread until the attempt may go, and accounts for it
  // (metrics, logs). Never fails: an attempt that passed the gate is sent.
  virtual void BeforeAttempt() = 0;
};

// The gate installed on the calling thread, or nullptr if none is.
AttemptGate* CurrentAttemptGate();

// Installs `gate` as the calling thread's gate for the lifetime of this
// object and restores the previous one on destruction (scopes nest, like
// google-cloud-cpp's internal::OptionsSpan). A null `gate` hides any outer
// gate. `gate` must outlive the scope. Not movable: a scope belongs to the
// thread and stack frame that made it.
class ScopedAttemptGate {
 public:
  explicit ScopedAttemptGate(AttemptGate* gate);
  ~ScopedAttemptGate();
  ScopedAttemptGate(const ScopedAttemptGate&) = delete;
  ScopedAttemptGate& operator=(const ScopedAttemptGate&) = delete;

 private:
  AttemptGate* const previous_;
};

}  // namespace resetd::clients::http
