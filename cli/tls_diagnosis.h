// Why a TLS connection to resetd failed, in one sentence. gRPC reports most
// handshake failures as "certificate verify failed" or "Socket closed";
// after such a failure resetctl connects once more with OpenSSL itself,
// with the same CA, certificate and name, and reads the precise reason:
// OpenSSL's verification result (expired, unknown CA, wrong name) or the
// alert the server sent (client certificate required or refused).
#pragma once

#include <string>

#include "cli/connection.h"

namespace resetd::cli {

// The sentence for what went wrong, or "" when the handshake succeeds or
// the server cannot be reached at all. Connects to options.server only
// (3-second timeouts). Never includes key material.
std::string DiagnoseTls(const ConnectionOptions& options);

}  // namespace resetd::cli
