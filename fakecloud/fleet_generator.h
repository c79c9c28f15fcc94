// Builds the fake cloud's instance list: generated from a few numbers and a
// seed, or read from a JSON fleet file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fakecloud/fleet.h"

namespace resetd::fakecloud {

struct GeneratorOptions {
  int instances = 20;
  double running_fraction = 0.7;  // of the ordinary instances; rest STOPPED
  double windows_fraction = 0.2;
  int forbidden = 0;   // TERMINATING, SHUTDOWN, LAUNCH_FAILED, RESCUE_MODE
  int stuck = 0;       // in STOPPING/STARTING/REBOOTING, never finishing
  int reset_fail = 0;  // ordinary instances whose resets end FAILED
  std::vector<std::string> regions{"ap-guangzhou"};
  uint64_t seed = 1;
};

// A deterministic fleet: the same options give the same ids, regions (round
// robin), zones, OS types and states. Counts are exact (fractions rounded);
// forbidden, stuck and reset_fail instances are disjoint when they fit.
std::vector<InstanceSpec> GenerateFleet(const GeneratorOptions& options);

// Parses a fleet file: a JSON array (or {"instances": [...]}) of objects with
// "instance_id" (required), "region" (default ap-guangzhou), "zone", "name",
// "os_type" ("LINUX"/"WINDOWS"), "state" (default RUNNING),
// "restrict_state", "stuck", "reset_fails". Returns InvalidArgument on a
// malformed file, a malformed or duplicate id, or an unknown state.
absl::StatusOr<std::vector<InstanceSpec>> ParseFleetJson(
    const std::string& text);

// Reads and parses the fleet file at `path` (NotFound if unreadable).
absl::StatusOr<std::vector<InstanceSpec>> LoadFleetFile(
    const std::string& path);

// Whether `id` has the CVM instance id form: "ins-" and 8 lower case letters
// or digits.
bool IsWellFormedInstanceId(const std::string& id);

}  // namespace resetd::fakecloud
