// A scripted HttpTransport for client tests: records every request and
// answers from a queue of canned results, or from a handler function.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "clients/http/http_transport.h"

namespace resetd::clients::http {

// Thread-safe. Send() records a copy of the request (taken before the client
// wipes its body), then returns the next queued result; with the queue empty
// it calls the handler, and without a handler it fails with kInternal
// ("unexpected request") so that a test sees every unplanned call.
class ScriptedTransport final : public HttpTransport {
 public:
  using Handler =
      std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;

  void Push(absl::StatusOr<HttpResponse> result) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(result));
  }
  void SetHandler(Handler handler) {
    absl::MutexLock lock(&mu_);
    handler_ = std::move(handler);
  }
  std::vector<HttpRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  size_t request_count() const {
    absl::MutexLock lock(&mu_);
    return requests_.size();
  }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    Handler handler;
    {
      absl::MutexLock lock(&mu_);
      requests_.push_back(request);
      if (!queue_.empty()) {
        absl::StatusOr<HttpResponse> result = std::move(queue_.front());
        queue_.pop_front();
        return result;
      }
      handler = handler_;
    }
    if (handler) return handler(request);
    return absl::InternalError("unexpected request");
  }

 private:
  mutable absl::Mutex mu_;
  std::deque<absl::StatusOr<HttpResponse>> queue_ ABSL_GUARDED_BY(mu_);
  Handler handler_ ABSL_GUARDED_BY(mu_);
  std::vector<HttpRequest> requests_ ABSL_GUARDED_BY(mu_);
};

// A 200 response with a JSON body.
inline HttpResponse JsonResponse(std::string body, int status = 200) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"content-type", "application/json"}};
  response.body = std::move(body);
  return response;
}

}  // namespace resetd::clients::http
