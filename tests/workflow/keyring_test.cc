#include "workflow/keyring.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/crypto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::workflow {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kKeyA(32, 'a');
const std::string kKeyB(32, 'b');

Keyring Make(std::vector<std::pair<std::string, std::string>> keys) {
  std::vector<std::pair<std::string, Secret>> secrets;
  for (auto& [id, bytes] : keys) secrets.emplace_back(id, Secret(bytes));
  auto ring = Keyring::Create(std::move(secrets));
  EXPECT_TRUE(ring.ok()) << ring.status();
  return *std::move(ring);
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/keyring_test_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

resetd::v1::EncryptionKey FileKey(const std::string& id,
                                  const std::string& path) {
  resetd::v1::EncryptionKey key;
  key.set_id(id);
  key.set_file(path);
  return key;
}

resetd::v1::EncryptionKey EnvKey(const std::string& id,
                                 const std::string& var) {
  resetd::v1::EncryptionKey key;
  key.set_id(id);
  key.set_env(var);
  return key;
}

TEST(KeyringTest, SealsUnderCurrentKeyAndOpens) {
  Keyring ring = Make({{"a", kKeyA}});
  auto sealed = ring.Seal(Secret("hunter2-Hunter2"), "job-1");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->key_id, "a");
  EXPECT_THAT(sealed->sealed, Not(HasSubstr("hunter2")));
  auto opened = ring.Open("a", sealed->sealed, "job-1");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->Reveal(), "hunter2-Hunter2");
}

TEST(KeyringTest, RotationNewDataUsesFirstKeyOldDataStillOpens) {
  Keyring old_ring = Make({{"a", kKeyA}});
  auto under_a = old_ring.Seal(Secret("old-password"), "job-1");
  ASSERT_TRUE(under_a.ok());
  Keyring rotated = Make({{"b", kKeyB}, {"a", kKeyA}});
  EXPECT_EQ(rotated.current_id(), "b");
  EXPECT_THAT(rotated.ids(), ElementsAre("b", "a"));
  auto opened = rotated.Open(under_a->key_id, under_a->sealed, "job-1");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->Reveal(), "old-password");
  auto under_b = rotated.Seal(Secret("new-password"), "job-2");
  ASSERT_TRUE(under_b.ok());
  EXPECT_EQ(under_b->key_id, "b");
}

TEST(KeyringTest, MissingKeyIsDataLossNamingTheIdNotTheBytes) {
  Keyring a = Make({{"old", kKeyA}});
  auto sealed = a.Seal(Secret("p"), "job-1");
  ASSERT_TRUE(sealed.ok());
  Keyring b = Make({{"new", kKeyB}});
  auto opened = b.Open("old", sealed->sealed, "job-1");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.status().message()),
              HasSubstr("key 'old', which is not configured"));
  EXPECT_THAT(std::string(opened.status().message()), Not(HasSubstr(kKeyB)));
}

TEST(KeyringTest, WrongKeyBytesUnderSameIdIsDataLoss) {
  auto sealed = Make({{"k", kKeyA}}).Seal(Secret("p"), "job-1");
  ASSERT_TRUE(sealed.ok());
  auto opened = Make({{"k", kKeyB}}).Open("k", sealed->sealed, "job-1");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.status().message()),
              HasSubstr("wrong key or corrupted data"));
}

