#include "service/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/time/time.h"
#include "common/log_value.h"
#include "nlohmann/json.hpp"
#include "prometheus/family.h"

namespace resetd::service {
namespace {

using nlohmann::json;

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

std::string_view SourceName(Caller::Source source) {
  switch (source) {
    case Caller::Source::kCertificate:
      return "certificate";
    case Caller::Source::kToken:
      return "token";
    case Caller::Source::kInsecure:
      return "insecure";
    case Caller::Source::kNone:
      break;
  }
  return "none";
}

std::string_view DecisionName(const RpcRecord& r) {
  if (!r.decided) return "undecided";
  return r.allowed ? "allowed" : "denied";
}

// The fields every line starts with.
json Header(std::string_view kind, absl::Time now) {
  return json{{"schema_version", kAuditSchemaVersion},
              {"kind", kind},
              {"time", Rfc3339(now)}};
}

// Never throws: invalid UTF-8 (an id is only checked later, or not at all)
// is replaced, not an exception.
std::string Line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// One write() in the normal case; loops only on EINTR and short writes.
// Returns the error's description, empty on success.
std::string WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::strerror(errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return "";
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(
    const resetd::v1::AuditConfig& config, prometheus::Registry& registry,
    spdlog::logger& log, const Clock& clock) {
  if (config.file().empty() && !config.stderr()) {
    return absl::InvalidArgumentError("audit: neither file nor stderr is set");
  }
  int fd = -1;
  if (!config.file().empty()) {
    fd = ::open(config.file().c_str(),
                O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return absl::FailedPreconditionError(
          "audit.file " + config.file() +
          ": cannot open for appending: " + std::strerror(errno));
    }
  }
  auto& failures =
      prometheus::BuildCounter()
          .Name("resetd_audit_write_failures_total")
          .Help(
              "Audit trail lines that could not be written or synced (the "
              "work they record went on)")
          .Register(registry)
          .Add({});
  return std::unique_ptr<AuditLog>(
      new AuditLog(fd, config.stderr(), failures, log, clock));
}

AuditLog::AuditLog(int fd, bool to_stderr, prometheus::Counter& failures,
                   spdlog::logger& log, const Clock& clock)
    : fd_(fd),
      to_stderr_(to_stderr),
      failures_(failures),
      log_(log),
      clock_(clock) {}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

void AuditLog::SideEffect(const workflow::SideEffectRecord& r) {
  json j = Header("side_effect", clock_.Now());
  j["job_id"] = r.job_id;
  j["batch_id"] = r.batch_id;
  j["provider"] = r.provider;
  j["account"] = r.account;
  j["region"] = r.region;
  j["action"] = r.action;
  j["instance_ids"] = r.instance_ids;
  j["provider_request_id"] = r.provider_request_id;
  j["outcome"] = r.outcome;
  if (std::string error = Write(Line(j), /*sync=*/true); !error.empty()) {
    Failed("side_effect", r.job_id, error);
  }
}

void AuditLog::Rpc(const RpcRecord& r) {
  json j = Header("rpc", clock_.Now());
  j["method"] = r.method;
  j["identity"] = r.caller.identity;
  j["identity_source"] = SourceName(r.caller.source);
  j["peer"] = r.caller.peer;
  j["job_id"] = r.job_id;
  j["request_id"] = r.request_id;
  j["decision"] = DecisionName(r);
  j["reason"] = r.reason;
  j["code"] = r.code;
  if (std::string error = Write(Line(j), /*sync=*/false); !error.empty()) {
    Failed("rpc", r.job_id, error);
  }
}

std::string AuditLog::Write(const std::string& line, bool sync) {
  absl::MutexLock lock(&mu_);
  std::string error;
  if (fd_ >= 0) {
    error = WriteAll(fd_, line);
    // EINVAL: a special file (a pipe, /dev/stdout) that cannot be synced.
    if (error.empty() && sync && ::fdatasync(fd_) != 0 && errno != EINVAL) {
      error = std::string("fdatasync: ") + std::strerror(errno);
    }
  }
  if (to_stderr_) {
    std::string e = WriteAll(STDERR_FILENO, line);
    if (error.empty() && !e.empty()) error = "stderr: " + e;
  }
  return error;
}

void AuditLog::Failed(const char* kind, const std::string& job_id,
                      const std::string& error) {
  failures_.Increment();
  log_.error("event=audit_write_failed kind={} job_id={} error={}", kind,
             LogValue(job_id), LogValue(error));
}

}  // namespace resetd::service
