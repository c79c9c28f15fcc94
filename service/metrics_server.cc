#include "service/metrics_server.h"

#include <exception>

#include "prometheus/exposer.h"

namespace resetd::service {

std::string WithPort(const std::string& listen, int port) {
  const size_t colon = listen.rfind(':');
  const size_t bracket = listen.rfind(']');
  if (colon == std::string::npos ||
      (bracket != std::string::npos && colon < bracket)) {
    return listen + ":" + std::to_string(port);
  }
  return listen.substr(0, colon + 1) + std::to_string(port);
}

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer,
                             int port, std::string address)
    : exposer_(std::move(exposer)), port_(port), address_(std::move(address)) {}

MetricsServer::~MetricsServer() = default;

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& listen, std::shared_ptr<prometheus::Registry> registry) {
  std::unique_ptr<prometheus::Exposer> exposer;
  // civetweb reports a failed bind by throwing; nothing else here throws.
  try {
    exposer = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/2);
  } catch (const std::exception& e) {
    return absl::UnavailableError("metrics: cannot listen on " + listen + ": " +
                                  e.what());
  }
  exposer->RegisterCollectable(registry, "/metrics");
  const std::vector<int> ports = exposer->GetListeningPorts();
  const int port = ports.empty() ? 0 : ports.front();
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(std::move(exposer), port, WithPort(listen, port)));
}

}  // namespace resetd::service
