#include "fakecloud/fleet_generator.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include "fakecloud/text.h"
#include "nlohmann/json.hpp"

namespace resetd::fakecloud {

namespace {

constexpr const char* kForbiddenStates[] = {"TERMINATING", "SHUTDOWN",
                                            "LAUNCH_FAILED", "RESCUE_MODE"};
constexpr const char* kStuckStates[] = {"STOPPING", "STARTING", "REBOOTING"};
constexpr char kIdAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

std::string RandomId(std::mt19937_64& rng, std::set<std::string>& used) {
  std::uniform_int_distribution<int> pick(0, sizeof(kIdAlphabet) - 2);
  for (;;) {
    std::string id = "ins-";
    for (int i = 0; i < 8; ++i) id += kIdAlphabet[pick(rng)];
    if (used.insert(id).second) return id;
  }
}

int Rounded(double fraction, int n) {
  return std::clamp(static_cast<int>(std::lround(fraction * n)), 0, n);
}

std::vector<int> Shuffled(int n, std::mt19937_64& rng) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

InstanceSpec BaseSpec(const GeneratorOptions& o, int i, std::mt19937_64& rng,
                      std::set<std::string>& used) {
  InstanceSpec spec;
  spec.instance_id = RandomId(rng, used);
  spec.region =
      o.regions.empty() ? "ap-guangzhou" : o.regions[i % o.regions.size()];
  spec.zone = spec.region + "-" + std::to_string(1 + rng() % 3);
  spec.name = "fake-" + std::to_string(i);
  spec.state = "STOPPED";
  return spec;
}

// Assigns states by position in a seeded permutation: forbidden first, then
// stuck, then ordinary instances (running first, reset failures last).
void AssignStates(const GeneratorOptions& o, std::vector<InstanceSpec>& fleet,
                  std::mt19937_64& rng) {
  const int n = static_cast<int>(fleet.size());
  std::vector<int> order = Shuffled(n, rng);
  const int forbidden = std::clamp(o.forbidden, 0, n);
  const int stuck = std::clamp(o.stuck, 0, n - forbidden);
  const int ordinary = n - forbidden - stuck;
  const int running = Rounded(o.running_fraction, ordinary);
  const int failing = std::clamp(o.reset_fail, 0, ordinary);
  for (int k = 0; k < n; ++k) {
    InstanceSpec& spec = fleet[order[k]];
    if (k < forbidden) {
      spec.state = kForbiddenStates[k % 4];
      if (spec.state == "SHUTDOWN") spec.restrict_state = "EXPIRED";
      continue;
    }
    if (k < forbidden + stuck) {
      spec.state = kStuckStates[(k - forbidden) % 3];
      spec.stuck = true;
      continue;
    }
    int j = k - forbidden - stuck;  // index among ordinary instances
    spec.state = j < running ? "RUNNING" : "STOPPED";
    spec.reset_fails = j >= ordinary - failing;
  }
}

// How many instances of `n` each provider gets: exact shares by the largest
// remainder method.
std::vector<int> MixCounts(const std::vector<std::pair<Provider, double>>& mix,
                           int n) {
  double total = 0;
  for (const auto& [p, w] : mix) total += w;
  std::vector<int> counts;
  std::vector<std::pair<double, size_t>> remainders;
  int given = 0;
  for (size_t i = 0; i < mix.size(); ++i) {
    const double exact = total > 0 ? mix[i].second / total * n : 0;
    counts.push_back(static_cast<int>(exact));
    given += counts.back();
    remainders.emplace_back(exact - counts.back(), i);
  }
  std::stable_sort(
      remainders.begin(), remainders.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < n && k < remainders.size(); ++k, ++given) {
    ++counts[remainders[k].second];
  }
  return counts;
}

// Gives each instance its provider and, for non-CVM ones, a new id of that
// provider's form. Uses its own generator so that the CVM-only fleet of a
// seed is the same with or without this step.
void AssignProviders(const GeneratorOptions& o,
                     std::vector<InstanceSpec>& fleet,
                     std::set<std::string>& used) {
  if (o.mix.empty()) return;
  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ULL);
  const std::vector<int> counts =
      MixCounts(o.mix, static_cast<int>(fleet.size()));
  std::vector<int> order = Shuffled(static_cast<int>(fleet.size()), rng);
  std::uniform_int_distribution<int> pick(0, sizeof(kIdAlphabet) - 2);
  size_t k = 0;
  for (size_t m = 0; m < o.mix.size(); ++m) {
    for (int c = 0; c < counts[m]; ++c, ++k) {
      InstanceSpec& spec = fleet[order[k]];
      spec.provider = o.mix[m].first;
      if (spec.provider == Provider::kTencentCvm) continue;
      used.erase(spec.instance_id);
      do {
        spec.instance_id = MakeInstanceId(
            spec.provider, [&] { return kIdAlphabet[pick(rng)]; });
      } while (!used.insert(spec.instance_id).second);
    }
  }
}

OsType ParseOs(const std::string& s) {
  return s == "WINDOWS" || s == "windows" || s == "Windows" ? OsType::kWindows
                                                            : OsType::kLinux;
}

absl::StatusOr<InstanceSpec> ParseSpec(const nlohmann::json& j) {
  if (!j.is_object())
    return absl::InvalidArgumentError("instance is not an object");
  InstanceSpec spec;
  const std::string provider = j.value("provider", "tencent_cvm");
  std::optional<Provider> parsed = ParseProvider(provider);
  if (!parsed) {
    return absl::InvalidArgumentError("unknown provider `" + provider + "`");
  }
  spec.provider = *parsed;
  spec.instance_id = j.value("instance_id", "");
  if (!IsWellFormedId(spec.provider, spec.instance_id)) {
    return absl::InvalidArgumentError("malformed instance_id `" +
                                      spec.instance_id + "`");
  }
  spec.region = j.value("region", "ap-guangzhou");
  spec.zone = j.value("zone", spec.region + "-1");
  spec.name = j.value("name", spec.instance_id);
  spec.os_type = ParseOs(j.value("os_type", "LINUX"));
  spec.state = j.value("state", "RUNNING");
  if (!IsKnownState(spec.state)) {
    return absl::InvalidArgumentError("unknown state `" + spec.state + "`");
  }
  spec.restrict_state = j.value("restrict_state", "NORMAL");
  spec.stuck = j.value("stuck", false);
  spec.reset_fails = j.value("reset_fails", false);
  return spec;
}

}  // namespace

