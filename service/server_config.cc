#include "service/server_config.h"

namespace resetd::service {

using resetd::v1::Config;

void DefaultServerConfig(Config& config) {
  // Plaintext serves health on the gRPC port itself.
  if (config.health_listen().empty()) {
    config.set_health_listen(config.insecure() ? kHealthListenOff
                                               : kDefaultHealthListen);
  }
  if (config.has_tls() && config.tls().reload_interval_s() == 0) {
    config.mutable_tls()->set_reload_interval_s(kDefaultTlsReloadIntervalS);
  }
  resetd::v1::ServerLimits& limits = *config.mutable_limits();
  if (limits.max_request_bytes() == 0) {
    limits.set_max_request_bytes(kDefaultMaxRequestBytes);
  }
  if (limits.max_concurrent_streams() == 0) {
    limits.set_max_concurrent_streams(kDefaultMaxConcurrentStreams);
  }
  if (limits.max_watches_per_identity() == 0) {
    limits.set_max_watches_per_identity(kDefaultMaxWatchesPerIdentity);
  }
}

void CheckServerConfig(const Config& config, std::vector<std::string>& errors) {
  if (!config.has_tls() && !config.insecure()) {
    errors.push_back(
        "tls: must be set (certFile, keyFile), or insecure: true to serve "
        "gRPC in plaintext");
  }
  if (config.has_tls() && config.insecure()) {
    errors.push_back("insecure: cannot be combined with tls");
  }
  if (config.has_tls()) {
    const resetd::v1::TlsConfig& tls = config.tls();
    if (tls.cert_file().empty()) errors.push_back("tls.cert_file: must be set");
    if (tls.key_file().empty()) errors.push_back("tls.key_file: must be set");
    if (tls.require_client_cert() && tls.client_ca_file().empty()) {
      errors.push_back(
          "tls.require_client_cert: needs tls.client_ca_file (the CA that "
          "client certificates are verified against)");
    }
    if (tls.reload_interval_s() <= 0) {
      errors.push_back("tls.reload_interval_s: must be > 0");
    }
  }
  const resetd::v1::ServerLimits& limits = config.limits();
  if (limits.max_request_bytes() < 1024) {
    errors.push_back("limits.max_request_bytes: must be >= 1024");
  }
  if (limits.max_concurrent_streams() <= 0) {
    errors.push_back("limits.max_concurrent_streams: must be > 0");
  }
  if (limits.max_watches_per_identity() <= 0) {
    errors.push_back("limits.max_watches_per_identity: must be > 0");
  }
}

}  // namespace resetd::service
