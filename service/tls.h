// Transport security of the gRPC listener: TLS from PEM files that gRPC's
// FileWatcherCertificateProvider re-reads when they change (cert-manager
// rotates them in place), optionally verifying client certificates (mTLS);
// or plaintext when the config says insecure.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "resetd/v1/config.pb.h"

namespace resetd::service {

// Reads and checks the files of `tls` now, so that a mistake fails the
// start-up with a clear message rather than every handshake later: the
// certificate chain parses, the key parses and matches the certificate, the
// client CA bundle (when set) holds at least one certificate.
// kFailedPrecondition naming the field and file; never the key's content.
absl::Status CheckTlsFiles(const resetd::v1::TlsConfig& tls);

// The listener's credentials for a defaulted, validated config: TLS (after
// CheckTlsFiles) when config.tls is set, with client certificates requested
// and verified against client_ca_file when it is set and required when
// require_client_cert; plaintext when config.insecure. The files are
// re-read every tls.reload_interval_s: new connections use the new
// certificate, open ones keep theirs.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const resetd::v1::Config& config);

}  // namespace resetd::service
