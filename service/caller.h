// Who is calling: the identity an RPC is authorized and audited under.
#pragma once

#include <string>

namespace resetd::service {

struct Caller {
  // Where the identity comes from.
  enum class Source {
    kNone,         // nothing presented (identity empty)
    kCertificate,  // the verified client certificate
    kToken,        // a bearer token listed in auth.tokens_file
    kInsecure,     // a plaintext server without auth: "anonymous", all rights
  };
  std::string identity;  // empty = unauthenticated
  Source source = Source::kNone;
  std::string peer;  // grpc's peer address, e.g. "ipv4:127.0.0.1:51234"

  bool authenticated() const { return !identity.empty(); }
};

// The identity of jobs created on an insecure server without auth.
inline constexpr char kAnonymous[] = "anonymous";

}  // namespace resetd::service
