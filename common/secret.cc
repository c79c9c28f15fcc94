#include "common/secret.h"

#include <openssl/crypto.h>

#include <utility>

#include "common/crypto.h"

namespace resetd {

void WipeString(std::string& s) {
  // Wipe the whole capacity: short-string buffers and shrunk strings alike.
  if (s.capacity() > 0) OPENSSL_cleanse(s.data(), s.capacity());
  s.clear();
}

Secret::Secret(std::string value) : value_(std::move(value)) {}
Secret::Secret(const Secret& other) : value_(other.value_) {}
Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}
Secret::Secret(Secret&& other) noexcept : value_(other.value_) { other.Wipe(); }
Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
    other.Wipe();
  }
  return *this;
}
Secret::~Secret() { Wipe(); }

bool Secret::Equals(const Secret& other) const {
  return ConstantTimeEquals(value_, other.value_);
}

void Secret::Wipe() { WipeString(value_); }

}  // namespace resetd
