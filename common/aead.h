// Authenticated encryption of small secrets (stored passwords) with
// AES-256-GCM through OpenSSL's EVP interface. All functions are pure and
// thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/secret.h"

namespace resetd {

inline constexpr size_t kAes256GcmKeySize = 32;
inline constexpr size_t kAes256GcmNonceSize = 12;
inline constexpr size_t kAes256GcmTagSize = 16;

// Encrypts `plaintext` under the 32-byte `key32` with a fresh random 96-bit
// nonce and authenticates it together with `aad` (not encrypted, not
// included in the output; Open must be given the same bytes). Returns
// nonce(12) || ciphertext || tag(16). kInvalidArgument if the key is not 32
// bytes; kInternal if OpenSSL fails.
absl::StatusOr<std::string> Aes256GcmSeal(std::string_view key32,
                                          std::string_view plaintext,
                                          std::string_view aad);

// Reverses Aes256GcmSeal. kInvalidArgument if the key is not 32 bytes;
// kDataLoss ("wrong key or corrupted data") if `sealed` is too short or does
// not authenticate under this key and `aad`. No plaintext is returned, or
// left in memory, unless the tag verifies.
absl::StatusOr<Secret> Aes256GcmOpen(std::string_view key32,
                                     std::string_view sealed,
                                     std::string_view aad);

namespace internal {
// Aes256GcmSeal with a caller-chosen 12-byte nonce: for known-answer tests
// only. Reusing a nonce under one key destroys GCM's security.
absl::StatusOr<std::string> Aes256GcmSealWithNonce(std::string_view key32,
                                                   std::string_view nonce12,
                                                   std::string_view plaintext,
                                                   std::string_view aad);
}  // namespace internal

}  // namespace resetd
