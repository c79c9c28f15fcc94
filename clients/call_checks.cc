#include "clients/call_checks.h"

#include <algorithm>

namespace resetd::clients {

absl::Status CheckRegion(std::string_view label, std::string_view region) {
  const bool valid =
      !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError("invalid " + std::string(label) +
                                    " region \"" + std::string(region) + "\"");
}

absl::Status CheckBatch(absl::Span<const std::string> ids, int limit) {
  if (ids.empty()) return absl::InvalidArgumentError("no instance ids");
  if (ids.size() > static_cast<size_t>(limit)) {
    return absl::InvalidArgumentError(
        std::to_string(ids.size()) +
        " instance ids exceed the batch limit of " + std::to_string(limit));
  }
  return absl::OkStatus();
}

}  // namespace resetd::clients
