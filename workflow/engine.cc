#include "workflow/engine.h"

#include <malloc.h>

#include <algorithm>
#include <map>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "common/crypto.h"
#include "common/log_value.h"
#include "workflow/claims.h"
#include "workflow/cloud_call.h"
#include "workflow/instance_page.h"
#include "workflow/list_filter.h"
#include "workflow/new_job.h"
#include "workflow/recovery.h"
#include "workflow/scheduler.h"
#include "workflow/snapshot.h"

namespace resetd::workflow {

namespace {

using resetd::v1::CreateResetJobRequest;
using resetd::v1::ResetJob;

// Ended jobs stay in memory this long after they end (then the store serves
// them), and housekeeping runs this often.
constexpr absl::Duration kKeepEndedInMemory = absl::Minutes(10);
constexpr absl::Duration kHousekeepingEvery = absl::Minutes(5);
// Creating a job at least this large returns freed memory to the system.
constexpr size_t kTrimAfterInstances = 5000;

bool InStates(resetd::v1::JobState state,
              const std::vector<resetd::v1::JobState>& states) {
  return states.empty() ||
         std::find(states.begin(), states.end(), state) != states.end();
}

class EngineImpl final : public Engine {
 public:
  EngineImpl(ProviderRegistry providers, Clock& clock, JobStore& store,
             WorkflowMetrics& metrics, EngineOptions options,
             std::shared_ptr<const Fingerprinter> fingerprinter,
             std::shared_ptr<spdlog::logger> log, AuditSink* audit)
      : log_(std::move(log)),
        providers_(std::move(providers)),
        clock_(clock),
        store_(store),
        metrics_(metrics),
        options_(options),
        fingerprinter_(fingerprinter ? std::move(fingerprinter)
                                     : NewEphemeralFingerprinter()),
        dispatcher_(NewThreadPoolDispatcher(options.worker_threads)),
        scheduler_(providers_, clock, store, metrics, *dispatcher_, options,
                   log_.get(), audit) {
    scheduler_.SetWakeup([this] {
      absl::MutexLock lock(&mu_);
      wake_ = true;
    });
  }

  ~EngineImpl() override {
    Shutdown(absl::ZeroDuration());
    // Joins the workers while the scheduler they deliver to is still alive.
    dispatcher_.reset();
  }

  void Start() override {
    absl::MutexLock lock(&mu_);
    if (driver_.joinable()) return;
    Recover();
    driver_ = std::thread([this] { Drive(); });
  }

  void Shutdown(absl::Duration grace) override {
    {
      absl::MutexLock lock(&mu_);
      if (!driver_.joinable() || stopping_) return;
      shutting_down_ = true;
      scheduler_.Drain();
      wake_ = true;
      auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return scheduler_.in_flight() == 0;
      };
      mu_.AwaitWithTimeout(absl::Condition(&idle), grace);
      // The driver's last tick writes what a restart resumes from.
      stopping_ = true;
    }
    driver_.join();
  }

  absl::StatusOr<ResetJob> Create(CreateResetJobRequest request,
                                  std::string creator) override {
    Secret password(std::move(*request.mutable_password()));
    WipeString(*request.mutable_password());
    request.clear_password();
    NormalizeRequest(request);
    // Creates run one at a time (idempotency and claims are checked against
    // the store, then the job is inserted) without mu_: their store reads
    // and the insert's fsync do not hold up the other RPCs or the driver.
    absl::MutexLock create_lock(&create_mu_);
    {
      absl::MutexLock lock(&mu_);
      if (shutting_down_) {
        return absl::UnavailableError(
            "resetd is shutting down; retry elsewhere");
      }
    }
    auto existing = store_.FindByRequestId(request.request_id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      if ((*existing)->creator != creator) {
        // Never tell one caller about another caller's job.
        return absl::AlreadyExistsError(
            "request_id " + request.request_id() +
            " is already taken by a job of another caller; use another "
            "request_id");
      }
      auto same =
          fingerprinter_->Matches((*existing)->fingerprint, request, password);
      if (!same.ok()) return same.status();
      if (!*same) {
        return absl::AlreadyExistsError(
            "request_id " + request.request_id() +
            " was used for a job with different content (job " +
            (*existing)->job_id + ")");
      }
      absl::MutexLock lock(&mu_);
      return SnapshotLocked((*existing)->job_id, resetd::v1::JOB_VIEW_BASIC);
    }
    auto job = InsertNewJob(request, password, creator);
    if (!job.ok()) return job.status();
    DropInstanceIds((*job)->spec);
    CountConflicts(**job);
    const size_t instances = (*job)->tasks.size();
    ResetJob created;
    {
      absl::MutexLock lock(&mu_);
      JobRun* run = scheduler_.AddJob(*std::move(job));
      wake_ = true;
      created = BuildSnapshot(*run, resetd::v1::JOB_VIEW_BASIC);
    }
    if (instances >= kTrimAfterInstances) {
      // Creating a large job freed far more than it keeps (the request's
      // copies, the records it stored): give it back to the system instead
      // of keeping it in the allocator's free lists for the job's lifetime.
      CreateResetJobRequest().Swap(&request);
      malloc_trim(0);
    }
    return created;
  }

