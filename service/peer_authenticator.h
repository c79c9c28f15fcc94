// The Authenticator of the gRPC server: a bearer token listed in
// auth.tokens_file, else the verified client certificate's identity, else
// nobody — or "anonymous" on an insecure server without role bindings
// (development only).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/server_context.h"
#include "resetd/v1/config.pb.h"
#include "service/authenticator.h"
#include "service/token_file.h"
#include "spdlog/logger.h"

namespace resetd::service {

// The identity of the verified client certificate of `auth`: its first URI
// SAN (e.g. a SPIFFE ID), else its first DNS SAN, else its subject CN.
// Empty when the peer presented no verified certificate.
std::string CertificateIdentity(const grpc::AuthContext& auth);

class PeerAuthenticator final : public Authenticator {
 public:
  // `tokens` may be null (no tokens accepted). `anonymous_allowed`: callers
  // without a token or certificate are "anonymous" (insecure, no bindings).
  PeerAuthenticator(std::unique_ptr<TokenFile> tokens, bool anonymous_allowed)
      : tokens_(std::move(tokens)), anonymous_allowed_(anonymous_allowed) {}

  // From a defaulted, validated config: opens auth.tokens_file when set.
  static absl::StatusOr<std::unique_ptr<PeerAuthenticator>> FromConfig(
      const resetd::v1::Config& config, spdlog::logger& log);

  absl::StatusOr<Caller> Authenticate(
      const grpc::ServerContext& context) const override {
    return AuthenticateAny(context);
  }
  // The same for any server context (callback and generic services too).
  absl::StatusOr<Caller> AuthenticateAny(
      const grpc::ServerContextBase& context) const;

 private:
  const std::unique_ptr<TokenFile> tokens_;
  const bool anonymous_allowed_;
};

}  // namespace resetd::service
