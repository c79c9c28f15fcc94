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

inline clients::PowerState FromProto(resetd::v1::PowerState s) {
  using clients::PowerState;
  switch (s) {
    case resetd::v1::POWER_STATE_RUNNING: return PowerState::kRunning;
    case resetd::v1::POWER_STATE_STOPPED: return PowerState::kStopped;
    case resetd::v1::POWER_STATE_STARTING: return PowerState::kStarting;
    case resetd::v1::POWER_STATE_STOPPING: return PowerState::kStopping;
    case resetd::v1::POWER_STATE_REBOOTING: return PowerState::kRebooting;
    case resetd::v1::POWER_STATE_PENDING: return PowerState::kPending;
    case resetd::v1::POWER_STATE_LAUNCH_FAILED: return PowerState::kLaunchFailed;
    case resetd::v1::POWER_STATE_SHUTDOWN: return PowerState::kShutdown;
    case resetd::v1::POWER_STATE_TERMINATING: return PowerState::kTerminating;
    case resetd::v1::POWER_STATE_RESCUE: return PowerState::kRescue;
    case resetd::v1::POWER_STATE_MIGRATING: return PowerState::kMigrating;
    case resetd::v1::POWER_STATE_NOT_FOUND: return PowerState::kNotFound;
    default: return PowerState::kUnknown;
  }
}

}  // namespace resetd::workflow
