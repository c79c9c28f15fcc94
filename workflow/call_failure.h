// What a failed cloud call means for the instances it carried: retry after
// observing again, split the batch to find the instance that spoiled it, or
// fail them. Pure functions; thread-safe.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace resetd::workflow {

// Codes worth trying again (after observing: the call may have been
// applied): unavailable, timed out, throttled, aborted, internal, unknown.
bool IsRetryable(absl::StatusCode code);

// What to do about a failed call, and the error to report.
struct CallFailure {
  enum Kind {
    kRetry,  // observe each instance again, then decide (backoff per task)
    kSplit,  // halve the batch: each half is observed and sent apart
    kFail,   // fail every instance of the call
  } kind = kFail;
  bool throttled = false;  // the provider's rate limit: slow the bucket
  std::string code;        // the provider's code, else the status code name
  std::string message;     // the provider's message, else the status's
  std::string request_id;  // the provider's, when it answered
};

// Classifies `status` (a client error, with or without a ProviderError
// payload) of a call that carried `live` instances still waiting for it.
CallFailure ClassifyFailure(const absl::Status& status, size_t live);

// The wait before observing again after the `retries`-th retryable failure:
// `poll` doubled per retry (at most 32x), capped at 30 s.
absl::Duration RetryBackoff(absl::Duration poll, int retries);

}  // namespace resetd::workflow
