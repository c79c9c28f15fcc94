// Shared by every client's Describe: answers in the order asked.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "clients/cloud_client.h"

namespace resetd::clients {

// One status per id of `ids`, in that order: the one in `known`, or a
// kNotFound status for an id the provider did not return.
std::vector<InstanceStatus> InAskedOrder(
    absl::Span<const std::string> ids,
    const std::map<std::string, InstanceStatus>& known);

}  // namespace resetd::clients
