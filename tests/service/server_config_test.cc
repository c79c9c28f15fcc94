// The server part of the config: TLS or an explicit insecure, the health
// listener and the limits (service/server_config.h), through ParseConfig.
#include "service/server_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config.h"

namespace resetd::service {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<resetd::v1::Config> Parse(const std::string& server) {
  return ParseConfig(
      "{" + server +
          R"(, "providers": [{"name": "t", "kind": "tencent_cvm"}]})",
      "c.json");
}

std::string Message(const absl::StatusOr<resetd::v1::Config>& c) {
  return std::string(c.status().message());
}

TEST(ServerConfigTest, PlaintextMustBeAskedFor) {
  auto config = ParseConfig(R"({"providers": []})", "c.json");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config), HasSubstr("tls: must be set"));
  EXPECT_THAT(Message(config), HasSubstr("insecure: true"));
}

TEST(ServerConfigTest, InsecureServesHealthOnTheGrpcPort) {
  auto config = Parse(R"("insecure": true)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->health_listen(), kHealthListenOff);
  EXPECT_EQ(config->limits().max_request_bytes(), 4 * 1024 * 1024);
  EXPECT_EQ(config->limits().max_concurrent_streams(), 100);
  EXPECT_EQ(config->limits().max_watches_per_identity(), 16);
}

TEST(ServerConfigTest, TlsDefaultsAHealthPortAndAReloadInterval) {
  auto config = Parse(R"("tls": {"certFile": "c", "keyFile": "k"},
                         "auth": {"bindings": [{"identities": ["*"],
                                                "role": "viewer"}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->health_listen(), "0.0.0.0:50052");
  EXPECT_EQ(config->tls().reload_interval_s(), 60);
  EXPECT_FALSE(config->tls().require_client_cert());
}

TEST(ServerConfigTest, ExplicitValuesAreKept) {
  auto config = Parse(
      R"("tls": {"certFile": "c", "keyFile": "k", "clientCaFile": "ca",
                 "requireClientCert": true, "reloadIntervalS": 2},
         "healthListen": "127.0.0.1:0",
         "auth": {"bindings": [{"identities": ["*"], "role": "viewer"}]},
         "limits": {"maxRequestBytes": 65536, "maxConcurrentStreams": 8,
                    "maxWatchesPerIdentity": 2})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->health_listen(), "127.0.0.1:0");
  EXPECT_EQ(config->tls().reload_interval_s(), 2);
  EXPECT_EQ(config->limits().max_request_bytes(), 65536);
  EXPECT_EQ(config->limits().max_concurrent_streams(), 8);
  EXPECT_EQ(config->limits().max_watches_per_identity(), 2);
}

TEST(ServerConfigTest, EveryProblemIsNamed) {
  auto config = Parse(
      R"("insecure": true,
         "tls": {"requireClientCert": true, "reloadIntervalS": -1},
         "limits": {"maxRequestBytes": 10, "maxConcurrentStreams": -1,
                    "maxWatchesPerIdentity": -3})");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m = Message(config);
  EXPECT_THAT(m, HasSubstr("insecure: cannot be combined with tls"));
  EXPECT_THAT(m, HasSubstr("tls.cert_file: must be set"));
  EXPECT_THAT(m, HasSubstr("tls.key_file: must be set"));
  EXPECT_THAT(m, HasSubstr("tls.require_client_cert: needs "
                           "tls.client_ca_file"));
  EXPECT_THAT(m, HasSubstr("tls.reload_interval_s: must be > 0"));
  EXPECT_THAT(m, HasSubstr("limits.max_request_bytes: must be >= 1024"));
  EXPECT_THAT(m, HasSubstr("limits.max_concurrent_streams: must be > 0"));
  EXPECT_THAT(m, HasSubstr("limits.max_watches_per_identity: must be > 0"));
}

}  // namespace
}  // namespace resetd::service
