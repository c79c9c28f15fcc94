#include "common/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "absl/status/status.h"
#include "common/crypto.h"

namespace resetd {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

absl::Status CheckKey(std::string_view key32) {
  if (key32.size() == kAes256GcmKeySize) return absl::OkStatus();
  return absl::InvalidArgumentError("AES-256-GCM key must be 32 bytes");
}

// A context initialised for AES-256-GCM with a 96-bit nonce, `encrypt` or
// decrypt, and `aad` already fed in.
absl::StatusOr<CtxPtr> NewContext(bool encrypt, std::string_view key32,
                                  std::string_view nonce12,
                                  std::string_view aad) {
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr,
                        encrypt ? 1 : 0) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                          static_cast<int>(nonce12.size()), nullptr) == 1 &&
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, Bytes(key32),
                        Bytes(nonce12), -1) == 1 &&
      (aad.empty() || EVP_CipherUpdate(ctx.get(), nullptr, &len, Bytes(aad),
                                       static_cast<int>(aad.size())) == 1);
  if (!ok) return absl::InternalError("AES-256-GCM: OpenSSL setup failed");
  return ctx;
}

absl::Status DataLoss() {
  return absl::DataLossError("AES-256-GCM: wrong key or corrupted data");
}

}  // namespace

namespace internal {

absl::StatusOr<std::string> Aes256GcmSealWithNonce(std::string_view key32,
                                                   std::string_view nonce12,
                                                   std::string_view plaintext,
                                                   std::string_view aad) {
  if (absl::Status s = CheckKey(key32); !s.ok()) return s;
  if (nonce12.size() != kAes256GcmNonceSize) {
    return absl::InvalidArgumentError("AES-256-GCM nonce must be 12 bytes");
  }
  auto ctx = NewContext(/*encrypt=*/true, key32, nonce12, aad);
  if (!ctx.ok()) return ctx.status();
  std::string out(nonce12);
  out.resize(nonce12.size() + plaintext.size() + kAes256GcmTagSize);
  unsigned char* body = Bytes(out) + nonce12.size();
  int len = 0, final_len = 0;
  const bool ok =
      (plaintext.empty() ||
       EVP_CipherUpdate(ctx->get(), body, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1) &&
      EVP_CipherFinal_ex(ctx->get(), body + len, &final_len) == 1 &&
      static_cast<size_t>(len + final_len) == plaintext.size() &&
      EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_GET_TAG, kAes256GcmTagSize,
                          body + plaintext.size()) == 1;
  if (!ok) return absl::InternalError("AES-256-GCM: encryption failed");
  return out;
}

}  // namespace internal

absl::StatusOr<std::string> Aes256GcmSeal(std::string_view key32,
                                          std::string_view plaintext,
                                          std::string_view aad) {
  return internal::Aes256GcmSealWithNonce(
      key32, RandomBytes(kAes256GcmNonceSize), plaintext, aad);
}

absl::StatusOr<Secret> Aes256GcmOpen(std::string_view key32,
                                     std::string_view sealed,
                                     std::string_view aad) {
  if (absl::Status s = CheckKey(key32); !s.ok()) return s;
  if (sealed.size() < kAes256GcmNonceSize + kAes256GcmTagSize)
    return DataLoss();
  const std::string_view nonce = sealed.substr(0, kAes256GcmNonceSize);
  const std::string_view body =
      sealed.substr(kAes256GcmNonceSize,
                    sealed.size() - kAes256GcmNonceSize - kAes256GcmTagSize);
  std::string tag(sealed.substr(sealed.size() - kAes256GcmTagSize));
  auto ctx = NewContext(/*encrypt=*/false, key32, nonce, aad);
  if (!ctx.ok()) return ctx.status();
  // Plaintext lands here before the tag is checked: wiped on every path
  // that does not hand it to a Secret. Kept on the heap (capacity beyond the
  // short-string buffer) so that moving it into the Secret moves the pointer
  // and leaves no copy of the bytes behind on the stack.
  std::string plain;
  plain.reserve(std::max<size_t>(body.size(), 32));
  plain.resize(body.size());
  int len = 0, final_len = 0;
  const bool ok =
      (body.empty() ||
       EVP_CipherUpdate(ctx->get(), Bytes(plain), &len, Bytes(body),
                        static_cast<int>(body.size())) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_SET_TAG, kAes256GcmTagSize,
                          tag.data()) == 1 &&
      EVP_CipherFinal_ex(ctx->get(), Bytes(plain) + len, &final_len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return DataLoss();
  }
  return Secret(std::move(plain));
}

}  // namespace resetd
