// A provider's own error carried inside an absl::Status as a payload, so the
// canonical code drives decisions while the user still sees the provider's
// code ("OperationDenied.InstanceOperationInProgress"), message and request id.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace resetd::clients {

struct ProviderError {
  std::string code;
  std::string message;
  std::string request_id;
  int http_status = 0;
};

// Type URL of the payload.
inline constexpr char kProviderErrorPayloadUrl[] =
    "type.googleapis.com/resetd.v1.ProviderError";

// A status with `code`, a message naming the provider code, and the payload.
absl::Status MakeProviderStatus(absl::StatusCode code,
                                const ProviderError& error);

// The payload of `status`, if it carries one.
std::optional<ProviderError> GetProviderError(const absl::Status& status);

}  // namespace resetd::clients
