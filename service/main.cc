// resetd: the composition root. Loads the config, builds each provider's
// client, the engine and the gRPC server, and runs until SIGTERM/SIGINT.
//
//   resetd --config FILE [--grpc-listen ADDR] [--metrics-listen ADDR]
//          [--log-level L]
#include <csignal>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "CLI/CLI.hpp"
#include "clients/aliyun/aliyun_ecs_client.h"
#include "clients/aliyun/credentials.h"
#include "clients/http/curl_transport.h"
#include "clients/http/paced_transport.h"
#include "clients/huawei/credentials.h"
#include "clients/huawei/huawei_ecs_client.h"
#include "clients/lighthouse/lighthouse_client.h"
#include "clients/tencent/credentials.h"
#include "clients/tencent/tencent_cvm_client.h"
#include "common/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "prometheus/registry.h"
#include "service/audit_log.h"
#include "service/config.h"
#include "service/logging.h"
#include "service/metrics_server.h"
#include "service/provider_setup.h"
#include "service/reset_service.h"
#include "service/rpc_log.h"
#include "service/service_metrics.h"
#include "service/validation.h"
#include "workflow/engine.h"
#include "workflow/fingerprint.h"
#include "workflow/instrumented_job_store.h"
#include "workflow/job_store.h"
#include "workflow/keyring.h"
#include "workflow/metrics.h"
#include "workflow/sqlite_job_store.h"

