#include "clients/http/paced_transport.h"

#include <utility>

namespace resetd::clients::http {
namespace {

class PacedTransport final : public HttpTransport {
 public:
  explicit PacedTransport(std::shared_ptr<HttpTransport> inner)
      : inner_(std::move(inner)) {}

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    // The gate may block (waiting for a token); it runs before the request
    // exists on the wire, so a wait never holds a connection.
    if (AttemptGate* gate = CurrentAttemptGate(); gate != nullptr) {
      gate->BeforeAttempt();
    }
    return inner_->Send(request);
  }

 private:
  const std::shared_ptr<HttpTransport> inner_;
};

}  // namespace

std::shared_ptr<HttpTransport> MakePacedTransport(
    std::shared_ptr<HttpTransport> inner) {
  return std::make_shared<PacedTransport>(std::move(inner));
}

}  // namespace resetd::clients::http
