// The libcurl implementation of HttpTransport.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "clients/http/http_transport.h"

namespace resetd::clients::http {

struct CurlOptions {
  // Proxy URL, e.g. "http://proxy:3128". Empty: no proxy at all — the
  // http_proxy / HTTPS_PROXY / ALL_PROXY environment variables are ignored,
  // so they cannot redirect signed requests.
  std::string proxy;
  // Verify the server's TLS certificate and host name (https).
  bool verify_tls = true;
  // CA bundle file; empty = the system default.
  std::string ca_file;
  // Idle easy handles kept for reuse (each keeps its open connections
  // alive). More concurrent callers than this still work; the surplus
  // handles are closed when returned.
  size_t max_idle_handles = 32;
  // Largest accepted response body; larger ones fail with kResourceExhausted.
  size_t max_response_bytes = 16 << 20;
  std::string user_agent = "resetd/0.1";
};

// Returns a thread-safe HttpTransport over libcurl. HTTP/1.1 with keep-alive:
// each concurrent caller borrows an easy handle from a pool, and a handle's
// connections stay open for the next call to the same host. DNS results and
// TLS sessions are shared between handles. Signals are not used
// (CURLOPT_NOSIGNAL), redirects are not followed, only http and https are
// allowed. Each Send transmits its request at most once: libcurl's own
// re-send after a reused connection died unanswered is refused and reported
// as kUnavailable ("may have been applied"); connections idle for 4 s or
// more are not reused, so that servers' idle timeouts rarely cause it. Calls
// curl_global_init once per process. Nothing is logged.
std::shared_ptr<HttpTransport> MakeCurlTransport(CurlOptions options = {});

}  // namespace resetd::clients::http
