// Serves Prometheus metrics over HTTP (prometheus-cpp's Exposer, civetweb).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/registry.h"

namespace prometheus {
class Exposer;
}

namespace resetd::service {

// An HTTP endpoint serving GET /metrics from one registry. Stopping takes
// one to two seconds (civetweb). Thread-safe.
class MetricsServer {
 public:
  // Binds `listen` ("host:port"; port 0 picks a free one) and serves
  // `registry` at /metrics. kUnavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& listen,
      std::shared_ptr<prometheus::Registry> registry);
  ~MetricsServer();

  // The port actually bound.
  int port() const { return port_; }
  // `listen` with the port actually bound, e.g. "0.0.0.0:9464".
  const std::string& address() const { return address_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, int port,
                std::string address);

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
  std::string address_;
};

// `listen` with its port replaced by `port` ("[::]:0" -> "[::]:1234").
std::string WithPort(const std::string& listen, int port);

}  // namespace resetd::service
