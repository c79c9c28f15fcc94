// A decorator that makes every HTTP attempt pass the calling thread's
// AttemptGate (rate limit, metrics, log) before it reaches the wire.
#pragma once

#include <memory>

#include "clients/http/attempt_gate.h"
#include "clients/http/http_transport.h"

namespace resetd::clients::http {

// Returns a transport whose Send first calls CurrentAttemptGate()->
// BeforeAttempt() (if a gate is installed on the calling thread; otherwise
// it goes at once) and then delegates to `inner`, returning its result
// unchanged. One Send is one attempt: `inner` must not re-send by itself
// (CurlTransport does not), or the gate would not see the re-send.
// Thread-safe if `inner` is. `inner` must not be null.
std::shared_ptr<HttpTransport> MakePacedTransport(
    std::shared_ptr<HttpTransport> inner);

}  // namespace resetd::clients::http
