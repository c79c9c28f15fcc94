#include "cli/tls_diagnosis.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace resetd::cli {
namespace {

using CtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using SslPtr = std::unique_ptr<SSL, decltype(&SSL_free)>;

// "host:port" or "[v6]:port".
bool SplitHostPort(const std::string& server, std::string& host,
                   std::string& port) {
  const size_t colon = server.rfind(':');
  if (colon == std::string::npos) return false;
  host = server.substr(0, colon);
  port = server.substr(colon + 1);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return !host.empty() && !port.empty();
}

// A connected TCP socket with 3-second timeouts, or -1.
int Dial(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    timeval timeout{3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

std::string LastSslReason() {
  const unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = e == 0 ? nullptr : ERR_reason_error_string(e);
  return reason == nullptr ? "" : reason;
}

std::string VerifyFailure(long result, const ConnectionOptions& o,
                          const std::string& name) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "resetd's certificate has expired: renew it";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "resetd's certificate is not valid yet (check the clocks)";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "resetd's certificate does not name " + name +
             ": connect by a name it holds or pass --tls-server-name";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "resetd's certificate is not signed by the CA of --tls-ca " +
             o.tls_ca;
    default:
      return std::string("resetd's certificate does not verify: ") +
             X509_verify_cert_error_string(result);
  }
}

// What the server says, after the handshake, about our certificate: a
// healthy resetd speaks first (HTTP/2 settings); one that refuses the
// client's certificate sends an alert or hangs up.
std::string AlertAfterHandshake(SSL* ssl, const ConnectionOptions& o) {
  char byte;
  const int n = SSL_read(ssl, &byte, 1);
  if (n > 0) return "";  // it talks: all is well
  const int error = SSL_get_error(ssl, n);
  if (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    return "";  // silent for 3 s: not a certificate problem
  }
  const std::string reason = LastSslReason();
  if (o.tls_cert.empty() || absl::StrContains(reason, "certificate required")) {
    return "resetd requires a client certificate: pass --tls-cert and "
           "--tls-key";
  }
  return "resetd refused the client certificate of --tls-cert" +
         (reason.empty() ? std::string() : " (" + reason + ")") +
         ": it must come from a CA resetd trusts and be valid";
}

}  // namespace

std::string DiagnoseTls(const ConnectionOptions& o) {
  std::string host, port;
  if (!SplitHostPort(o.server, host, port)) return "";
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  if (ctx == nullptr || SSL_CTX_load_verify_locations(
                            ctx.get(), o.tls_ca.c_str(), nullptr) != 1) {
    return "";
  }
  if (!o.tls_cert.empty() &&
      (SSL_CTX_use_certificate_chain_file(ctx.get(), o.tls_cert.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx.get(), o.tls_key.c_str(),
                                   SSL_FILETYPE_PEM) != 1)) {
    ERR_clear_error();
    return "--tls-cert and --tls-key do not load as a certificate and its key";
  }
  const std::string name = o.tls_server_name.empty() ? host : o.tls_server_name;
  const int fd = Dial(host, port);
  if (fd < 0) return "";
  SslPtr ssl(SSL_new(ctx.get()), &SSL_free);
  SSL_set_fd(ssl.get(), fd);
  SSL_set1_host(ssl.get(), name.c_str());
  SSL_set_tlsext_host_name(ssl.get(), name.c_str());
  std::string out;
  if (SSL_connect(ssl.get()) != 1) {
    const std::string reason = LastSslReason();
    if (absl::StrContains(reason, "wrong version number") ||
        absl::StrContains(reason, "packet length too long")) {
      out = "resetd at " + o.server +
            " does not speak TLS: drop --tls-ca if it is meant to be plaintext";
    } else if (SSL_get_verify_result(ssl.get()) != X509_V_OK) {
      out = VerifyFailure(SSL_get_verify_result(ssl.get()), o, name);
    } else if (!reason.empty()) {
      out = "the TLS handshake with resetd failed: " + reason;
    }
  } else if (SSL_get_verify_result(ssl.get()) != X509_V_OK) {
    // Verification failed but was not enforced here (SSL_VERIFY_NONE), so
    // that its result can be read.
    out = VerifyFailure(SSL_get_verify_result(ssl.get()), o, name);
  } else {
    out = AlertAfterHandshake(ssl.get(), o);
  }
  close(fd);
  return out;
}

}  // namespace resetd::cli
