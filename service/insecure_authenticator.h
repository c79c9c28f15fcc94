// TEMPORARY: the Authenticator of a plaintext server without auth, until the
// TLS/token Authenticator is wired into main.cc. Every caller is
// "anonymous" with Source::kInsecure, which authorization treats as admin
// only while no auth bindings are configured (development mode, authz.h).
#pragma once

#include "service/authenticator.h"

namespace resetd::service {

// Thread-safe (stateless).
class InsecureAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Caller> Authenticate(
      const grpc::ServerContext& context) const override {
    return Caller{kAnonymous, Caller::Source::kInsecure, context.peer()};
  }
};

}  // namespace resetd::service
