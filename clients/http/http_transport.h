// The narrow HTTP interface the provider clients speak through. A client
// builds a complete request (signed headers included) and gets the raw
// response back; retries, logging and metrics are decorators around it, not
// features of it. Tests substitute a scripted fake.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace resetd::clients::http {

// Header list in sending order. Names are sent as given.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";  // "GET", "POST", ...
  std::string url;              // absolute: scheme://host[:port]/path[?query]
  // A "Host" header here replaces the one derived from the URL.
  HttpHeaders headers;
  // May hold a password: transports never log or copy it beyond the call,
  // and the caller wipes it (WipeString) once Send returns.
  std::string body;
  absl::Duration timeout =
      absl::Seconds(10);  // whole exchange, connect included
  absl::Duration connect_timeout = absl::Seconds(3);
};

struct HttpResponse {
  int status = 0;       // HTTP status code of the final response
  HttpHeaders headers;  // names lower-cased, values trimmed, in arrival order
  std::string body;

  // Value of the first header named `lower_case_name`, or nullptr.
  const std::string* Header(std::string_view lower_case_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_case_name) return &value;
    }
    return nullptr;
  }
};

// Sends one HTTP request and returns the provider's response, whatever its
// status code (a 500 is a response, not a transport error).
//
// At most one transmission per Send: an implementation never re-sends a
// request by itself (not even after a reused connection dropped), so that
// every request that can reach the server is one Send, seen by the
// decorators around the transport (rate limit, metrics). Re-sending is the
// caller's decision.
//
// Thread-safety: implementations are thread-safe; Send may be called
// concurrently from any number of threads and blocks only its caller.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Performs `request`. Returns the response on any HTTP status. Errors:
  //   kUnavailable: no response — connection refused or failed, name not
  //     resolved, TLS handshake failed, connect timed out before anything
  //     was sent, or the connection broke. The request was not applied if
  //     the failure came before it was sent; a broken connection after the
  //     request was sent (e.g. a reused connection that dropped before an
  //     answer) means it may have been applied: observe before re-sending.
  //   kDeadlineExceeded: `timeout` passed after the request was (possibly)
  //     sent. The server may have received and applied it.
  //   kInvalidArgument: malformed URL or unsupported scheme or method.
  //   kFailedPrecondition: the server's TLS certificate did not verify.
  //   kResourceExhausted: the response exceeded the transport's size cap.
  //   kInternal: the transport itself failed (out of memory, setup).
  // Error messages never contain the request or response body.
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace resetd::clients::http
