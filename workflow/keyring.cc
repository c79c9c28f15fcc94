#include "workflow/keyring.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "common/aead.h"
#include "common/crypto.h"

namespace resetd::workflow {
namespace {

constexpr char kFingerprintLabel[] = "resetd fingerprint v1";

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Base64 (standard, then URL-safe) into a heap buffer that is moved, not
// copied, into the Secret, so no stray copy of the key is left behind.
bool Base64ToSecret(std::string_view text, Secret& out) {
  std::string bytes;
  bytes.reserve(64);
  const absl::string_view in(text.data(), text.size());
  const bool ok = absl::Base64Unescape(in, &bytes) ||
                  absl::WebSafeBase64Unescape(in, &bytes);
  if (ok && bytes.size() == kAes256GcmKeySize) {
    out = Secret(std::move(bytes));
    return true;
  }
  WipeString(bytes);
  return false;
}

// The contents of `path` in `out`; false if it cannot be read.
bool ReadKeyFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.reserve(256);
  out.assign(std::istreambuf_iterator<char>(in), {});
  return !in.bad();
}

// The text of key `key` (from its file or variable) or an error naming
// where it was looked for.
absl::StatusOr<Secret> ReadKeyText(const resetd::v1::EncryptionKey& key) {
  const std::string where = key.file().empty()
                                ? "environment variable " + key.env()
                                : "file " + key.file();
  std::string text;
  if (!key.file().empty()) {
    if (!ReadKeyFile(key.file(), text)) {
      WipeString(text);
      return absl::FailedPreconditionError("store key " + Quoted(key.id()) +
                                           ": cannot read " + where);
    }
  } else {
    const char* value = std::getenv(key.env().c_str());
    if (value == nullptr || *value == '\0') {
      return absl::FailedPreconditionError("store key " + Quoted(key.id()) +
                                           ": " + where + " is not set");
    }
    text.reserve(256);
    text.assign(value);
  }
  auto decoded = DecodeKey(text);
  WipeString(text);
  if (!decoded.ok()) {
    return absl::FailedPreconditionError(
        "store key " + Quoted(key.id()) + ": " + where +
        " must hold 32 bytes as 64 hex digits or base64");
  }
  return decoded;
}

absl::Status CheckKeySource(const resetd::v1::EncryptionKey& key) {
  if (!IsValidKeyId(key.id())) {
    return absl::InvalidArgumentError(
        "store key id " + Quoted(key.id()) +
        ": must be 1-32 characters of A-Z a-z 0-9 . _ -");
  }
  if (key.file().empty() == key.env().empty()) {
    return absl::InvalidArgumentError("store key " + Quoted(key.id()) +
                                      ": set exactly one of file and env");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<Secret> DecodeKey(std::string_view text) {
  const absl::string_view trimmed =
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  const std::string_view t(trimmed.data(), trimmed.size());
  Secret key;
  if (t.size() == 2 * kAes256GcmKeySize && IsHex(t)) {
    std::string bytes;
    bytes.reserve(64);
    bytes = absl::HexStringToBytes(trimmed);
    key = Secret(std::move(bytes));
    return key;
  }
  if (Base64ToSecret(t, key)) return key;
  return absl::InvalidArgumentError(
      "a key must be 32 bytes as 64 hex digits or base64");
}

absl::StatusOr<Keyring> Keyring::Create(
    std::vector<std::pair<std::string, Secret>> keys) {
  if (keys.empty()) return absl::InvalidArgumentError("keyring: no keys");
  std::set<std::string> ids;
  std::vector<Entry> entries;
  for (auto& [id, key] : keys) {
    if (!IsValidKeyId(id)) {
      return absl::InvalidArgumentError("keyring: invalid key id " +
                                        Quoted(id));
    }
    if (!ids.insert(id).second) {
      return absl::InvalidArgumentError("keyring: duplicate key id " +
                                        Quoted(id));
    }
    if (key.size() != kAes256GcmKeySize) {
      return absl::InvalidArgumentError("keyring: key " + Quoted(id) +
                                        " is not 32 bytes");
    }
    Secret mac_key(HmacSha256(key.Reveal(), kFingerprintLabel));
    entries.push_back(Entry{id, std::move(key), std::move(mac_key)});
  }
  return Keyring(std::move(entries));
}

Keyring Keyring::Ephemeral() {
  std::vector<std::pair<std::string, Secret>> keys;
  keys.emplace_back("ephemeral", Secret(RandomBytes(kAes256GcmKeySize)));
  return *Create(std::move(keys));
}

std::vector<std::string> Keyring::ids() const {
  std::vector<std::string> out;
  for (const Entry& e : keys_) out.push_back(e.id);
  return out;
}

const Keyring::Entry* Keyring::Find(std::string_view key_id) const {
  for (const Entry& e : keys_) {
    if (e.id == key_id) return &e;
  }
  return nullptr;
}

absl::StatusOr<Keyring::Sealed> Keyring::Seal(const Secret& plaintext,
                                              std::string_view aad) const {
  const Entry& current = keys_.front();
  auto sealed = Aes256GcmSeal(current.key.Reveal(), plaintext.Reveal(), aad);
  if (!sealed.ok()) return sealed.status();
  return Sealed{current.id, *std::move(sealed)};
}

absl::StatusOr<Secret> Keyring::Open(std::string_view key_id,
                                     std::string_view sealed,
                                     std::string_view aad) const {
  const Entry* entry = Find(key_id);
  if (entry == nullptr) {
    return absl::DataLossError("sealed with key " + Quoted(key_id) +
                               ", which is not configured (configured: " +
                               absl::StrJoin(ids(), ", ") + ")");
  }
  auto opened = Aes256GcmOpen(entry->key.Reveal(), sealed, aad);
  if (!opened.ok() && opened.status().code() == absl::StatusCode::kDataLoss) {
    return absl::DataLossError("key " + Quoted(key_id) +
                               ": wrong key or corrupted data");
  }
  return opened;
}

absl::StatusOr<std::string> Keyring::Mac(std::string_view key_id,
                                         std::string_view data) const {
  const Entry* entry = Find(key_id);
  if (entry == nullptr) {
    return absl::DataLossError("key " + Quoted(key_id) + " is not configured");
  }
  return HmacSha256(entry->mac_key.Reveal(), data);
}

absl::StatusOr<Keyring> LoadKeyring(const resetd::v1::StoreConfig& store) {
  resetd::v1::StoreConfig effective = store;
  if (effective.keys().empty()) {
    auto* key = effective.add_keys();
    key->set_id("default");
    key->set_env(kDefaultStoreKeyEnv);
  }
  std::vector<std::pair<std::string, Secret>> keys;
  std::set<std::string> ids;
  for (const auto& key : effective.keys()) {
    if (absl::Status s = CheckKeySource(key); !s.ok()) return s;
    if (!ids.insert(key.id()).second) {
      return absl::InvalidArgumentError("store key id " + Quoted(key.id()) +
                                        ": listed twice");
    }
    auto secret = ReadKeyText(key);
    if (!secret.ok()) return secret.status();
    keys.emplace_back(key.id(), *std::move(secret));
  }
  return Keyring::Create(std::move(keys));
}

}  // namespace resetd::workflow