  absl::StatusOr<ResetJob> Get(std::string_view job_id,
                               resetd::v1::JobView view) override {
    absl::MutexLock lock(&mu_);
    return SnapshotLocked(std::string(job_id),
                          view == resetd::v1::JOB_VIEW_UNSPECIFIED
                              ? resetd::v1::JOB_VIEW_FULL
                              : view);
  }

  absl::StatusOr<resetd::v1::ListResetJobsResponse> List(
      const resetd::v1::ListResetJobsRequest& req,
      const JobScope& scope) override {
    auto asked = ListFilter(req, scope);
    if (!asked.ok()) return asked.status();
    JobFilter& filter = *asked;
    // One more than asked tells whether there is a next page.
    ++filter.limit;
    absl::MutexLock lock(&mu_);
    auto jobs = store_.ListJobs(filter);
    if (!jobs.ok()) return jobs.status();
    resetd::v1::ListResetJobsResponse out;
    const int page = filter.limit - 1;
    for (int i = 0; i < static_cast<int>(jobs->size()) && i < page; ++i) {
      auto snap = SnapshotLocked((*jobs)[i].job_id, resetd::v1::JOB_VIEW_BASIC);
      // The store filtered on the durable state; a job whose state moved on
      // in memory (its write is under way) no longer matches: left out, it
      // shows under its new state once that is written.
      if (snap.ok() && InStates(snap->state(), filter.states)) {
        *out.add_jobs() = *std::move(snap);
      }
    }
    if (static_cast<int>(jobs->size()) > page) {
      out.set_next_page_token(std::to_string(filter.offset + page));
    }
    return out;
  }

  absl::StatusOr<resetd::v1::ListResetJobInstancesResponse> ListInstances(
      const resetd::v1::ListResetJobInstancesRequest& request) override {
    auto page = PageOf(request);
    if (!page.ok()) return page.status();
    InstancePageBuilder builder(request, *page);
    {
      absl::MutexLock lock(&mu_);
      if (JobRun* job = scheduler_.Find(request.job_id())) {
        for (size_t i = page->start_index; i < job->tasks.size(); ++i) {
          const Task& t = *job->tasks[i];
          const InstanceFacts facts{t.state, t.provider->name,
                                    t.error ? &t.error->code() : nullptr};
          if (!builder.Take(t.index, facts, [&] { return ResultOf(t); })) {
            break;
          }
        }
        return std::move(builder).Finish();
      }
    }
    // Not running here: an ended job, whose records no longer change.
    absl::Status scanned =
        store_.ScanInstances(request.job_id(), page->start_index,
                             [&](const resetd::v1::StoredInstance& i) {
                               return builder.Take(i.index(), i.result());
                             });
    if (!scanned.ok()) return scanned;
    return std::move(builder).Finish();
  }

  absl::StatusOr<JobOwner> Owner(std::string_view job_id) override {
    const std::string id(job_id);
    absl::MutexLock lock(&mu_);
    if (JobRun* job = scheduler_.Find(id)) {
      return JobOwner{job->creator, TargetsOf(job->spec)};
    }
    auto stored = store_.GetJob(id, /*with_instances=*/false);
    if (!stored.ok()) return stored.status();
    return JobOwner{stored->creator, TargetsOf(stored->spec)};
  }

