// The only place that names concrete provider clients: one maker per kind
// of service/provider_kinds.cc, each loading its kind's credentials (files
// or environment; never logged) and sharing one paced libcurl transport.
// Linked into the resetd executable only (the service library stays free
// of concrete clients).
#pragma once

#include "service/provider_setup.h"

namespace resetd::service {

// Every HTTP attempt of the clients it makes passes the engine's gate of its
// call (token bucket, resetd_provider_http_attempts_total); libcurl never
// re-sends behind it. Unknown kinds: kInvalidArgument.
CloudClientFactory MakeClientFactory();

}  // namespace resetd::service
