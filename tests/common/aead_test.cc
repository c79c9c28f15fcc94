#include "common/aead.h"

#include <string>

#include "absl/strings/escaping.h"
#include "common/crypto.h"
#include "gtest/gtest.h"

namespace resetd {
namespace {

std::string Unhex(const char* hex) { return absl::HexStringToBytes(hex); }

const std::string kKey(32, 'k');

TEST(AeadTest, RoundTrip) {
  auto sealed = Aes256GcmSeal(kKey, "s3cret-Passw0rd!", "job-1");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->size(), 12 + 16 + 16u);
  EXPECT_EQ(sealed->find("s3cret-Passw0rd!"), std::string::npos);
  auto opened = Aes256GcmOpen(kKey, *sealed, "job-1");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->Reveal(), "s3cret-Passw0rd!");
}

TEST(AeadTest, EmptyPlaintextRoundTrips) {
  auto sealed = Aes256GcmSeal(kKey, "", "");
  ASSERT_TRUE(sealed.ok());
  auto opened = Aes256GcmOpen(kKey, *sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(opened->empty());
}

TEST(AeadTest, NoncesAreFresh) {
  auto a = Aes256GcmSeal(kKey, "same", "aad");
  auto b = Aes256GcmSeal(kKey, "same", "aad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(AeadTest, EveryTamperedByteIsDetected) {
  auto sealed = Aes256GcmSeal(kKey, "password", "job-1");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    std::string bad = *sealed;
    bad[i] ^= 0x01;
    auto opened = Aes256GcmOpen(kKey, bad, "job-1");
    ASSERT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << i;
    EXPECT_EQ(opened.status().message(),
              "AES-256-GCM: wrong key or corrupted data");
  }
}

TEST(AeadTest, TruncatedInputIsDataLoss) {
  auto sealed = Aes256GcmSeal(kKey, "password", "");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(Aes256GcmOpen(kKey, sealed->substr(0, 27), "").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(Aes256GcmOpen(kKey, sealed->substr(0, sealed->size() - 1), "")
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(AeadTest, WrongKeyIsDataLoss) {
  auto sealed = Aes256GcmSeal(kKey, "password", "job-1");
  ASSERT_TRUE(sealed.ok());
  auto opened = Aes256GcmOpen(std::string(32, 'x'), *sealed, "job-1");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
}

TEST(AeadTest, WrongAadIsDataLoss) {
  auto sealed = Aes256GcmSeal(kKey, "password", "job-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(Aes256GcmOpen(kKey, *sealed, "job-2").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(Aes256GcmOpen(kKey, *sealed, "").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(AeadTest, KeyMustBe32Bytes) {
  EXPECT_EQ(Aes256GcmSeal(std::string(16, 'k'), "p", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Aes256GcmOpen(std::string(33, 'k'), std::string(40, 'x'), "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// "The Galois/Counter Mode of Operation" (McGrew & Viega), test case 16:
// AES-256, 96-bit IV, 20 bytes of AAD, 60 bytes of plaintext.
TEST(AeadTest, MatchesGcmSpecTestCase16) {
  const std::string key =
      Unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const std::string iv = Unhex("cafebabefacedbaddecaf888");
  const std::string aad = Unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const std::string plaintext = Unhex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  auto sealed = internal::Aes256GcmSealWithNonce(key, iv, plaintext, aad);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(HexEncode(*sealed),
            "cafebabefacedbaddecaf888"
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
            "76fc6ece0f4e1768cddf8853bb2d551b");
  auto opened = Aes256GcmOpen(key, *sealed, aad);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->Reveal(), plaintext);
}

// Test case 13: zero key, zero IV, nothing to encrypt: the tag alone.
TEST(AeadTest, MatchesGcmSpecTestCase13) {
  auto sealed = internal::Aes256GcmSealWithNonce(std::string(32, '\0'),
                                                 std::string(12, '\0'), "", "");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexEncode(sealed->substr(12)), "530f8afbc74536b9a963b4f1c4cb738b");
}

}  // namespace
}  // namespace resetd
