// A cap on the open WatchResetJob streams of each caller, so that one
// identity cannot hold all of the server's threads and memory with streams.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace resetd::service {

class WatchSlots {
 public:
  // An open stream's slot; freed when destroyed. Movable.
  class Slot {
   public:
    Slot(Slot&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)),
          identity_(std::move(other.identity_)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_ != nullptr) owner_->Release(identity_);
    }

   private:
    friend class WatchSlots;
    Slot(WatchSlots* owner, std::string identity)
        : owner_(owner), identity_(std::move(identity)) {}
    WatchSlots* owner_;
    std::string identity_;
  };

  explicit WatchSlots(int per_identity) : per_identity_(per_identity) {}

  // A slot for one more stream of `identity`; kResourceExhausted (naming the
  // limit, limits.max_watches_per_identity) when it has per_identity open.
  // Thread-safe.
  absl::StatusOr<Slot> Acquire(const std::string& identity);

  int open(const std::string& identity) const;

 private:
  void Release(const std::string& identity);

  const int per_identity_;
  mutable absl::Mutex mu_;
  std::map<std::string, int> open_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resetd::service
