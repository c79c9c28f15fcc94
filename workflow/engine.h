// The engine: runs reset jobs against the configured providers.
#pragma once

#include <memory>

#include "common/clock.h"
#include "spdlog/logger.h"
#include "workflow/audit_sink.h"
#include "workflow/engine_options.h"
#include "workflow/fingerprint.h"
#include "workflow/job_manager.h"
#include "workflow/job_store.h"
#include "workflow/metrics.h"
#include "workflow/provider_registry.h"

namespace resetd::workflow {

// A JobManager that also owns the background work. Thread-safe.
class Engine : public JobManager {
 public:
  // Starts the background threads and resumes unfinished jobs from the store.
  virtual void Start() = 0;
  // Stops taking new work (Create returns kUnavailable), lets in-flight
  // cloud calls finish within `grace`, then stops the threads. Idempotent.
  virtual void Shutdown(absl::Duration grace) = 0;
};

// `clock`, `store` and `metrics` must outlive the engine. Events go to
// `log` (nullptr: discarded). Request fingerprints use `fingerprinter`
// (nullptr: a per-process key, so idempotency does not survive restarts).
// Side effects on the clouds are recorded to `audit` (nullptr: none; else
// it must outlive the engine), on the worker threads, before the engine
// sees their outcome.
std::unique_ptr<Engine> NewEngine(
    ProviderRegistry providers, Clock& clock, JobStore& store,
    WorkflowMetrics& metrics, EngineOptions options,
    std::shared_ptr<spdlog::logger> log = nullptr,
    std::shared_ptr<const Fingerprinter> fingerprinter = nullptr,
    AuditSink* audit = nullptr);

}  // namespace resetd::workflow
