// Builds the fake cloud's instance list: generated from a few numbers and a
// seed, or read from a JSON fleet file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
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
  // Share of each provider (weights, normalised); empty = all Tencent CVM,
  // which generates exactly the fleet fakecloud always generated.
  std::vector<std::pair<Provider, double>> mix;
};

// Parses "tencent_cvm=0.5,tencent_lighthouse=0.5" (weights >= 0, at least
// one > 0, no provider twice). Returns InvalidArgument naming the problem.
absl::StatusOr<std::vector<std::pair<Provider, double>>> ParseMix(
    std::string_view text);

// A deterministic fleet: the same options give the same ids, regions (round
// robin), zones, OS types and states. Counts are exact (fractions rounded);
// forbidden, stuck and reset_fail instances are disjoint when they fit.
// With a mix, the providers' counts are exact (largest remainder) and spread
// by a seeded permutation; each instance gets its provider's id form.
std::vector<InstanceSpec> GenerateFleet(const GeneratorOptions& options);

// Parses a fleet file: a JSON array (or {"instances": [...]}) of objects with
// "instance_id" (required, in the form of its provider), "provider" (default
// tencent_cvm), "region" (default ap-guangzhou), "zone", "name",
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
