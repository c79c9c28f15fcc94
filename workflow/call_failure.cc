#include "workflow/call_failure.h"

#include <algorithm>

#include "clients/provider_error.h"

namespace resetd::workflow {

bool IsRetryable(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

CallFailure ClassifyFailure(const absl::Status& status, size_t live) {
  CallFailure f;
  auto pe = clients::GetProviderError(status);
  f.code = pe ? pe->code : std::string(absl::StatusCodeToString(status.code()));
  f.message = pe ? pe->message : std::string(status.message());
  f.request_id = pe ? pe->request_id : "";
  f.throttled = status.code() == absl::StatusCode::kResourceExhausted;
  const bool about_the_caller =
      status.code() == absl::StatusCode::kUnauthenticated ||
      status.code() == absl::StatusCode::kPermissionDenied;
  if (IsRetryable(status.code())) {
    f.kind = CallFailure::kRetry;
  } else if (live > 1 && !about_the_caller) {
    // One instance may spoil the batch: split it in halves until the
    // culprit is alone.
    f.kind = CallFailure::kSplit;
  } else {
    f.kind = CallFailure::kFail;
  }
  return f;
}

absl::Duration RetryBackoff(absl::Duration poll, int retries) {
  return std::min(poll * (1 << std::min(retries, 5)), absl::Seconds(30));
}

}  // namespace resetd::workflow
