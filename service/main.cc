// resetd: the composition root. Loads the config, builds each provider's
// client, the engine and the gRPC server, and runs until SIGTERM/SIGINT.
//
//   resetd --config FILE [--grpc-listen ADDR] [--metrics-listen ADDR]
//          [--log-level L]
#include <algorithm>
#include <csignal>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "CLI/CLI.hpp"
#include "common/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "prometheus/registry.h"
#include "service/audit_log.h"
#include "service/client_factory.h"
#include "service/config.h"
#include "service/logging.h"
#include "service/metrics_server.h"
#include "service/peer_authenticator.h"
#include "service/provider_setup.h"
#include "service/reset_service.h"
#include "service/rpc_log.h"
#include "service/server_config.h"
#include "service/service_metrics.h"
#include "service/tls.h"
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
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<ResetServiceImpl> service;
  std::unique_ptr<grpc::Server> server;
  // gRPC's builder refuses a server without a registered method (the
  // default health service is added only in Start): this one answers every
  // other method UNIMPLEMENTED on the health listener.
  grpc::CallbackGenericService health_unimplemented;
  std::unique_ptr<grpc::Server> health_server;  // plaintext, health only
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
  r.timed_store =
      workflow::NewInstrumentedJobStore(*r.store, *r.workflow_metrics);
  r.engine = workflow::NewEngine(
      *std::move(providers), RealClock(), *r.timed_store, *r.workflow_metrics,
      EngineOptionsFromConfig(config), std::move(log), r.fingerprinter,
      r.audit.get());
  r.engine->Start();
  return absl::OkStatus();
}

// Takes the reflection plugin (registered for every server by
// InitProtoReflectionServerBuilderPlugin) out of one server.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const auto& p) {
                                    return p->name() ==
                                           "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

// A plaintext server with only grpc.health.v1 (Kubernetes' gRPC probes
// cannot speak TLS), mirroring the main server's serving status.
absl::Status StartHealth(const resetd::v1::Config& config, spdlog::logger& log,
                         Running& r) {
  if (config.health_listen() == kHealthListenOff) return absl::OkStatus();
  grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<WithoutReflection>());
  int port = 0;
  builder.AddListeningPort(config.health_listen(),
                           grpc::InsecureServerCredentials(), &port);
  builder.RegisterCallbackGenericService(&r.health_unimplemented);
  r.health_server = builder.BuildAndStart();
  if (r.health_server == nullptr || port == 0) {
    return absl::UnavailableError("grpc health: cannot listen on " +
                                  config.health_listen());
  }
  log.info("grpc health listening on {}",
           WithPort(config.health_listen(), port));
  return absl::OkStatus();
}

// The gRPC server's settings: size of a request, streams per connection.
void ApplyLimits(const resetd::v1::ServerLimits& limits,
                 grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(limits.max_request_bytes());
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             limits.max_concurrent_streams());
}

absl::Status StartGrpc(const resetd::v1::Config& config, spdlog::logger& log,
                       Running& r) {
  auto credentials = MakeServerCredentials(config);
  if (!credentials.ok()) return credentials.status();
  r.service_metrics = std::make_unique<ServiceMetrics>(*r.registry);
  r.validator = std::make_unique<RequestValidator>(config);
  auto authenticator = PeerAuthenticator::FromConfig(config, log);
  if (!authenticator.ok()) return authenticator.status();
  r.authenticator = *std::move(authenticator);
  ResetServiceOptions options;
  options.max_watches_per_identity = config.limits().max_watches_per_identity();
  options.rpc_auditor = r.audit.get();
  r.service = std::make_unique<ResetServiceImpl>(
      *r.engine, *r.validator, *r.authenticator, config.auth(),
      *r.service_metrics, log, options);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (config.auth().disable_reflection()) {
    builder.SetOption(std::make_unique<WithoutReflection>());
  }
  int port = 0;
  builder.AddListeningPort(config.grpc_listen(), *credentials, &port);
  ApplyLimits(config.limits(), builder);
  builder.RegisterService(r.service.get());
  r.server = builder.BuildAndStart();
  if (r.server == nullptr || port == 0) {
    return absl::UnavailableError("grpc: cannot listen on " +
                                  config.grpc_listen());
  }
  if (config.insecure()) {
    log.warn("event=grpc_insecure message={}",
             LogValue("gRPC is plaintext (insecure: true): anyone who reaches "
                      "the port can call it; configure tls"));
  }
  log.info(
      "grpc listening on {} tls={} client_cert={}",
      WithPort(config.grpc_listen(), port), config.insecure() ? "off" : "on",
      config.insecure() || config.tls().client_ca_file().empty()
          ? "none"
          : (config.tls().require_client_cert() ? "required" : "optional"));
  return StartHealth(config, log, r);
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
  if (r.health_server) r.health_server->GetHealthCheckService()->Shutdown();
  if (r.service) r.service->BeginShutdown();
  const absl::Time start = absl::Now();
  if (r.engine) r.engine->Shutdown(r.engine_grace);
  log.info("event=engine_stopped seconds={:.3f}",
           absl::ToDoubleSeconds(absl::Now() - start));
  if (r.server)
    r.server->Shutdown(absl::ToChronoTime(absl::Now() + kServerGrace));
  if (r.health_server) r.health_server->Shutdown();
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
