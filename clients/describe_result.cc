#include "clients/describe_result.h"

namespace resetd::clients {

std::vector<InstanceStatus> InAskedOrder(
    absl::Span<const std::string> ids,
    const std::map<std::string, InstanceStatus>& known) {
  std::vector<InstanceStatus> result;
  result.reserve(ids.size());
  for (const std::string& id : ids) {
    auto it = known.find(id);
    if (it != known.end()) {
      result.push_back(it->second);
      continue;
    }
    InstanceStatus missing;
    missing.instance_id = id;
    missing.state = PowerState::kNotFound;
    result.push_back(std::move(missing));
  }
  return result;
}

}  // namespace resetd::clients
