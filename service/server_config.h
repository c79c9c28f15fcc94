// The gRPC server's part of the config: transport security (tls or an
// explicit insecure), the plaintext health listener and the server limits.
#pragma once

#include <string>
#include <vector>

#include "resetd/v1/config.pb.h"

namespace resetd::service {

inline constexpr char kDefaultHealthListen[] = "0.0.0.0:50052";
inline constexpr char kHealthListenOff[] = "off";
inline constexpr int kDefaultTlsReloadIntervalS = 60;
inline constexpr int kDefaultMaxRequestBytes = 4 * 1024 * 1024;
inline constexpr int kDefaultMaxConcurrentStreams = 100;
inline constexpr int kDefaultMaxWatchesPerIdentity = 16;

// health_listen ("0.0.0.0:50052" with tls, "off" when insecure: the gRPC
// port serves health then), tls.reload_interval_s (when tls is set) and
// limits.
void DefaultServerConfig(resetd::v1::Config& config);

// Appends a message per problem: neither tls nor insecure (plaintext must
// be asked for), both, tls without cert_file or key_file,
// require_client_cert without client_ca_file, reload interval or limits
// out of range. Files are read (and checked) at start-up, not here.
void CheckServerConfig(const resetd::v1::Config& config,
                       std::vector<std::string>& errors);

}  // namespace resetd::service