  absl::StatusOr<JobUpdate> CurrentState(std::string_view job_id) override {
    const std::string id(job_id);
    absl::MutexLock lock(&mu_);
    JobUpdate update;
    if (JobRun* job = scheduler_.Find(id)) {
      *update.event.mutable_job() =
          BuildSnapshot(*job, resetd::v1::JOB_VIEW_BASIC);
      update.version = job->version;
      update.terminal = IsTerminal(job->state);
      return update;
    }
    auto snap = SnapshotLocked(id, resetd::v1::JOB_VIEW_BASIC);
    if (!snap.ok()) return snap.status();
    *update.event.mutable_job() = *std::move(snap);
    update.terminal = IsTerminal(update.event.job().state());
    return update;
  }

  absl::StatusOr<JobUpdate> WaitForUpdate(std::string_view job_id,
                                          uint64_t after_version,
                                          absl::Duration timeout) override {
    const std::string id(job_id);
    absl::MutexLock lock(&mu_);
    JobRun* job = scheduler_.Find(id);
    if (job == nullptr) {
      // Not running here: the store's word is final.
      auto snap = SnapshotLocked(id, resetd::v1::JOB_VIEW_BASIC);
      if (!snap.ok()) return snap.status();
      JobUpdate update;
      *update.event.mutable_job() = *std::move(snap);
      update.version = after_version + 1;
      update.terminal = IsTerminal(update.event.job().state());
      return update;
    }
    auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return job->version > after_version || stopping_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
    JobUpdate update;
    *update.event.mutable_job() =
        BuildSnapshot(*job, resetd::v1::JOB_VIEW_BASIC);
    AppendChanged(*job, after_version, &update.event);
    update.version = job->version;
    update.terminal = IsTerminal(job->state);
    return update;
  }

  absl::StatusOr<ResetJob> Cancel(std::string_view job_id) override {
    const std::string id(job_id);
    absl::MutexLock lock(&mu_);
    JobRun* job = scheduler_.Find(id);
    if (job == nullptr) return SnapshotLocked(id, resetd::v1::JOB_VIEW_BASIC);
    scheduler_.Cancel(*job);
    wake_ = true;
    return BuildSnapshot(*job, resetd::v1::JOB_VIEW_BASIC);
  }

 private:
  absl::StatusOr<ResetJob> SnapshotLocked(const std::string& job_id,
                                          resetd::v1::JobView view)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (JobRun* job = scheduler_.Find(job_id)) return BuildSnapshot(*job, view);
    if (view == resetd::v1::JOB_VIEW_BASIC) {
      auto cached = ended_basic_.find(job_id);
      if (cached != ended_basic_.end()) return cached->second;
    }
    auto stored = store_.GetJob(job_id, /*with_instances=*/true);
    if (!stored.ok()) return stored.status();
    ResetJob basic = BuildSnapshot(*stored, resetd::v1::JOB_VIEW_BASIC);
    if (IsTerminal(stored->state)) ended_basic_[job_id] = basic;
    if (view == resetd::v1::JOB_VIEW_BASIC) return basic;
    return BuildSnapshot(*stored, view);
  }

  // Builds the job, plans its claims and stores it.
  absl::StatusOr<std::unique_ptr<JobRun>> InsertNewJob(
      const CreateResetJobRequest& request, const Secret& password,
      const std::string& creator) ABSL_EXCLUSIVE_LOCKS_REQUIRED(create_mu_) {
    auto fingerprint = fingerprinter_->Fingerprint(request, password);
    if (!fingerprint.ok()) return fingerprint.status();
    // Claims are checked, then taken with the job in one transaction; a
    // store shared with other processes may see a claim taken in between
    // (kAborted): check again.
    absl::StatusOr<std::unique_ptr<JobRun>> job;
    absl::Status inserted;
    for (int attempt = 0; attempt < 3; ++attempt) {
      job = NewJobRun(request, password, providers_, clock_.Now());
      if (!job.ok()) return job.status();
      (*job)->creator = creator;
      if (auto s = PlanClaims(**job); !s.ok()) return s;
      inserted = Insert(**job, *fingerprint);
      if (inserted.code() != absl::StatusCode::kAborted) break;
    }
    if (!inserted.ok()) return inserted;
    return job;
  }

  // Stores a new job, durable before it is acknowledged.
  absl::Status Insert(JobRun& job, const std::string& fingerprint) {
    return store_.InsertJob(ToStoredJob(job, fingerprint));
  }

