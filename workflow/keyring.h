// The keys that protect what the job store keeps: stored passwords are
// sealed with AES-256-GCM, request fingerprints are MACed, both under named
// 32-byte keys so that keys can be rotated.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/secret.h"
#include "resetd/v1/config.pb.h"

namespace resetd::workflow {

// Named 32-byte keys; the first is the current one: it seals new data,
// every key opens what it sealed. Key bytes never appear in any message.
// Immutable after construction: thread-safe.
class Keyring {
 public:
  // A ciphertext and the id of the key that sealed it.
  struct Sealed {
    std::string key_id;
    std::string sealed;  // nonce || ciphertext || tag
  };

  // A keyring of `keys` (id, 32 raw bytes), the first being current.
  // kInvalidArgument if the list is empty, an id is malformed (see
  // IsValidKeyId) or repeated, or a key is not 32 bytes.
  static absl::StatusOr<Keyring> Create(
      std::vector<std::pair<std::string, Secret>> keys);

  // One random key with id "ephemeral": for stores that do not outlive the
  // process (the in-memory store).
  static Keyring Ephemeral();

  // The id of the key that seals new data.
  const std::string& current_id() const { return keys_.front().id; }

  // Whether a key with this id is configured.
  bool Has(std::string_view key_id) const { return Find(key_id) != nullptr; }

  // The ids, current first.
  std::vector<std::string> ids() const;

  // Seals `plaintext` under the current key, authenticating `aad` with it
  // (Open needs the same aad). kInternal if encryption fails.
  absl::StatusOr<Sealed> Seal(const Secret& plaintext,
                              std::string_view aad) const;

  // Opens what Seal returned. kDataLoss if `key_id` is not configured
  // (the message names the id) or the data does not authenticate under
  // that key and `aad` (wrong key bytes, tampered data, other aad).
  absl::StatusOr<Secret> Open(std::string_view key_id, std::string_view sealed,
                              std::string_view aad) const;

  // Raw 32-byte HMAC-SHA256 of `data` under a subkey derived from key
  // `key_id` (HMAC(key, "resetd fingerprint v1")), so that fingerprints
  // survive restarts but cannot be recomputed without the key (a
  // MacFunction for NewMacFingerprinter). kDataLoss if the key is not
  // configured (a stored fingerprint made under it cannot be checked).
  absl::StatusOr<std::string> Mac(std::string_view key_id,
                                  std::string_view data) const;

 private:
  struct Entry {
    std::string id;
    Secret key;
    Secret mac_key;
  };
  explicit Keyring(std::vector<Entry> keys) : keys_(std::move(keys)) {}
  const Entry* Find(std::string_view key_id) const;

  std::vector<Entry> keys_;  // never empty
};

// Whether `id` may name a key: 1-32 characters of [A-Za-z0-9._-].
bool IsValidKeyId(std::string_view id);

// The environment variable read when the config lists no keys.
inline constexpr char kDefaultStoreKeyEnv[] = "RESETD_STORE_KEY";

// Builds the keyring `store.keys` describes: each key read from its file or
// environment variable, base64 or hex of exactly 32 bytes, surrounding
// whitespace ignored. No keys listed: one key "default" from
// $RESETD_STORE_KEY. kFailedPrecondition naming the key id and the file or
// variable (never its value) when a key is missing, unreadable or
// malformed; kInvalidArgument for a bad or repeated id or a key with both or
// neither of file and env.
absl::StatusOr<Keyring> LoadKeyring(const resetd::v1::StoreConfig& store);

// Decodes a 32-byte key written as 64 hex digits or base64 (surrounding
// whitespace trimmed). kInvalidArgument (without the text) otherwise.
absl::StatusOr<Secret> DecodeKey(std::string_view text);

}  // namespace resetd::workflow
