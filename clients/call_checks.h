// Argument checks every client makes before it sends anything.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace resetd::clients {

// kInvalidArgument "invalid <label> region ..." unless `region` is non-empty
// [a-z0-9-] (it goes into headers, URLs and signatures).
absl::Status CheckRegion(std::string_view label, std::string_view region);

// kInvalidArgument if `ids` is empty or longer than `limit`.
absl::Status CheckBatch(absl::Span<const std::string> ids, int limit);

}  // namespace resetd::clients
