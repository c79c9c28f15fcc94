#include "clients/http/curl_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/clients/http/loopback_socket.h"

namespace resetd::clients::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// An httplib server on 127.0.0.1, port 0, that records the client ports of
// the requests it serves (one port = one connection).
class TestServer {
 public:
  explicit TestServer(const std::function<void(httplib::Server&)>& routes) {
    routes(server_);
    server_.set_keep_alive_max_count(1000);
    server_.set_tcp_nodelay(true);  // else Nagle + delayed ACK: 40 ms a call
    server_.set_logger(
        [this](const httplib::Request& req, const httplib::Response&) {
          absl::MutexLock lock(&mu_);
          ports_.insert(req.remote_port);
        });
    // The socket listens from here on: requests queue until the loop runs.
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TestServer() {
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  size_t connections() const {
    absl::MutexLock lock(&mu_);
    return ports_.size();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::set<int> ports_ ABSL_GUARDED_BY(mu_);
};

// A TCP port on 127.0.0.1 that is bound but not listening: connecting to it
// is refused, and no other process can take it while this object lives.
class RefusingPort {
 public:
  RefusingPort() { fd_ = BindLoopback(/*listening=*/false, port_); }
  ~RefusingPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that completes TCP handshakes (into the backlog)
// but never reads or answers: a TLS handshake with it hangs.
class SilentPort {
 public:
  SilentPort() { fd_ = BindLoopback(/*listening=*/true, port_); }
  ~SilentPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

HttpRequest Post(const std::string& url, std::string body = "{}") {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  request.timeout = absl::Seconds(5);
  request.connect_timeout = absl::Seconds(2);
  return request;
}

void EchoRoutes(httplib::Server& s) {
  s.Post("/", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Seen-Host", req.get_header_value("Host"));
    res.set_header("X-Seen-Action", req.get_header_value("X-TC-Action"));
    res.set_header("X-Seen-Expect", req.has_header("Expect") ? "yes" : "no");
    res.set_content(req.body, "application/json");
  });
  s.Get("/status/503", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("busy", "text/plain");
  });
  s.Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(4096, 'x'), "text/plain");
  });
}

TEST(CurlTransportTest, PostsBodyAndHeadersAndReturnsResponse) {
  TestServer server(EchoRoutes);
  auto transport = MakeCurlTransport();
  HttpRequest request = Post(server.Url(), std::string(4000, 'a'));
  request.headers.emplace_back("Host", "cvm.tencentcloudapi.com:1234");
  request.headers.emplace_back("X-TC-Action", "DescribeInstances");
  auto response = transport->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, std::string(4000, 'a'));
  ASSERT_NE(response->Header("x-seen-host"), nullptr);  // names lower-cased
  EXPECT_EQ(*response->Header("x-seen-host"), "cvm.tencentcloudapi.com:1234");
  EXPECT_EQ(*response->Header("x-seen-action"), "DescribeInstances");
  EXPECT_EQ(*response->Header("x-seen-expect"), "no");  // no 100-continue
  EXPECT_EQ(*response->Header("content-type"), "application/json");
}

TEST(CurlTransportTest, Non200IsAResponseNotAnError) {
  TestServer server(EchoRoutes);
  HttpRequest request = Post(server.Url("/status/503"), "");
  request.method = "GET";
  auto response = MakeCurlTransport()->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "busy");
}

TEST(CurlTransportTest, SequentialCallsReuseOneConnection) {
  TestServer server(EchoRoutes);
  auto transport = MakeCurlTransport();
  for (int i = 0; i < 10; ++i) {
    auto response = transport->Send(Post(server.Url()));
    ASSERT_TRUE(response.ok()) << response.status();
  }
  EXPECT_EQ(server.connections(), 1u);
}

TEST(CurlTransportTest, ConcurrentCallersEachKeepAConnection) {
  TestServer server(EchoRoutes);
  auto transport = MakeCurlTransport();
  constexpr int kThreads = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string body = std::to_string(t) + "-" + std::to_string(i);
        auto response = transport->Send(Post(server.Url(), body));
        if (!response.ok() || response->body != body) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(server.connections(), static_cast<size_t>(kThreads));
}

