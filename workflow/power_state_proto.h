// Conversions between the client layer's PowerState and the API's enum.
#pragma once

#include "clients/cloud_client.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::workflow {

inline resetd::v1::PowerState ToProto(clients::PowerState s) {
  using clients::PowerState;
  switch (s) {
    case PowerState::kRunning: return resetd::v1::POWER_STATE_RUNNING;
    case PowerState::kStopped: return resetd::v1::POWER_STATE_STOPPED;
    case PowerState::kStarting: return resetd::v1::POWER_STATE_STARTING;
    case PowerState::kStopping: return resetd::v1::POWER_STATE_STOPPING;
    case PowerState::kRebooting: return resetd::v1::POWER_STATE_REBOOTING;
    case PowerState::kPending: return resetd::v1::POWER_STATE_PENDING;
    case PowerState::kLaunchFailed: return resetd::v1::POWER_STATE_LAUNCH_FAILED;
    case PowerState::kShutdown: return resetd::v1::POWER_STATE_SHUTDOWN;
    case PowerState::kTerminating: return resetd::v1::POWER_STATE_TERMINATING;
    case PowerState::kRescue: return resetd::v1::POWER_STATE_RESCUE;
    case PowerState::kMigrating: return resetd::v1::POWER_STATE_MIGRATING;
    case PowerState::kNotFound: return resetd::v1::POWER_STATE_NOT_FOUND;
    case PowerState::kUnknown: break;
  }
  return resetd::v1::POWER_STATE_UNSPECIFIED;
}

}  // namespace resetd::workflow
