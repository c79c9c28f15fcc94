#include "clients/http/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace resetd::clients::http {
namespace {

// curl_global_init is not thread-safe in every libcurl build: run it once,
// before any handle exists, and remember its outcome.
CURLcode GlobalInitOnce() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  return code;
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// DNS cache and TLS sessions shared by all handles of one transport. The
// connection cache is deliberately NOT shared: libcurl does not support
// sharing connections between concurrently running threads. Each pooled
// handle keeps its own connections alive instead.
class CurlShare {
 public:
  CurlShare() : share_(curl_share_init()) {
    if (share_ == nullptr) return;
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlShare::Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlShare::Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~CurlShare() {
    if (share_ != nullptr) curl_share_cleanup(share_);
  }
  CurlShare(const CurlShare&) = delete;
  CurlShare& operator=(const CurlShare&) = delete;

  CURLSH* get() const { return share_; }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<CurlShare*>(self)->MutexFor(data).lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<CurlShare*>(self)->MutexFor(data).unlock();
  }
  std::mutex& MutexFor(curl_lock_data data) {
    size_t i = static_cast<size_t>(data);
    return mutexes_[i < mutexes_.size() ? i : 0];
  }

  CURLSH* share_;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
};

// Seconds a pooled connection may have been idle and still be reused. Servers
// close idle keep-alive connections after their own timeout (cpp-httplib,
// hence fakecloud, and Apache: 5 s; nginx 75 s; load balancers 60 s and
// more); a connection reused just as the server closes it dies without an
// answer, and we then cannot know whether the request was applied (see
// OnPrerequest). Staying below the shortest common timeout makes that race
// rare; at the rates resetd sends, busy connections are still reused.
constexpr long kMaxIdleSecondsBeforeReuse = 4;

// What one exchange collects through libcurl's callbacks.
struct Exchange {
  HttpResponse response;
  size_t max_body = 0;
  bool too_large = false;
  int attempts = 0;  // requests libcurl was about to send (OnPrerequest)
};

// libcurl calls this once a connection is ready, just before it sends the
// request on it: once per attempt. When a reused keep-alive connection dies
// before any answer, libcurl silently sends the same request again on a new
// connection (Curl_retry_request, up to 5 times; no option turns it off).
// The server may have acted on the first one (Alibaba then answers the copy
// SignatureNonceUsed), and no rate limiter would see the copy: refuse every
// attempt after the first, and let the caller decide (Send reports
// kUnavailable, "may have been applied").
int OnPrerequest(void* user, char* /*conn_primary_ip*/, char* /*conn_local_ip*/,
                 int /*conn_primary_port*/, int /*conn_local_port*/) {
  auto* exchange = static_cast<Exchange*>(user);
  ++exchange->attempts;
  return exchange->attempts > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (exchange->response.body.size() + n > exchange->max_body) {
    exchange->too_large = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  exchange->response.body.append(data, n);
  return n;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  std::string_view line = Trim(std::string_view(data, n));
  // A new status line (after "100 Continue", say) starts a new header set.
  if (line.substr(0, 5) == "HTTP/") {
    exchange->response.headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  exchange->response.headers.emplace_back(
      std::move(name), std::string(Trim(line.substr(colon + 1))));
  return n;
}

// scheme://host[:port] of `url`, without user info, path or query: the
// query of some providers' requests carries secrets.
std::string Origin(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "<malformed url>";
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest = rest.substr(at + 1);
  return std::string(url.substr(0, scheme_end + 3)) + std::string(rest);
}

bool HasHeader(const HttpHeaders& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) {
    return h.first.size() == name.size() &&
           std::equal(name.begin(), name.end(), h.first.begin(),
                      [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) ==
                               std::tolower(static_cast<unsigned char>(b));
                      });
  });
}

absl::StatusOr<HeaderList> BuildHeaders(const HttpHeaders& headers) {
  HeaderList list;
  auto append = [&list](const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (next == nullptr) return false;
    list.release();
    list.reset(next);
    return true;
  };
  for (const auto& [name, value] : headers) {
    // "Name;" is libcurl's spelling of a header with an empty value.
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      return absl::InternalError("out of memory building HTTP headers");
    }
  }
  // No "Expect: 100-continue" round trip for larger bodies.
  if (!HasHeader(headers, "Expect") && !append("Expect:")) {
    return absl::InternalError("out of memory building HTTP headers");
  }
  return list;
}

absl::Status SetMethod(CURL* h, const HttpRequest& request) {
  const std::string& m = request.method;
  if (m.empty() || !std::all_of(m.begin(), m.end(), [](unsigned char c) {
        return std::isupper(c) != 0;
      })) {
    return absl::InvalidArgumentError("invalid HTTP method");
  }
  if (m == "GET" && request.body.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    return absl::OkStatus();
  }
  if (m != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m.c_str());
  if (m == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    return absl::OkStatus();
  }
  if (m == "POST" || !request.body.empty()) {
    // POSTFIELDS does not copy: the body stays in the caller's buffer, which
    // the caller wipes.
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  return absl::OkStatus();
}

long Millis(absl::Duration d) {
  return static_cast<long>(std::max<int64_t>(
      1, absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)))));
}