bool IsWellFormedInstanceId(const std::string& id) {
  if (id.size() != 12 || id.compare(0, 4, "ins-") != 0) return false;
  return std::all_of(id.begin() + 4, id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

std::vector<InstanceSpec> GenerateFleet(const GeneratorOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::set<std::string> used;
  std::vector<InstanceSpec> fleet;
  for (int i = 0; i < std::max(o.instances, 0); ++i) {
    fleet.push_back(BaseSpec(o, i, rng, used));
  }
  AssignStates(o, fleet, rng);
  AssignProviders(o, fleet, used);
  std::vector<int> order = Shuffled(static_cast<int>(fleet.size()), rng);
  const int windows =
      Rounded(o.windows_fraction, static_cast<int>(fleet.size()));
  for (int k = 0; k < windows; ++k) fleet[order[k]].os_type = OsType::kWindows;
  return fleet;
}

absl::StatusOr<std::vector<std::pair<Provider, double>>> ParseMix(
    std::string_view text) {
  std::vector<std::pair<Provider, double>> mix;
  double total = 0;
  for (std::string_view item : Split(text, ',')) {
    item = Trim(item);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string name(Trim(item.substr(0, eq)));
    std::optional<Provider> provider = ParseProvider(name);
    if (!provider) {
      return absl::InvalidArgumentError("unknown provider `" + name +
                                        "` in --mix");
    }
    double weight = 1;
    if (eq != std::string_view::npos) {
      std::string value(Trim(item.substr(eq + 1)));
      char* end = nullptr;
      weight = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(weight >= 0)) {
        return absl::InvalidArgumentError("bad weight `" + value +
                                          "` in --mix");
      }
    }
    for (const auto& [p, w] : mix) {
      if (p == *provider) {
        return absl::InvalidArgumentError("provider `" + name +
                                          "` twice in --mix");
      }
    }
    mix.emplace_back(*provider, weight);
    total += weight;
  }
  if (total <= 0) {
    return absl::InvalidArgumentError("--mix needs a provider with weight > 0");
  }
  return mix;
}

absl::StatusOr<std::vector<InstanceSpec>> ParseFleetJson(
    const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return absl::InvalidArgumentError("fleet file is not JSON");
  if (doc.is_object() && doc.contains("instances")) doc = doc["instances"];
  if (!doc.is_array())
    return absl::InvalidArgumentError("fleet is not an array");
  std::vector<InstanceSpec> fleet;
  std::set<std::string> ids;
  for (const nlohmann::json& j : doc) {
    absl::StatusOr<InstanceSpec> spec;
    try {
      spec = ParseSpec(j);
    } catch (const nlohmann::json::exception& e) {
      return absl::InvalidArgumentError(std::string("bad field type: ") +
                                        e.what());
    }
    if (!spec.ok()) return spec.status();
    if (!ids.insert(spec->instance_id).second) {
      return absl::InvalidArgumentError("duplicate instance_id `" +
                                        spec->instance_id + "`");
    }
    fleet.push_back(*std::move(spec));
  }
  return fleet;
}

absl::StatusOr<std::vector<InstanceSpec>> LoadFleetFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read fleet file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseFleetJson(text.str());
}

}  // namespace resetd::fakecloud
