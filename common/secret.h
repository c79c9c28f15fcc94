// A secret value (password, secret key) that cannot be printed by accident.
#pragma once

#include <string>
#include <string_view>

namespace resetd {

// Holds a secret. It has no operator<<, no implicit conversion to string and
// no formatter: the only way to read it is the explicit Reveal(). The buffer
// is wiped with OPENSSL_cleanse when the Secret is destroyed or overwritten.
// Not thread-safe for mutation; const access from many threads is fine.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value);
  Secret(const Secret& other);
  Secret& operator=(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // The plaintext. Callers must not copy it into anything that outlives the
  // call that needs it (logs, errors, metrics).
  std::string_view Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }

  // Equal iff both hold the same bytes (constant time).
  bool Equals(const Secret& other) const;

 private:
  void Wipe();
  std::string value_;
};

// Wipes the bytes of `s` in place (then clears it).
void WipeString(std::string& s);

}  // namespace resetd
