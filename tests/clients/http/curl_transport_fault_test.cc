// CurlTransport when the server acts on a request and then drops the
// connection without answering: libcurl must not re-send the request behind
// the caller's back (and so behind the rate limiter), and the caller must
// learn that the request may have been applied. The server is raw sockets on
// 127.0.0.1 (port 0): cpp-httplib cannot drop a connection mid-request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "clients/http/curl_transport.h"
#include "clients/http/paced_transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/clients/http/counting_gate.h"
#include "tests/clients/http/loopback_socket.h"

namespace resetd::clients::http {
namespace {

using ::testing::HasSubstr;

// How the server drops a connection: an orderly close (FIN) or a reset.
enum class Drop { kClose, kReset };

// An HTTP/1.1 server that serves one connection at a time. It reads each
// request whole and counts it ("the server acted"); it answers 200 with
// keep-alive, except the requests whose numbers (1-based, over the server's
// life) are in `drop`: after counting those it drops the connection without
// a byte of answer. Thread-safe accessors.
class DroppingServer {
 public:
  DroppingServer(std::set<int> drop, Drop how)
      : drop_(std::move(drop)), how_(how) {
    listen_fd_ = BindLoopback(/*listening=*/true, port_);
    thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~DroppingServer() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      // Wakes accept() and recv() (Linux): the loop sees stopping_ and ends.
      shutdown(listen_fd_, SHUT_RDWR);
      if (conn_fd_ >= 0) shutdown(conn_fd_, SHUT_RDWR);
    }
    thread_.join();
    close(listen_fd_);
  }

  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/";
  }
  // Requests read whole so far, answered or dropped.
  int requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  void AcceptLoop() {
    for (;;) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      {
        absl::MutexLock lock(&mu_);
        if (fd < 0 || stopping_) {
          if (fd >= 0) close(fd);
          return;
        }
        conn_fd_ = fd;
      }
      const bool reset = Serve(fd);
      absl::MutexLock lock(&mu_);
      if (reset) {
        linger hard{1, 0};  // close() then sends RST instead of FIN
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
      }
      close(fd);
      conn_fd_ = -1;
    }
  }

  // Serves requests on `fd` until the client leaves or a request is to be
  // dropped; returns true if the drop is to be a reset.
  bool Serve(int fd) {
    std::string buffer;
    while (ReadRequest(fd, buffer)) {
      int number;
      {
        absl::MutexLock lock(&mu_);
        number = ++requests_;
      }
      if (drop_.count(number)) return how_ == Drop::kReset;
      static constexpr char kAnswer[] =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          "Content-Length: 2\r\n\r\n{}";
      if (send(fd, kAnswer, sizeof(kAnswer) - 1, MSG_NOSIGNAL) < 0) break;
    }
    return false;
  }

  // Reads one whole request (head and Content-Length body) from `fd`,
  // keeping what follows it in `buffer`. False when the peer is gone.
  static bool ReadRequest(int fd, std::string& buffer) {
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(fd, buffer)) return false;
    }
    const size_t total =
        head_end + 4 + ContentLength(buffer.substr(0, head_end));
    while (buffer.size() < total) {
      if (!ReadMore(fd, buffer)) return false;
    }
    buffer.erase(0, total);
    return true;
  }
  static bool ReadMore(int fd, std::string& buffer) {
    char chunk[4096];
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }
  // The Content-Length of a request head (without its blank line), or 0.
  static size_t ContentLength(const std::string& head) {
    constexpr std::string_view kName = "\r\ncontent-length:";
    const std::string lower = absl::AsciiStrToLower(head);
    const size_t at = lower.find(kName);
    if (at == std::string::npos) return 0;
    const size_t start = at + kName.size();
    const size_t end = lower.find("\r\n", start);  // npos: the last line
    const absl::string_view value =
        absl::string_view(lower).substr(start, end - start);
    size_t length = 0;
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &length) ? length
                                                                        : 0;
  }

  const std::set<int> drop_;
  const Drop how_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int conn_fd_ ABSL_GUARDED_BY(mu_) = -1;
  int requests_ ABSL_GUARDED_BY(mu_) = 0;
};

HttpRequest Post(const std::string& url) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"InstanceIds":["ins-1"]})";
  request.timeout = absl::Seconds(5);
  request.connect_timeout = absl::Seconds(2);
  return request;
}

class CurlDropTest : public ::testing::TestWithParam<Drop> {};

// The request that reached the server on a reused keep-alive connection, and
// was dropped there, is not re-sent: the server sees it once, the caller
// hears "may have been applied", and every request the server saw passed
// the gate.
TEST_P(CurlDropTest, DropAfterActingOnAReusedConnectionIsNotResent) {
  DroppingServer server(/*drop=*/{2}, GetParam());
  CountingGate gate;
  ScopedAttemptGate scope(&gate);
  auto transport = MakePacedTransport(MakeCurlTransport());

  ASSERT_TRUE(transport->Send(Post(server.Url())).ok());  // opens the pool
  const absl::Status dropped = transport->Send(Post(server.Url())).status();
  EXPECT_EQ(dropped.code(), absl::StatusCode::kUnavailable) << dropped;
  EXPECT_THAT(dropped.message(), HasSubstr("may have been applied"));
  EXPECT_THAT(dropped.message(), HasSubstr("not re-sent"));
  EXPECT_EQ(server.requests(), 2) << "libcurl re-sent the dropped request";

  // The transport goes on, on a fresh connection.
  auto after = transport->Send(Post(server.Url()));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->body, "{}");
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(gate.attempts(), server.requests());
}

// On a fresh connection libcurl does not retry by itself; the error still
// says that the request went out and may have been applied.
TEST_P(CurlDropTest, DropAfterActingOnAFreshConnectionSaysMayHaveBeenApplied) {
  DroppingServer server(/*drop=*/{1}, GetParam());
  CountingGate gate;
  ScopedAttemptGate scope(&gate);
  auto transport = MakePacedTransport(MakeCurlTransport());

  const absl::Status dropped = transport->Send(Post(server.Url())).status();
  EXPECT_EQ(dropped.code(), absl::StatusCode::kUnavailable) << dropped;
  EXPECT_THAT(dropped.message(), HasSubstr("may have been applied"));
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(gate.attempts(), server.requests());
}

INSTANTIATE_TEST_SUITE_P(Drops, CurlDropTest,
                         ::testing::Values(Drop::kClose, Drop::kReset),
                         [](const ::testing::TestParamInfo<Drop>& info) {
                           return info.param == Drop::kClose ? "Close"
                                                             : "Reset";
                         });

}  // namespace
}  // namespace resetd::clients::http