  // Claims the job's instances; those other active jobs hold fail the job
  // (REJECT), wait or are skipped, as the request says.
  absl::Status PlanClaims(JobRun& job) {
    auto conflicts = workflow::PlanClaims(store_, job);
    if (!conflicts.ok()) return conflicts.status();
    if (conflicts->empty() || !RejectsConflicts(job.spec)) {
      return absl::OkStatus();
    }
    if (!job.spec.dry_run()) {
      metrics_.CountConflicts("rejected", static_cast<int>(conflicts->size()));
    }
    return ClaimConflictError(*conflicts);
  }

  void CountConflicts(const JobRun& job) {
    if (job.spec.dry_run()) return;
    int waited = 0, skipped = 0;
    for (const auto& t : job.tasks) {
      if (t->claim == resetd::v1::CLAIM_STATE_WAITING) ++waited;
      if (!t->blocked_by.job_id.empty() && t->phase == Task::Phase::kDone) {
        ++skipped;
      }
    }
    metrics_.CountConflicts("waited", waited);
    metrics_.CountConflicts("skipped", skipped);
  }

  // Resumes every unfinished job from the store.
  void Recover() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    {
      auto runs = LoadRunsToRecover(store_, providers_);
      if (!runs.ok()) {
        if (log_) {
          log_->error("event=recovery_failed message={}",
                      LogValue(std::string(runs.status().message())));
        }
        return;
      }
      for (auto& run : *runs) scheduler_.RecoverJob(std::move(run));
    }
    malloc_trim(0);  // the stored records read are gone (see Create)
  }

  // The driver: ticks the scheduler whenever it has work or is woken. The
  // store writes and the dispatch of a tick (Perform) run with mu_
  // released, as leveldb's DBImpl::Write does its log write, so RPCs never
  // wait behind an fsync; only this thread writes, so writes stay in order.
  void Drive() {
    absl::MutexLock lock(&mu_);
    absl::Time next_housekeeping = absl::InfinitePast();
    for (;;) {
      const bool last = stopping_;
      Scheduler::Work work = scheduler_.Plan();
      mu_.Unlock();
      scheduler_.Perform(work);
      mu_.Lock();
      absl::Time next = scheduler_.Settle(work);
      if (last) return;
      if (clock_.Now() >= next_housekeeping) {
        Housekeeping();
        next_housekeeping = clock_.Now() + kHousekeepingEvery;
      }
      wake_ = false;
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return wake_ || stopping_;
      };
      mu_.AwaitWithDeadline(absl::Condition(&woken),
                            std::min(next, next_housekeeping));
    }
  }

  // Prunes ended jobs past retention from the store, and ended jobs from
  // memory once the store serves them.
  void Housekeeping() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const absl::Time now = clock_.Now();
    auto pruned = store_.PruneEnded(now - options_.retention);
    if (pruned.ok() && *pruned > 0 && log_) {
      log_->info("event=jobs_pruned count={}", *pruned);
    }
    std::vector<std::string> forget;
    for (const auto& [id, job] : scheduler_.jobs()) {
      if (IsTerminal(job->state) &&
          job->update_time < now - kKeepEndedInMemory) {
        forget.push_back(id);
      }
    }
    for (const auto& id : forget) scheduler_.Forget(id);
    if (pruned.ok() && *pruned > 0) ended_basic_.clear();
  }

  const std::shared_ptr<spdlog::logger> log_;
  const ProviderRegistry providers_;
  Clock& clock_;
  JobStore& store_;
  WorkflowMetrics& metrics_;
  const EngineOptions options_;
  const std::shared_ptr<const Fingerprinter> fingerprinter_;
  std::unique_ptr<Dispatcher> dispatcher_;
  // Held by Create throughout; never acquired while holding mu_.
  absl::Mutex create_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  // Guarded by mu_, except Scheduler::Perform (thread-safe by contract),
  // which the driver calls with mu_ released.
  Scheduler scheduler_;
  // BASIC views of ended jobs read back from the store.
  std::map<std::string, ResetJob> ended_basic_ ABSL_GUARDED_BY(mu_);
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread driver_;
};

}  // namespace

std::unique_ptr<Engine> NewEngine(
    ProviderRegistry providers, Clock& clock, JobStore& store,
    WorkflowMetrics& metrics, EngineOptions options,
    std::shared_ptr<spdlog::logger> log,
    std::shared_ptr<const Fingerprinter> fingerprinter, AuditSink* audit) {
  return std::make_unique<EngineImpl>(
      std::move(providers), clock, store, metrics, options,
      std::move(fingerprinter), std::move(log), audit);
}

}  // namespace resetd::workflow
