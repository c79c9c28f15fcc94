// For handler tests: the Authenticator of an insecure server without role
// bindings, as PeerAuthenticator behaves there when a call brings neither a
// token nor a certificate. Every caller is "anonymous" with
// Source::kInsecure, which authorization treats as admin only while no
// bindings are configured (development mode, authz.h).
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
