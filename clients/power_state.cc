#include "clients/cloud_client.h"

namespace resetd::clients {

std::string_view PowerStateName(PowerState state) {
  switch (state) {
    case PowerState::kUnknown: return "UNKNOWN";
    case PowerState::kRunning: return "RUNNING";
    case PowerState::kStopped: return "STOPPED";
    case PowerState::kStarting: return "STARTING";
    case PowerState::kStopping: return "STOPPING";
    case PowerState::kRebooting: return "REBOOTING";
    case PowerState::kPending: return "PENDING";
    case PowerState::kLaunchFailed: return "LAUNCH_FAILED";
    case PowerState::kShutdown: return "SHUTDOWN";
    case PowerState::kTerminating: return "TERMINATING";
    case PowerState::kRescue: return "RESCUE";
    case PowerState::kMigrating: return "MIGRATING";
    case PowerState::kNotFound: return "NOT_FOUND";
  }
  return "UNKNOWN";
}

}  // namespace resetd::clients
