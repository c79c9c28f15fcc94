// fakecloud: a local stand-in for the cloud APIs resetd drives: Tencent Cloud
// CVM API 3.0 (2017-03-12) and Lighthouse (2020-03-24), on one port.
// See fakecloud/README.md for flags, endpoints and the error codes it returns.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "fakecloud/aliyun_actions.h"
#include "fakecloud/fleet_generator.h"
#include "fakecloud/lighthouse_actions.h"
#include "fakecloud/server.h"
#include "fakecloud/text.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace resetd::fakecloud {
namespace {

struct Flags {
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  int threads = 8;
  GeneratorOptions fleet;
  std::string regions = "ap-guangzhou";
  std::string fleet_file;
  std::string transition_ms = "2000:6000";
  std::string reset_ms = "1000:3000";
  std::string latency_ms = "0:0";
  double error_rate = 0;
  std::string mix;
  std::vector<std::string> rates;
  std::vector<std::string> lighthouse_rates;
  std::vector<std::string> huawei_rates;     // Huawei API=N
  std::vector<std::string> huawei_projects;  // region=project id
  std::vector<std::string> aliyun_rates;
  int rate_all = 0;  // 0 = keep the documented defaults
  int max_skew_s = 300;
  std::string log_level = "info";
};

// "MIN:MAX" (or one number) in milliseconds.
std::optional<DelayRange> ParseRange(const std::string& text) {
  std::vector<std::string_view> parts = Split(text, ':');
  try {
    int64_t lo = std::stoll(std::string(parts[0]));
    int64_t hi = parts.size() > 1 ? std::stoll(std::string(parts[1])) : lo;
    if (parts.size() > 2 || lo < 0 || hi < lo) return std::nullopt;
    return DelayRange{absl::Milliseconds(lo), absl::Milliseconds(hi)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void AddFlags(CLI::App& app, Flags& f) {
  app.add_option("--listen", f.listen, "HOST:PORT to listen on (port 0 = any)");
  app.add_option("--port-file", f.port_file,
                 "write the bound port to this file");
  app.add_option("--threads", f.threads, "HTTP worker threads");
  app.add_option("--instances", f.fleet.instances,
                 "number of generated instances");
  app.add_option("--running-fraction", f.fleet.running_fraction,
                 "fraction of ordinary instances RUNNING (rest STOPPED)");
  app.add_option("--windows-fraction", f.fleet.windows_fraction,
                 "fraction of Windows instances");
  app.add_option("--forbidden", f.fleet.forbidden,
                 "instances in TERMINATING/SHUTDOWN/LAUNCH_FAILED/RESCUE_MODE");
  app.add_option("--stuck", f.fleet.stuck,
                 "instances stuck in a transitional state");
  app.add_option("--reset-fail", f.fleet.reset_fail,
                 "instances whose resets end FAILED");
  app.add_option("--regions", f.regions,
                 "comma-separated regions of the fleet");
  app.add_option("--seed", f.fleet.seed, "seed of ids, states and delays");
  app.add_option("--fleet-file", f.fleet_file,
                 "JSON fleet definition (replaces generation)");
  app.add_option("--transition-ms", f.transition_ms,
                 "MIN:MAX delay of each power transition");
  app.add_option("--reset-ms", f.reset_ms,
                 "MIN:MAX time a password reset takes");
  app.add_option("--latency-ms", f.latency_ms,
                 "MIN:MAX latency added to API answers");
  app.add_option("--error-rate", f.error_rate,
                 "chance of an injected InternalError");
  app.add_option("--mix", f.mix,
                 "providers of generated instances, e.g. "
                 "tencent_cvm=0.5,tencent_lighthouse=0.5 (default all "
                 "tencent_cvm)");
  app.add_option("--rate", f.rates,
                 "CVM Action=N requests/second (repeatable)");
  app.add_option("--lighthouse-rate", f.lighthouse_rates,
                 "Lighthouse Action=N requests/second (repeatable)");
  app.add_option("--huawei-rate", f.huawei_rates,
                 "Huawei ECS API=N requests/second per (AK, project) "
                 "(repeatable)");
  app.add_option("--huawei-project", f.huawei_projects,
                 "Huawei region=project_id (repeatable; default derived)");
  app.add_option("--aliyun-rate", f.aliyun_rates,
                 "Alibaba ECS Action=N requests/second (repeatable)");
  app.add_option("--rate-all", f.rate_all,
                 "N requests/second for every action");
  app.add_option("--max-skew-s", f.max_skew_s,
                 "accepted X-TC-Timestamp skew, seconds");
  app.add_option("--log-level", f.log_level, "trace|debug|info|warn|error|off");
}

// Adds each "Action=N" of `flags` to `rates`; false if one is malformed.
bool ParseRates(const std::vector<std::string>& flags,
                std::map<std::string, int>& rates) {
  for (const std::string& r : flags) {
    size_t eq = r.find('=');
    if (eq == std::string::npos) return false;
    rates[r.substr(0, eq)] = std::atoi(r.c_str() + eq + 1);
  }
  return true;
}

// Fills the Huawei ECS part of `config`; returns an error message or "".
std::string BuildHuaweiConfig(const Flags& f, HuaweiOptions& huawei) {
  huawei.credentials = HuaweiCredentialsFromEnv();
  for (const auto& [api, rate] : HuaweiDefaultRates()) {
    huawei.rates[api] = f.rate_all > 0 ? f.rate_all : rate;
  }
  if (!ParseRates(f.huawei_rates, huawei.rates)) {
    return "--huawei-rate must be API=N";
  }
  for (const std::string& p : f.huawei_projects) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
      return "--huawei-project must be region=project_id";
    }
    huawei.project_ids[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return "";
}

// Fills `config` from `f`; returns an error message or "".
std::string BuildConfig(const Flags& f, FakeCloudConfig& config) {
  size_t colon = f.listen.rfind(':');
  if (colon == std::string::npos) return "--listen must be HOST:PORT";
  config.host = f.listen.substr(0, colon);
  config.port = std::atoi(f.listen.c_str() + colon + 1);
  config.threads = f.threads;
  config.credentials = CredentialsFromEnv();
  config.max_skew = absl::Seconds(f.max_skew_s);
  auto transition = ParseRange(f.transition_ms), reset = ParseRange(f.reset_ms),
       latency = ParseRange(f.latency_ms);
  if (!transition || !reset || !latency) return "bad MIN:MAX range";
  config.fleet = FleetOptions{*transition, *reset, f.fleet.seed};
  config.api.faults = FaultOptions{f.error_rate, *latency};
  config.api.seed = f.fleet.seed;
  for (const auto& [action, rate] : DefaultRates()) {
    config.api.rates[action] = f.rate_all > 0 ? f.rate_all : rate;
  }
  for (const auto& [action, rate] : LighthouseDefaultRates()) {
    config.lighthouse_rates[action] = f.rate_all > 0 ? f.rate_all : rate;
  }
  config.aliyun.credentials = AliyunCredentialsFromEnv();
  for (const auto& [action, rate] : AliyunDefaultRates()) {
    config.aliyun.rates[action] = f.rate_all > 0 ? f.rate_all : rate;
  }
  if (!ParseRates(f.aliyun_rates, config.aliyun.rates)) {
    return "--aliyun-rate must be Action=N";
  }
  if (std::string e = BuildHuaweiConfig(f, config.huawei); !e.empty()) {
    return e;
  }
  if (!ParseRates(f.rates, config.api.rates) ||
      !ParseRates(f.lighthouse_rates, config.lighthouse_rates)) {
    return "--rate and --lighthouse-rate must be Action=N";
  }
  return "";
}

std::string BuildFleet(const Flags& f, FakeCloudConfig& config) {
  GeneratorOptions g = f.fleet;
  g.regions.clear();
  for (std::string_view r : Split(f.regions, ',')) {
    if (!Trim(r).empty()) g.regions.emplace_back(Trim(r));
  }
  if (!f.mix.empty()) {
    auto mix = ParseMix(f.mix);
    if (!mix.ok()) return std::string(mix.status().message());
    g.mix = *std::move(mix);
  }
  if (f.fleet_file.empty()) {
    config.instances = GenerateFleet(g);
  } else {
    absl::StatusOr<std::vector<InstanceSpec>> loaded =
        LoadFleetFile(f.fleet_file);
    if (!loaded.ok()) return std::string(loaded.status().message());
    config.instances = *std::move(loaded);
  }
  for (const std::string& r : g.regions) config.api.extra_regions.insert(r);
  for (const InstanceSpec& s : config.instances)
    config.api.extra_regions.insert(s.region);
  return "";
}

int Run(const Flags& flags) {
  FakeCloudConfig config;
  std::string error = BuildConfig(flags, config);
  if (error.empty()) error = BuildFleet(flags, config);
  if (!error.empty()) {
    std::cerr << "fakecloud: " << error << "\n";
    return 2;
  }
  for (const auto& [id, key] : config.credentials) {
    spdlog::info("accepting SecretId {} (the key is not printed)", id);
  }
  for (const auto& [id, key] : config.aliyun.credentials) {
    spdlog::info("accepting Alibaba AccessKeyId {} (the secret is not printed)",
                 id);
  }
  std::map<std::string, int> per_provider;
  for (const InstanceSpec& s : config.instances)
    ++per_provider[std::string(ProviderName(s.provider))];
  for (const auto& [provider, n] : per_provider)
    spdlog::info("fleet: {} {} instances", n, provider);
  spdlog::info("fleet: {} instances", config.instances.size());
  for (const auto& [ak, sk] : config.huawei.credentials) {
    spdlog::info("accepting Huawei AK {} (the SK is not printed)", ak);
  }
  std::map<std::string, std::string> huawei_projects;
  for (const InstanceSpec& s : config.instances)
    huawei_projects[s.region] = HuaweiProjectId(s.region);
  for (const auto& [region, id] : config.huawei.project_ids)
    huawei_projects[region] = id;
  for (const auto& [region, id] : huawei_projects)
    spdlog::info("huawei: region {} project_id {}", region, id);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  FakeCloudServer server(std::move(config), RealClock());
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) {
    std::cerr << "fakecloud: " << port.status().message() << "\n";
    return 1;
  }
  std::string host = flags.listen.substr(0, flags.listen.rfind(':'));
  std::cout << "listening on " << host << ":" << *port << std::endl;
  if (!flags.port_file.empty()) std::ofstream(flags.port_file) << *port << "\n";
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("signal {}: stopping", signal);
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace resetd::fakecloud

int main(int argc, char** argv) {
  resetd::fakecloud::Flags flags;
  CLI::App app{
      "fakecloud: a local stand-in for Tencent Cloud CVM and Lighthouse, Alibaba Cloud ECS and Huawei Cloud ECS"};
  resetd::fakecloud::AddFlags(app, flags);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("fakecloud"));
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  return resetd::fakecloud::Run(flags);
}
