// How resetctl reaches resetd: plaintext, TLS (--tls-ca), mTLS (--tls-cert,
// --tls-key), a bearer token read from a file, and what to tell the operator
// when the two sides disagree.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace resetd::cli {

struct ConnectionOptions {
  std::string server;           // HOST:PORT
  std::string tls_ca;           // PEM CA bundle; set = speak TLS
  std::string tls_cert;         // client certificate chain (PEM)
  std::string tls_key;          // its private key (PEM)
  std::string tls_server_name;  // name to verify instead of HOST
  std::string token_file;       // first line: the bearer token
  std::string token;            // the token itself (RESETCTL_TOKEN only)
};

// The environment variables that stand for the flags when these are not
// given: RESETCTL_TLS_CA, RESETCTL_TLS_CERT, RESETCTL_TLS_KEY,
// RESETCTL_TLS_SERVER_NAME, RESETCTL_TOKEN_FILE; and RESETCTL_TOKEN, the
// token itself, used when no token file is given (never a flag: a flag value
// shows in `ps` and shell history). `getenv` is injectable for tests.
void ApplyEnvironment(ConnectionOptions& options,
                      const char* (*getenv)(const char*));

// A channel to options.server. kInvalidArgument when the options do not fit
// together (a certificate without its key, TLS names or a token without
// --tls-ca: a token is never sent in plaintext) or a file cannot be read;
// the messages name the flag and file, never a file's content.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const ConnectionOptions& options);

// For a call that failed before reaching resetd (UNAVAILABLE at connection
// or handshake): one sentence saying what disagrees (TLS against plaintext,
// a certificate from an unknown CA, an expired certificate, a client
// certificate the server requires or refuses) and what to do. Empty when
// the status is not such a failure.
std::string ConnectionHint(const grpc::Status& status,
                           const ConnectionOptions& options);

}  // namespace resetd::cli
