#include "cli/connection.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "cli/tls_diagnosis.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace resetd::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& flag,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(flag + ": cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The token: the first line of the file, trimmed.
absl::StatusOr<std::string> ReadToken(const std::string& path) {
  auto text = ReadFile("--token-file", path);
  if (!text.ok()) return text.status();
  std::string line = text->substr(0, text->find('\n'));
  absl::StripAsciiWhitespace(&line);
  if (line.empty()) {
    return absl::InvalidArgumentError("--token-file: " + path +
                                      " holds no token on its first line");
  }
  return line;
}

absl::Status CheckCombination(const ConnectionOptions& o) {
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together (the client certificate and "
        "its key)");
  }
  if (o.tls_ca.empty() && (!o.tls_cert.empty() || !o.tls_server_name.empty())) {
    return absl::InvalidArgumentError(
        "--tls-cert, --tls-key and --tls-server-name need --tls-ca (the CA "
        "that signed resetd's certificate)");
  }
  if (o.tls_ca.empty() && (!o.token_file.empty() || !o.token.empty())) {
    return absl::InvalidArgumentError(
        "a bearer token (--token-file, RESETCTL_TOKEN) needs --tls-ca: a "
        "token is never sent in plaintext");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsCredentials(
    const ConnectionOptions& o) {
  grpc::SslCredentialsOptions ssl;
  auto ca = ReadFile("--tls-ca", o.tls_ca);
  if (!ca.ok()) return ca.status();
  ssl.pem_root_certs = *std::move(ca);
  if (!o.tls_cert.empty()) {
    auto cert = ReadFile("--tls-cert", o.tls_cert);
    if (!cert.ok()) return cert.status();
    auto key = ReadFile("--tls-key", o.tls_key);
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::SslCredentials(ssl);
  if (o.token_file.empty() && o.token.empty()) return creds;
  auto token = o.token_file.empty() ? absl::StatusOr<std::string>(o.token)
                                    : ReadToken(o.token_file);
  if (!token.ok()) return token.status();
  return grpc::CompositeChannelCredentials(
      creds, grpc::AccessTokenCredentials(*token));
}

bool Has(const std::string& text, std::string_view what) {
  return absl::StrContains(
      absl::AsciiStrToLower(text),
      absl::AsciiStrToLower(absl::string_view(what.data(), what.size())));
}

}  // namespace

void ApplyEnvironment(ConnectionOptions& options,
                      const char* (*getenv)(const char*)) {
  auto fill = [getenv](std::string& field, const char* name) {
    const char* value = getenv(name);
    if (field.empty() && value != nullptr) field = value;
  };
  fill(options.tls_ca, "RESETCTL_TLS_CA");
  fill(options.tls_cert, "RESETCTL_TLS_CERT");
  fill(options.tls_key, "RESETCTL_TLS_KEY");
  fill(options.tls_server_name, "RESETCTL_TLS_SERVER_NAME");
  fill(options.token_file, "RESETCTL_TOKEN_FILE");
  if (options.token_file.empty()) fill(options.token, "RESETCTL_TOKEN");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const ConnectionOptions& options) {
  if (absl::Status s = CheckCombination(options); !s.ok()) return s;
  grpc::ChannelArguments args;
  if (options.tls_ca.empty()) {
    return grpc::CreateCustomChannel(options.server,
                                     grpc::InsecureChannelCredentials(), args);
  }
  auto creds = TlsCredentials(options);
  if (!creds.ok()) return creds.status();
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  return grpc::CreateCustomChannel(options.server, *creds, args);
}

std::string ConnectionHint(const grpc::Status& status,
                           const ConnectionOptions& o) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return "";
  const std::string& m = status.error_message();
  const bool transport = Has(m, "failed to connect") ||
                         Has(m, "Socket closed") || Has(m, "handshake") ||
                         Has(m, "Connection reset") || Has(m, "Peer name");
  if (!transport) return "";
  if (o.tls_ca.empty()) {
    return "cannot talk to resetd at " + o.server +
           " in plaintext: if it uses TLS, pass --tls-ca (and --tls-cert, "
           "--tls-key for mTLS); if it is down, start it";
  }
  std::string diagnosis = DiagnoseTls(o);
  if (!diagnosis.empty()) return diagnosis;
  if (Has(m, "Peer name")) {
    return "resetd's certificate does not name the host of --server: pass "
           "--tls-server-name";
  }
  return "cannot reach resetd at " + o.server + " over TLS (is it running?)";
}

}  // namespace resetd::cli
