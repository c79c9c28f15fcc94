#include "cli/app.h"

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <optional>

namespace resetd::cli {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:50051";

struct Parsed {
  ConnectionOptions connection;
  std::string output = "text";
  double timeout_seconds = 30;
  CreateOptions create;
  std::string job_id;
  GetOptions get;
  ListOptions list;
};

template <typename T>
void Optional(CLI::App* app, const std::string& name, std::optional<T>& target,
              const std::string& help) {
  app->add_option_function<T>(
      name, [&target](const T& v) { target = v; }, help);
}

void AddGlobalFlags(CLI::App& app, Parsed& p) {
  app.add_option("--server", p.connection.server, "resetd address HOST:PORT")
      ->capture_default_str();
  ConnectionOptions& c = p.connection;
  app.add_option("--tls-ca", c.tls_ca,
                 "speak TLS, trusting this CA bundle (PEM) for resetd's "
                 "certificate [$RESETCTL_TLS_CA]");
  app.add_option("--tls-cert", c.tls_cert,
                 "client certificate (PEM) for mTLS [$RESETCTL_TLS_CERT]");
  app.add_option("--tls-key", c.tls_key,
                 "its private key (PEM) [$RESETCTL_TLS_KEY]");
  app.add_option("--tls-server-name", c.tls_server_name,
                 "name to verify in resetd's certificate instead of the "
                 "host of --server [$RESETCTL_TLS_SERVER_NAME]");
  app.add_option("--token-file", c.token_file,
                 "send the bearer token on this file's first line (needs "
                 "--tls-ca) [$RESETCTL_TOKEN_FILE]");
  app.add_option("--output", p.output, "text or json (one document per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--timeout", p.timeout_seconds,
                 "deadline of unary calls, seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

void AddTargetFlags(CLI::App* c, CreateFlags& f) {
  Optional(c, "--file", f.file,
           "job file (.yaml, .yml or .json) without password");
  Optional(c, "--provider", f.provider, "provider name from the server config");
  Optional(c, "--region", f.region, "region, e.g. ap-guangzhou");
  Optional(c, "--instances", f.instances, "instance ids, comma separated");
  Optional(c, "--instances-file", f.instances_file,
           "file with one instance id per line");
  Optional(c, "--os", f.os, "linux|windows");
}

void AddCreate(CLI::App& app, Parsed& p) {
  CLI::App* c =
      app.add_subcommand("create", "create a reset job (and watch it)");
  CreateFlags& f = p.create.flags;
  AddTargetFlags(c, f);
  Optional(c, "--username", f.username, "login user (default: the provider's)");
  Optional(c, "--stop-mode", f.stop_mode, "soft|soft-then-force|force");
  Optional(c, "--power-policy", f.power_policy,
           "restore-original|always-start|leave-stopped");
  Optional(c, "--password-kind", f.password_kind,
           "login|vnc: the OS login or the VNC console password (default "
           "login)");
  Optional(c, "--on-conflict", f.on_conflict,
           "reject|wait|skip: instances another active job holds fail the "
           "job, wait for it, or are skipped (default reject)");
  Optional(c, "--max-unavailable", f.max_unavailable,
           "instances held down at once (0 = no cap)");
  c->add_flag("--dry-run", f.dry_run, "validate and plan; touch nothing");
  Optional(c, "--request-id", f.request_id,
           "idempotency key (default: random)");
  c->add_flag("--password-stdin", p.create.password_stdin,
              "read the password from the first line of stdin");
  c->add_option("--password-file", p.create.password_file,
                "read the password from the first line of this file");
  c->add_flag("--watch,!--no-watch", p.create.watch,
              "follow the job until it ends (default on)");
}

void AddJobCommands(CLI::App& app, Parsed& p) {
  CLI::App* get = app.add_subcommand("get", "show a job");
  get->add_option("JOB_ID", p.job_id, "job id")->required();
  get->add_flag("--full", p.get.full,
                "add targets, failures by code and every instance's result");
  get->add_flag("--failed", p.get.failed,
                "add failures by code and the failed instances' results");
  for (auto [name, help] : {std::pair{"watch", "follow a job until it ends"},
                            std::pair{"cancel", "cancel a job"}}) {
    app.add_subcommand(name, help)
        ->add_option("JOB_ID", p.job_id, "job id")
        ->required();
  }
  CLI::App* list = app.add_subcommand("list", "list jobs, newest first");
  list->add_option(
      "--state", p.list.states,
      "filter: queued,running,succeeded,partially-failed,failed,cancelled");
  list->add_option("--page-size", p.list.page_size,
                   "jobs per page (server default 50)");
  list->add_option("--page-token", p.list.page_token,
                   "continue from this token");
  list->add_flag("--all", p.list.all, "fetch every page");
}

int Dispatch(CLI::App& app, const Parsed& p, Stub& stub, Console& console) {
  CommonOptions common;
  common.connection = p.connection;
  common.output =
      p.output == "json" ? OutputFormat::kJson : OutputFormat::kText;
  common.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(p.timeout_seconds * 1000));
  if (app.got_subcommand("create"))
    return RunCreate(stub, common, p.create, console);
  if (app.got_subcommand("get"))
    return RunGet(stub, common, p.job_id, p.get, console);
  if (app.got_subcommand("list")) return RunList(stub, common, p.list, console);
  if (app.got_subcommand("watch"))
    return RunWatch(stub, common, p.job_id, console);
  return RunCancel(stub, common, p.job_id, console);
}

}  // namespace

std::string DefaultServer(const char* env_addr) {
  return env_addr != nullptr && *env_addr != '\0' ? env_addr : kDefaultServer;
}

int RunResetctl(const std::vector<std::string>& args,
                const std::string& default_server, Console& console,
                const char* (*getenv)(const char*)) {
  Parsed p;
  p.connection.server = default_server;
  CLI::App app("resetctl: reset the login passwords of cloud fleets via resetd",
               "resetctl");
  app.fallthrough();  // global flags may follow the subcommand
  AddGlobalFlags(app, p);
  AddCreate(app, p);
  AddJobCommands(app, p);
  app.require_subcommand(1);
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e, *console.out, *console.err) == 0 ? kExitOk : kExitError;
  }
  ApplyEnvironment(p.connection, getenv);
  auto channel = Connect(p.connection);
  if (!channel.ok()) {
    *console.err << "error: " << channel.status().message() << "\n";
    return kExitError;
  }
  auto stub = resetd::v1::PasswordResetService::NewStub(*channel);
  return Dispatch(app, p, *stub, console);
}

}  // namespace resetd::cli
