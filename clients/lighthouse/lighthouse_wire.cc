#include "clients/lighthouse/lighthouse_wire.h"

#include <optional>

#include "clients/provider_error.h"
#include "clients/tencent/tencent_wire.h"
#include "clients/wire_util.h"

namespace resetd::clients::lighthouse {

PowerState LighthousePowerState(std::string_view s) {
  if (s == "DELETING") return PowerState::kTerminating;
  if (s == "FREEZING") return PowerState::kShutdown;
  return tencent::TencentPowerState(s);
}

absl::StatusCode LighthouseErrorCode(std::string_view c) {
  using C = absl::StatusCode;
  if (c == "ResourceNotFound.InstanceIdNotFound" ||
      c == "ResourceNotFound.InstanceNotFound") {
    return C::kNotFound;
  }
  // Transient: the previous operation or the creation is still running, or
  // Lighthouse could not read the instance's state ("please retry later").
  if (c == "UnsupportedOperation.LatestOperationUnfinished" ||
      c == "OperationDenied.InstanceCreating" ||
      c == "FailedOperation.DescribeInstanceStatus") {
    return C::kUnavailable;
  }
  return tencent::TencentErrorCode(c);
}

absl::Status ToLighthouseStatus(const absl::Status& status) {
  std::optional<ProviderError> error = GetProviderError(status);
  if (!error.has_value() || error->code.empty() || error->http_status != 200) {
    return status;
  }
  const absl::StatusCode code = LighthouseErrorCode(error->code);
  if (code == status.code()) return status;
  return WithCode(status, code);
}

InstanceStatus ParseLighthouseInstance(const nlohmann::json& instance) {
  InstanceStatus status = tencent::ParseTencentInstance(instance);
  status.state = LighthousePowerState(status.provider_state);
  return status;
}

}  // namespace resetd::clients::lighthouse
