// The audit trail (README, "Audit trail"): one JSON object per line, for
// every RPC decision and every side effect on a cloud, appended to a file
// and/or written to stderr. Never a password, token or key: the records it
// takes have no field for one.
#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "resetd/v1/config.pb.h"
#include "service/rpc_log.h"
#include "spdlog/logger.h"
#include "workflow/audit_sink.h"

namespace resetd::service {

// The "schema_version" of every line; bumped when a field changes meaning
// or goes away (new fields may appear without a bump).
inline constexpr int kAuditSchemaVersion = 1;

// Writes audit lines. Each line is one write() per destination, serialized
// by a mutex, so lines never interleave with each other. Side-effect lines
// are fdatasync'ed before SideEffect() returns; RPC lines are not (they
// reach the kernel at once and disk with the next side effect, or by the
// kernel's own writeback).
//
// A failed write or sync never throws and never blocks the caller: it is
// counted in resetd_audit_write_failures_total and logged (ids only) on
// `log`, and the job goes on. Thread-safe.
class AuditLog final : public workflow::AuditSink, public RpcAuditor {
 public:
  // Opens `config.file` (if set) for appending: O_APPEND, created with mode
  // 0600. Registers resetd_audit_write_failures_total in `registry`.
  // `registry`, `log` and `clock` must outlive the AuditLog. Returns
  // InvalidArgument when neither file nor stderr is set, and
  // FailedPrecondition (naming the path and the error) when the file cannot
  // be opened.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      const resetd::v1::AuditConfig& config, prometheus::Registry& registry,
      spdlog::logger& log, const Clock& clock = RealClock());

  ~AuditLog() override;

  void SideEffect(const workflow::SideEffectRecord& record) override;
  void Rpc(const RpcRecord& record) override;

 private:
  AuditLog(int fd, bool to_stderr, prometheus::Counter& failures,
           spdlog::logger& log, const Clock& clock);

  // Writes `line` (with its newline) to every destination; syncs the file
  // when `sync`. Returns the first error's description, empty when none.
  std::string Write(const std::string& line, bool sync);
  // Counts and logs a failed line of `kind` about `job_id`.
  void Failed(const char* kind, const std::string& job_id,
              const std::string& error);

  const int fd_;  // -1: no file
  const bool to_stderr_;
  prometheus::Counter& failures_;
  spdlog::logger& log_;
  const Clock& clock_;
  absl::Mutex mu_;  // serializes the writes
};

}  // namespace resetd::service