TEST(KeyringTest, AadBindsTheCiphertextToItsJob) {
  Keyring ring = Make({{"a", kKeyA}});
  auto sealed = ring.Seal(Secret("p"), "job-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(ring.Open("a", sealed->sealed, "job-2").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeyringTest, CreateRejectsBadKeyrings) {
  EXPECT_FALSE(Keyring::Create({}).ok());
  std::vector<std::pair<std::string, Secret>> dup;
  dup.emplace_back("a", Secret(kKeyA));
  dup.emplace_back("a", Secret(kKeyB));
  EXPECT_THAT(std::string(Keyring::Create(std::move(dup)).status().message()),
              HasSubstr("duplicate key id 'a'"));
  std::vector<std::pair<std::string, Secret>> short_key;
  short_key.emplace_back("a", Secret(std::string(31, 'x')));
  EXPECT_EQ(Keyring::Create(std::move(short_key)).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<std::pair<std::string, Secret>> bad_id;
  bad_id.emplace_back("a/b", Secret(kKeyA));
  EXPECT_FALSE(Keyring::Create(std::move(bad_id)).ok());
}

TEST(KeyringTest, KeyIdPattern) {
  EXPECT_TRUE(IsValidKeyId("default"));
  EXPECT_TRUE(IsValidKeyId("k-2024.01_a"));
  EXPECT_TRUE(IsValidKeyId(std::string(32, 'x')));
  EXPECT_FALSE(IsValidKeyId(""));
  EXPECT_FALSE(IsValidKeyId(std::string(33, 'x')));
  EXPECT_FALSE(IsValidKeyId("a b"));
  EXPECT_FALSE(IsValidKeyId("a'b"));
}

TEST(KeyringTest, MacIsStableKeyedAndDerived) {
  Keyring ring = Make({{"a", kKeyA}, {"b", kKeyB}});
  auto mac = ring.Mac("a", "request");
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(mac->size(), 32u);
  // Same key bytes in another process (another Keyring): same MAC.
  EXPECT_EQ(*Make({{"a", kKeyA}}).Mac("a", "request"), *mac);
  EXPECT_NE(*ring.Mac("b", "request"), *mac);
  EXPECT_NE(*ring.Mac("a", "request2"), *mac);
  // Under a subkey, not the encryption key itself.
  EXPECT_NE(*mac, HmacSha256(kKeyA, "request"));
  EXPECT_EQ(*mac,
            HmacSha256(HmacSha256(kKeyA, "resetd fingerprint v1"), "request"));
  EXPECT_EQ(ring.Mac("zzz", "x").status().code(), absl::StatusCode::kDataLoss);
}

TEST(KeyringTest, EphemeralKeyringsWorkAndDiffer) {
  Keyring a = Keyring::Ephemeral();
  Keyring b = Keyring::Ephemeral();
  EXPECT_EQ(a.current_id(), "ephemeral");
  auto sealed = a.Seal(Secret("p"), "j");
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(a.Open("ephemeral", sealed->sealed, "j").ok());
  EXPECT_FALSE(b.Open("ephemeral", sealed->sealed, "j").ok());
}

TEST(DecodeKeyTest, AcceptsHexAndBase64WithTrailingNewline) {
  auto hex = DecodeKey(HexEncode(kKeyA) + "\n");
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(hex->Reveal(), kKeyA);
  auto b64 = DecodeKey(Base64Encode(kKeyB) + "\r\n");
  ASSERT_TRUE(b64.ok());
  EXPECT_EQ(b64->Reveal(), kKeyB);
  const std::string binary = "\xfb\xff\xfe" + std::string(29, '\xff');
  std::string web_safe = Base64Encode(binary);
  for (char& c : web_safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
  auto web = DecodeKey(web_safe);
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(web->Reveal(), binary);
}

TEST(DecodeKeyTest, RejectsWrongLengths) {
  EXPECT_FALSE(DecodeKey(HexEncode(std::string(31, 'a'))).ok());
  EXPECT_FALSE(DecodeKey(Base64Encode(std::string(33, 'a'))).ok());
  EXPECT_FALSE(DecodeKey("").ok());
  EXPECT_FALSE(DecodeKey("not a key at all!").ok());
}

TEST(LoadKeyringTest, ReadsFilesAndEnvInOrder) {
  ::setenv("KEYRING_TEST_B", Base64Encode(kKeyB).c_str(), 1);
  resetd::v1::StoreConfig store;
  *store.add_keys() = FileKey("a", WriteTemp("a.key", HexEncode(kKeyA) + "\n"));
  *store.add_keys() = EnvKey("b", "KEYRING_TEST_B");
  auto ring = LoadKeyring(store);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->current_id(), "a");
  auto sealed = Make({{"b", kKeyB}}).Seal(Secret("p"), "j");
  EXPECT_TRUE(ring->Open("b", sealed->sealed, "j").ok());
  ::unsetenv("KEYRING_TEST_B");
}

TEST(LoadKeyringTest, NoKeysMeansDefaultFromResetdStoreKey) {
  ::setenv("RESETD_STORE_KEY", HexEncode(kKeyA).c_str(), 1);
  auto ring = LoadKeyring(resetd::v1::StoreConfig());
  ::unsetenv("RESETD_STORE_KEY");
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->current_id(), "default");
  auto unset = LoadKeyring(resetd::v1::StoreConfig());
  EXPECT_EQ(unset.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(unset.status().message()),
              HasSubstr("RESETD_STORE_KEY is not set"));
}

TEST(LoadKeyringTest, ProblemsNameTheSourceNeverTheValue) {
  resetd::v1::StoreConfig missing;
  *missing.add_keys() = FileKey("k1", "/nonexistent/store.key");
  auto s = LoadKeyring(missing).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("store key 'k1': cannot read file "
                        "/nonexistent/store.key"));

  const std::string bad_value = "c2VjcmV0LWJ1dC10b28tc2hvcnQ=";
  resetd::v1::StoreConfig malformed;
  *malformed.add_keys() = FileKey("k2", WriteTemp("bad.key", bad_value));
  s = LoadKeyring(malformed).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("k2"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("bad.key"));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr(bad_value)));

  ::setenv("KEYRING_TEST_BAD", bad_value.c_str(), 1);
  resetd::v1::StoreConfig env;
  *env.add_keys() = EnvKey("k3", "KEYRING_TEST_BAD");
  s = LoadKeyring(env).status();
  ::unsetenv("KEYRING_TEST_BAD");
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("environment variable KEYRING_TEST_BAD"));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr(bad_value)));
}

TEST(LoadKeyringTest, RejectsDuplicateIdsAndAmbiguousSources) {
  const std::string path = WriteTemp("ok.key", HexEncode(kKeyA));
  resetd::v1::StoreConfig dup;
  *dup.add_keys() = FileKey("k", path);
  *dup.add_keys() = FileKey("k", path);
  EXPECT_THAT(std::string(LoadKeyring(dup).status().message()),
              HasSubstr("'k': listed twice"));
  resetd::v1::StoreConfig both;
  auto* key = both.add_keys();
  *key = FileKey("k", path);
  key->set_env("X");
  EXPECT_EQ(LoadKeyring(both).status().code(),
            absl::StatusCode::kInvalidArgument);
  resetd::v1::StoreConfig neither;
  neither.add_keys()->set_id("k");
  EXPECT_EQ(LoadKeyring(neither).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace resetd::workflow