// True once any of this transfer's request went out (libcurl resets the
// count at the start of each transfer).
bool RequestSent(CURL* h) {
  long request_bytes = 0;
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes);
  return request_bytes > 0;
}

absl::StatusCode CodeFor(CURLcode code, CURL* h) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      // Nothing sent yet (connect or TLS handshake timed out): the request
      // cannot have been applied, so it is a plain "retry".
      return RequestSent(h) ? absl::StatusCode::kDeadlineExceeded
                            : absl::StatusCode::kUnavailable;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
      return absl::StatusCode::kUnavailable;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return absl::StatusCode::kFailedPrecondition;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::StatusCode::kInvalidArgument;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status TransportError(CURLcode code, CURL* h, const char* error_buffer,
                            const HttpRequest& request,
                            const Exchange& exchange) {
  if (code == CURLE_ABORTED_BY_CALLBACK && exchange.attempts > 1) {
    // OnPrerequest refused libcurl's re-send: the one request that went out
    // got no answer.
    return absl::UnavailableError(
        request.method + " " + Origin(request.url) +
        ": the connection dropped before an answer; the request may have "
        "been applied (not re-sent)");
  }
  const absl::StatusCode canonical = CodeFor(code, h);
  std::string message =
      request.method + " " + Origin(request.url) + ": " +
      (error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code)) +
      " (curl " + std::to_string(code) + ")";
  // A connection that broke after the request went out (e.g. the server
  // acted, then dropped it) is as ambiguous as a timeout.
  if (canonical == absl::StatusCode::kDeadlineExceeded ||
      (canonical == absl::StatusCode::kUnavailable && RequestSent(h))) {
    message += "; the request was sent and may have been applied";
  }
  return absl::Status(canonical, message);
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options)
      : options_(std::move(options)), init_(GlobalInitOnce()) {}

  ~CurlTransport() override {
    // Handles go before the share they point to.
    absl::MutexLock lock(&mu_);
    idle_.clear();
  }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    if (init_ != CURLE_OK) {
      return absl::InternalError(std::string("curl_global_init failed: ") +
                                 curl_easy_strerror(init_));
    }
    EasyHandle handle = Borrow();
    if (handle == nullptr) return absl::InternalError("curl_easy_init failed");
    absl::StatusOr<HttpResponse> response = Perform(handle.get(), request);
    Return(std::move(handle));
    return response;
  }

 private:
  EasyHandle Borrow() {
    {
      absl::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        // Most recently used first: its connection is the likeliest alive.
        EasyHandle handle = std::move(idle_.back());
        idle_.pop_back();
        return handle;
      }
    }
    EasyHandle handle(curl_easy_init());
    if (handle != nullptr && share_.get() != nullptr) {
      curl_easy_setopt(handle.get(), CURLOPT_SHARE, share_.get());
    }
    return handle;
  }

  void Return(EasyHandle handle) {
    absl::MutexLock lock(&mu_);
    if (idle_.size() < options_.max_idle_handles) {
      idle_.push_back(std::move(handle));
    }
  }

  absl::StatusOr<HttpResponse> Perform(CURL* h, const HttpRequest& request);
  void SetCommonOptions(CURL* h, const HttpRequest& request);

  const CurlOptions options_;
  const CURLcode init_;
  CurlShare share_;  // declared before idle_: outlives the handles
  absl::Mutex mu_;
  std::vector<EasyHandle> idle_ ABSL_GUARDED_BY(mu_);
};

void CurlTransport::SetCommonOptions(CURL* h, const HttpRequest& request) {
  // The handle comes back from Perform reset (connections, caches and the
  // share survive a reset).
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  // An empty string disables proxies, the environment's included.
  curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, kMaxIdleSecondsBeforeReuse);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, Millis(request.timeout));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   Millis(request.connect_timeout));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  }
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
}

absl::StatusOr<HttpResponse> CurlTransport::Perform(
    CURL* h, const HttpRequest& request) {
  if (request.timeout <= absl::ZeroDuration() ||
      request.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("HTTP timeouts must be positive");
  }
  SetCommonOptions(h, request);
  if (absl::Status s = SetMethod(h, request); !s.ok()) return s;
  absl::StatusOr<HeaderList> headers = BuildHeaders(request.headers);
  if (!headers.ok()) return headers.status();
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers->get());

  Exchange exchange;
  exchange.max_body = options_.max_response_bytes;
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, &OnPrerequest);
  curl_easy_setopt(h, CURLOPT_PREREQDATA, &exchange);
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);

  const CURLcode code = curl_easy_perform(h);
  absl::Status error;
  if (exchange.too_large) {
    error = absl::ResourceExhaustedError(
        request.method + " " + Origin(request.url) + ": response body over " +
        std::to_string(options_.max_response_bytes) + " bytes");
  } else if (code != CURLE_OK) {
    error = TransportError(code, h, error_buffer, request, exchange);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  // The pooled handle must not keep pointers into this call's stack, headers
  // or body; the reset keeps its connections.
  curl_easy_reset(h);
  if (!error.ok()) return error;
  exchange.response.status = static_cast<int>(status);
  return std::move(exchange.response);
}

}  // namespace

std::shared_ptr<HttpTransport> MakeCurlTransport(CurlOptions options) {
  return std::make_shared<CurlTransport>(std::move(options));
}

}  // namespace resetd::clients::http