TEST(CurlTransportTest, TimeoutIsDeadlineExceeded) {
  absl::Notification release;
  TestServer server([&release](httplib::Server& s) {
    s.Post("/", [&release](const httplib::Request&, httplib::Response& res) {
      release.WaitForNotification();
      res.set_content("late", "text/plain");
    });
  });
  HttpRequest request = Post(server.Url());
  request.timeout = absl::Milliseconds(200);
  absl::Status status = MakeCurlTransport()->Send(request).status();
  release.Notify();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_THAT(status.message(), HasSubstr("may have been applied"));
}

TEST(CurlTransportTest, TimeoutBeforeSendingIsUnavailable) {
  SilentPort silent;
  HttpRequest request =
      Post("https://127.0.0.1:" + std::to_string(silent.port()) + "/");
  request.connect_timeout = absl::Milliseconds(200);
  absl::Status status = MakeCurlTransport()->Send(request).status();
  // The TLS handshake never finished: nothing was sent, so a plain retry.
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(), Not(HasSubstr("may have been applied")));
}

TEST(CurlTransportTest, ConnectionRefusedIsUnavailable) {
  RefusingPort port;
  const std::string url =
      "http://127.0.0.1:" + std::to_string(port.port()) + "/?Password=hunter2";
  absl::Status status = MakeCurlTransport()->Send(Post(url)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  // The origin is named, the query (which may carry secrets) is not.
  EXPECT_THAT(status.message(), HasSubstr("127.0.0.1"));
  EXPECT_THAT(status.message(), Not(HasSubstr("hunter2")));
}

TEST(CurlTransportTest, ProxyEnvironmentIsIgnored) {
  TestServer server(EchoRoutes);
  RefusingPort proxy;
  const std::string proxy_url =
      "http://127.0.0.1:" + std::to_string(proxy.port());
  for (const char* name :
       {"http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) {
    setenv(name, proxy_url.c_str(), 1);
  }
  unsetenv("NO_PROXY");
  unsetenv("no_proxy");
  auto response = MakeCurlTransport()->Send(Post(server.Url()));
  for (const char* name :
       {"http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) {
    unsetenv(name);
  }
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
}

TEST(CurlTransportTest, ConfiguredProxyIsUsed) {
  TestServer server(EchoRoutes);
  RefusingPort proxy;
  CurlOptions options;
  options.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  absl::Status status =
      MakeCurlTransport(options)->Send(Post(server.Url())).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST(CurlTransportTest, OversizedResponseIsResourceExhausted) {
  TestServer server(EchoRoutes);
  CurlOptions options;
  options.max_response_bytes = 1024;
  HttpRequest request = Post(server.Url("/big"), "");
  request.method = "GET";
  absl::Status status = MakeCurlTransport(options)->Send(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
}

TEST(CurlTransportTest, BadRequestsAreInvalidArgument) {
  auto transport = MakeCurlTransport();
  EXPECT_EQ(transport->Send(Post("ftp://127.0.0.1/")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(transport->Send(Post("not a url")).status().code(),
            absl::StatusCode::kInvalidArgument);
  HttpRequest no_timeout = Post("http://127.0.0.1:1/");
  no_timeout.timeout = absl::ZeroDuration();
  EXPECT_EQ(transport->Send(no_timeout).status().code(),
            absl::StatusCode::kInvalidArgument);
  HttpRequest bad_method = Post("http://127.0.0.1:1/");
  bad_method.method = "post\r\n";
  EXPECT_EQ(transport->Send(bad_method).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CurlTransportTest, HandleIsReusableAfterAnError) {
  TestServer server(EchoRoutes);
  RefusingPort refused;
  auto transport = MakeCurlTransport();
  ASSERT_FALSE(transport
                   ->Send(Post("http://127.0.0.1:" +
                               std::to_string(refused.port()) + "/"))
                   .ok());
  auto response = transport->Send(Post(server.Url(), "again"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "again");
}

}  // namespace
}  // namespace resetd::clients::http
