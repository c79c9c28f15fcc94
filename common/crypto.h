// Thin wrappers over OpenSSL's one-shot digests, used by every request signer
// (product clients and fakecloud alike). All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace resetd {

// Lower-case hexadecimal encoding of `bytes`.
std::string HexEncode(std::string_view bytes);

// Raw 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);

// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// Raw 20-byte HMAC-SHA1 of `data` under `key`.
std::string HmacSha1(std::string_view key, std::string_view data);

// Standard base64 (with padding) of `bytes`.
std::string Base64Encode(std::string_view bytes);

// `n` cryptographically random bytes (RAND_bytes).
std::string RandomBytes(size_t n);

// Constant-time comparison of two byte strings of possibly different length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace resetd