namespace resetd::service {
namespace {

// After the engine's grace (config shutdown_grace_s): open RPCs get this.
constexpr absl::Duration kServerGrace = absl::Seconds(5);

struct Flags {
  std::string config;
  std::string grpc_listen;
  std::string metrics_listen;
  std::string log_level;
};

absl::Duration Ms(int ms) { return absl::Milliseconds(ms); }

using ClientOrError = absl::StatusOr<std::shared_ptr<clients::CloudClient>>;
using Transport = std::shared_ptr<clients::http::HttpTransport>;

// What every provider's options have in common, from its config.
template <typename Options>
void SetCommonOptions(const resetd::v1::ProviderConfig& p, Options& options) {
  if (!p.endpoint().empty()) options.endpoint = p.endpoint();
  options.scheme = p.scheme();
  options.request_timeout = Ms(p.request_timeout_ms());
  options.connect_timeout = Ms(p.connect_timeout_ms());
  options.max_batch = p.max_batch();
  options.clock = &RealClock();
}

// Tencent CVM and Lighthouse: the same kind of API key, the same options.
template <typename Options, typename Make>
ClientOrError MakeTencentProduct(const resetd::v1::ProviderConfig& p,
                                 Transport transport, Make make) {
  const resetd::v1::Credentials& c = p.credentials();
  clients::tencent::CredentialSources sources;
  sources.secret_id_file = c.secret_id_file();
  sources.secret_key_file = c.secret_key_file();
  sources.secret_id_env = c.secret_id_env();
  sources.secret_key_env = c.secret_key_env();
  auto credentials = clients::tencent::LoadTencentCredentials(sources);
  if (!credentials.ok()) return credentials.status();
  Options options;
  SetCommonOptions(p, options);
  options.secret_id = credentials->secret_id;
  options.secret_key = std::move(credentials->secret_key);
  return std::shared_ptr<clients::CloudClient>(
      make(std::move(options), std::move(transport)));
}

ClientOrError MakeTencentCvm(const resetd::v1::ProviderConfig& p,
                             Transport transport) {
  return MakeTencentProduct<clients::tencent::TencentCvmOptions>(
      p, std::move(transport), &clients::tencent::MakeTencentCvmClient);
}

ClientOrError MakeLighthouse(const resetd::v1::ProviderConfig& p,
                             Transport transport) {
  return MakeTencentProduct<clients::lighthouse::LighthouseOptions>(
      p, std::move(transport), &clients::lighthouse::MakeLighthouseClient);
}

// Credentials.secret_id_* / secret_key_* are the AccessKey ID / secret.
ClientOrError MakeAliyunEcs(const resetd::v1::ProviderConfig& p,
                            Transport transport) {
  const resetd::v1::Credentials& c = p.credentials();
  clients::aliyun::AliyunCredentialSources sources;
  sources.access_key_id_file = c.secret_id_file();
  sources.access_key_secret_file = c.secret_key_file();
  sources.access_key_id_env = c.secret_id_env();
  sources.access_key_secret_env = c.secret_key_env();
  auto credentials = clients::aliyun::LoadAliyunCredentials(sources);
  if (!credentials.ok()) return credentials.status();
  clients::aliyun::AliyunEcsOptions options;
  SetCommonOptions(p, options);
  options.access_key_id = credentials->access_key_id;
  options.access_key_secret = std::move(credentials->access_key_secret);
  return std::shared_ptr<clients::CloudClient>(
      clients::aliyun::MakeAliyunEcsClient(std::move(options), transport));
}

// Credentials.secret_id_* / secret_key_* are the AK / SK.
ClientOrError MakeHuaweiEcs(const resetd::v1::ProviderConfig& p,
                            Transport transport) {
  const resetd::v1::Credentials& c = p.credentials();
  clients::huawei::HuaweiCredentialSources sources;
  sources.ak_file = c.secret_id_file();
  sources.sk_file = c.secret_key_file();
  sources.ak_env = c.secret_id_env();
  sources.sk_env = c.secret_key_env();
  auto credentials = clients::huawei::LoadHuaweiCredentials(sources);
  if (!credentials.ok()) return credentials.status();
  clients::huawei::HuaweiEcsOptions options;
  SetCommonOptions(p, options);  // no endpoint: ecs.{region}.myhuaweicloud.com
  options.project_ids.insert(p.project_ids().begin(), p.project_ids().end());
  options.ak = credentials->ak;
  options.sk = std::move(credentials->sk);
  options.batch_reset = p.batch_reset();
  return std::shared_ptr<clients::CloudClient>(
      clients::huawei::MakeHuaweiEcsClient(std::move(options), transport));
}

// The only place that names concrete provider clients: one maker per kind
// of service/provider_kinds.cc.
CloudClientFactory MakeClientFactory() {
  using Maker = ClientOrError (*)(const resetd::v1::ProviderConfig&, Transport);
  static constexpr std::pair<std::string_view, Maker> kMakers[] = {
      {"tencent_cvm", &MakeTencentCvm},
      {"tencent_lighthouse", &MakeLighthouse},
      {"aliyun_ecs", &MakeAliyunEcs},
      {"huawei_ecs", &MakeHuaweiEcs},
  };
  // Every HTTP attempt passes the engine's gate of its call (token bucket,
  // resetd_provider_http_attempts_total); libcurl never re-sends behind it.
  Transport transport =
      clients::http::MakePacedTransport(clients::http::MakeCurlTransport());
  return [transport](const resetd::v1::ProviderConfig& p) -> ClientOrError {
    for (const auto& [kind, make] : kMakers) {
      if (kind == p.kind()) return make(p, transport);
    }
    return absl::InvalidArgumentError("no client for kind \"" + p.kind() +
                                      "\"");
  };
}

absl::StatusOr<resetd::v1::Config> LoadConfig(const Flags& flags) {
  auto config = LoadConfigFile(flags.config);
  if (!config.ok()) return config.status();
  if (!flags.grpc_listen.empty()) config->set_grpc_listen(flags.grpc_listen);
  if (!flags.metrics_listen.empty()) {
    config->set_metrics_listen(flags.metrics_listen);
  }
  if (!flags.log_level.empty()) config->set_log_level(flags.log_level);
  return config;
}

// Blocks SIGTERM and SIGINT in this thread and every thread started after
// it, so that WaitForSignal() receives them synchronously.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int WaitForSignal(const sigset_t& set) {
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  return signal;
}

// What a running server consists of; members are destroyed bottom-up.
struct Running {
  absl::Duration engine_grace;
  std::shared_ptr<prometheus::Registry> registry;
  std::unique_ptr<AuditLog> audit;  // null: no audit trail
  std::unique_ptr<workflow::WorkflowMetrics> workflow_metrics;
  std::unique_ptr<workflow::JobStore> store;
  std::shared_ptr<const workflow::Fingerprinter> fingerprinter;
  std::unique_ptr<workflow::JobStore> timed_store;  // `store`, with metrics
  std::unique_ptr<workflow::Engine> engine;
  std::unique_ptr<ServiceMetrics> service_metrics;
  std::unique_ptr<RequestValidator> validator;
  std::unique_ptr<ResetServiceImpl> service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<MetricsServer> metrics_server;
};

// No path: jobs in memory, fingerprints under a per-process key.
void OpenMemoryStore(spdlog::logger& log, Running& r) {
  r.store = workflow::NewInMemoryJobStore();
  r.fingerprinter = workflow::NewEphemeralFingerprinter();
  log.warn("event=store_opened kind=memory message={}",
           LogValue("jobs are lost on restart; set store.path to keep them"));
}

// The store the config asks for, with the fingerprinter under the same
// keys so that request_id idempotency survives restarts with the jobs.
absl::Status OpenStore(const resetd::v1::StoreConfig& config,
                       spdlog::logger& log, Running& r) {
  if (config.path().empty()) {
    OpenMemoryStore(log, r);
    return absl::OkStatus();
  }
  auto loaded = workflow::LoadKeyring(config);  // messages name the key
  if (!loaded.ok()) return loaded.status();
  auto keyring = std::make_shared<const workflow::Keyring>(*std::move(loaded));
  auto store = workflow::NewSqliteJobStore(config.path(), keyring);
  if (!store.ok()) return store.status();
  r.store = *std::move(store);
  r.fingerprinter = workflow::NewMacFingerprinter(
      keyring->current_id(),
      [keyring](const std::string& key_id, const std::string& data) {
        return keyring->Mac(key_id, data);
      });
  log.info("event=store_opened kind=sqlite path={} key={}",
           LogValue(config.path()), LogValue(keyring->current_id()));
  return absl::OkStatus();
}

// The audit trail, when config.audit names a file or stderr: before the
// engine and the server, which write to it, and outliving them.
absl::Status OpenAudit(const resetd::v1::Config& config, spdlog::logger& log,
                       Running& r) {
  const resetd::v1::AuditConfig& audit = config.audit();
  if (audit.file().empty() && !audit.stderr()) return absl::OkStatus();
  auto opened = AuditLog::Open(audit, *r.registry, log);
  if (!opened.ok()) return opened.status();
  r.audit = *std::move(opened);
  log.info("event=audit_opened file={} stderr={}", LogValue(audit.file()),
           audit.stderr());
  return absl::OkStatus();
}

absl::Status StartEngine(const resetd::v1::Config& config,
                         std::shared_ptr<spdlog::logger> log, Running& r) {
  auto providers = BuildProviderRegistry(config, MakeClientFactory());
  if (!providers.ok()) return providers.status();
  if (absl::Status s = OpenStore(config.store(), *log, r); !s.ok()) return s;
  r.workflow_metrics = std::make_unique<workflow::WorkflowMetrics>(*r.registry);
  r.timed_store = workflow::NewInstrumentedJobStore(*r.store,
                                                    *r.workflow_metrics);
  r.engine = workflow::NewEngine(
      *std::move(providers), RealClock(), *r.timed_store, *r.workflow_metrics,
      EngineOptionsFromConfig(config), std::move(log), r.fingerprinter,
      r.audit.get());
  r.engine->Start();
  return absl::OkStatus();
}

absl::Status StartGrpc(const resetd::v1::Config& config, spdlog::logger& log,
                       Running& r) {
  r.service_metrics = std::make_unique<ServiceMetrics>(*r.registry);
  r.validator = std::make_unique<RequestValidator>(config);
  ResetServiceOptions options;
  options.rpc_auditor = r.audit.get();
  r.service = std::make_unique<ResetServiceImpl>(
      *r.engine, *r.validator, *r.service_metrics, log, options);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.grpc_listen(),
                           grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(r.service.get());
  r.server = builder.BuildAndStart();
  if (r.server == nullptr || port == 0) {
    return absl::UnavailableError("grpc: cannot listen on " +
                                  config.grpc_listen());
  }
  log.info("grpc listening on {}", WithPort(config.grpc_listen(), port));
  return absl::OkStatus();
}

absl::Status StartMetrics(const resetd::v1::Config& config, spdlog::logger& log,
                          Running& r) {
  auto server = MetricsServer::Start(config.metrics_listen(), r.registry);
  if (!server.ok()) return server.status();
  r.metrics_server = *std::move(server);
  log.info("metrics listening on {}", r.metrics_server->address());
  return absl::OkStatus();
}

// Stops in dependency order: no new work, running work drained, RPCs ended.
void Stop(Running& r, spdlog::logger& log) {
  if (r.service_metrics) r.service_metrics->ready().Set(0);
  if (r.server) r.server->GetHealthCheckService()->Shutdown();
  if (r.service) r.service->BeginShutdown();
  const absl::Time start = absl::Now();
  if (r.engine) r.engine->Shutdown(r.engine_grace);
  log.info("event=engine_stopped seconds={:.3f}",
           absl::ToDoubleSeconds(absl::Now() - start));
  if (r.server)
    r.server->Shutdown(absl::ToChronoTime(absl::Now() + kServerGrace));
  log.info("event=stopped seconds={:.3f}",
           absl::ToDoubleSeconds(absl::Now() - start));
}

int Run(const Flags& flags) {
  const sigset_t stop_signals = BlockStopSignals();
  auto log = MakeStderrLogger(spdlog::level::info);
  auto config = LoadConfig(flags);
  auto level = config.ok()
                   ? ParseLogLevel(config->log_level())
                   : absl::StatusOr<spdlog::level::level_enum>(config.status());
  if (!level.ok()) {
    log->error("event=startup_failed message={}",
               LogValue(std::string(level.status().message())));
    return 2;
  }
  log->set_level(*level);
  Running r;
  r.engine_grace = absl::Seconds(config->shutdown_grace_s());
  r.registry = std::make_shared<prometheus::Registry>();
  absl::Status started = OpenAudit(*config, *log, r);
  if (started.ok()) started = StartEngine(*config, log, r);
  if (started.ok()) started = StartGrpc(*config, *log, r);
  if (started.ok()) started = StartMetrics(*config, *log, r);
  if (!started.ok()) {
    log->error("event=startup_failed message={}",
               LogValue(std::string(started.message())));
    Stop(r, *log);
    return 1;
  }
  r.service_metrics->ready().Set(1);
  const int signal = WaitForSignal(stop_signals);
  log->info("event=shutdown signal={}",
            signal == SIGTERM ? "SIGTERM" : "SIGINT");
  Stop(r, *log);
  return 0;
}

}  // namespace
}  // namespace resetd::service

int main(int argc, char** argv) {
  resetd::service::Flags flags;
  CLI::App app{"resetd: resets the login passwords of cloud fleets"};
  app.add_option("--config", flags.config, "config file (JSON)")->required();
  app.add_option("--grpc-listen", flags.grpc_listen,
                 "gRPC address, overrides the config (port 0 = any)");
  app.add_option("--metrics-listen", flags.metrics_listen,
                 "metrics address, overrides the config (port 0 = any)");
  app.add_option("--log-level", flags.log_level,
                 "trace, debug, info, warn, error; overrides the config");
  CLI11_PARSE(app, argc, argv);
  return resetd::service::Run(flags);
}
