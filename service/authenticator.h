// Authentication: the Caller of an RPC, from its bearer token or its client
// certificate. The handlers ask; authorization (authz.h) decides.
#pragma once

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "service/caller.h"

namespace resetd::service {

class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // The caller of `context`. A call that sends "authorization: Bearer <t>"
  // is the identity of token <t> (kUnauthenticated when <t> is not listed or
  // the header is malformed; the message never contains the token). Else the
  // identity of its verified client certificate (URI SAN, e.g. a SPIFFE ID;
  // else the first DNS SAN; else the subject CN). Else a Caller with an empty
  // identity. Thread-safe.
  virtual absl::StatusOr<Caller> Authenticate(
      const grpc::ServerContext& context) const = 0;
};

}  // namespace resetd::service
