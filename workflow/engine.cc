#include "workflow/engine.h"

#include <algorithm>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto.h"
#include "workflow/cloud_call.h"
#include "workflow/scheduler.h"
#include "workflow/snapshot.h"

namespace resetd::workflow {

namespace {

using resetd::v1::CreateResetJobRequest;
using resetd::v1::ResetJob;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

// Identifies a request's content, password included, without storing
// anything from which the password could be recovered offline: the password
// enters only through an HMAC under a per-process random key.
std::string Fingerprint(const CreateResetJobRequest& spec,
                        const Secret& password, const std::string& key) {
  std::string bytes;
  spec.SerializeToString(&bytes);  // deterministic enough for equal inputs
  std::string pw_mac = HmacSha256(key, password.Reveal());
  return Sha256Hex(bytes + pw_mac);
}

int64_t ToUnixNanos(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000000LL + t.nanos();
}

class EngineImpl final : public Engine {
 public:
  EngineImpl(ProviderRegistry providers, Clock& clock, JobStore& store,
             WorkflowMetrics& metrics, EngineOptions options,
             std::shared_ptr<spdlog::logger> log)
      : log_(std::move(log)),
        providers_(std::move(providers)),
        clock_(clock),
        store_(store),
        dispatcher_(NewThreadPoolDispatcher(options.worker_threads)),
        scheduler_(providers_, clock, store, metrics, *dispatcher_, options,
                   log_.get()),
        fingerprint_key_(RandomBytes(32)) {
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
    driver_ = std::thread([this] { Drive(); });
  }

  void Shutdown(absl::Duration grace) override {
    {
      absl::MutexLock lock(&mu_);
      if (!driver_.joinable()) return;
      shutting_down_ = true;
      auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return scheduler_.in_flight() == 0;
      };
      mu_.AwaitWithTimeout(absl::Condition(&idle), grace);
      stopping_ = true;
    }
    driver_.join();
  }

  absl::StatusOr<ResetJob> Create(CreateResetJobRequest request) override {
    Secret password(std::move(*request.mutable_password()));
    WipeString(*request.mutable_password());
    request.clear_password();
    const std::string fingerprint =
        Fingerprint(request, password, fingerprint_key_);
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      return absl::UnavailableError("resetd is shutting down; retry elsewhere");
    }
    auto existing = store_.FindByRequestId(request.request_id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      if ((*existing)->fingerprint != fingerprint) {
        return absl::AlreadyExistsError(
            "request_id " + request.request_id() +
            " was used for a job with different content (job " +
            (*existing)->job_id + ")");
      }
      return SnapshotLocked((*existing)->job_id, resetd::v1::JOB_VIEW_BASIC);
    }
    auto job = NewJob(request, std::move(password));
    if (!job.ok()) return job.status();
    StoredJob stored;
    stored.job_id = (*job)->job_id;
    stored.request_id = request.request_id();
    stored.fingerprint = fingerprint;
    stored.spec = request;
    stored.password = Secret((*job)->reset->password);
    stored.snapshot = BuildSnapshot(**job, resetd::v1::JOB_VIEW_FULL);
    if (auto s = store_.InsertJob(stored); !s.ok()) return s;
    JobRun* run = scheduler_.AddJob(*std::move(job));
    wake_ = true;
    return BuildSnapshot(*run, resetd::v1::JOB_VIEW_BASIC);
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
      const resetd::v1::ListResetJobsRequest& req) override {
    int offset = 0;
    if (!req.page_token().empty()) {
      if (!absl::SimpleAtoi(req.page_token(), &offset) || offset < 0) {
        return absl::InvalidArgumentError("page_token is not one this server gave");
      }
    }
    int size = req.page_size() <= 0 ? kDefaultPageSize
                                    : std::min(req.page_size(), kMaxPageSize);
    const auto view = resetd::v1::JOB_VIEW_BASIC;
    absl::MutexLock lock(&mu_);
    std::vector<const JobRun*> matching;
    for (const auto& [id, job] : scheduler_.jobs()) {
      if (Matches(*job, req)) matching.push_back(job.get());
    }
    std::sort(matching.begin(), matching.end(),
              [](const JobRun* a, const JobRun* b) {
                return a->create_time != b->create_time
                           ? a->create_time > b->create_time
                           : a->job_id > b->job_id;
              });
    resetd::v1::ListResetJobsResponse out;
    for (int i = offset; i < static_cast<int>(matching.size()) &&
                         i < offset + size;
         ++i) {
      *out.add_jobs() = BuildSnapshot(*matching[i], view);
    }
    if (offset + size < static_cast<int>(matching.size())) {
      out.set_next_page_token(std::to_string(offset + size));
    }
    return out;
  }

  absl::StatusOr<JobUpdate> WaitForUpdate(std::string_view job_id,
                                          uint64_t after_version,
                                          absl::Duration timeout) override {
    const std::string id(job_id);
    absl::MutexLock lock(&mu_);
    JobRun* job = scheduler_.Find(id);
    if (job == nullptr) return absl::NotFoundError("no job " + id);
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
    if (job == nullptr) return absl::NotFoundError("no job " + id);
    scheduler_.Cancel(*job);
    wake_ = true;
    return BuildSnapshot(*job, resetd::v1::JOB_VIEW_BASIC);
  }

 private:
  static bool Matches(const JobRun& job,
                      const resetd::v1::ListResetJobsRequest& req) {
    if (req.states_size() > 0 &&
        std::find(req.states().begin(), req.states().end(), job.state) ==
            req.states().end()) {
      return false;
    }
    const int64_t created = absl::ToUnixNanos(job.create_time);
    if (req.has_created_after() && created < ToUnixNanos(req.created_after())) {
      return false;
    }
    if (req.has_created_before() &&
        created >= ToUnixNanos(req.created_before())) {
      return false;
    }
    return true;
  }

  absl::StatusOr<ResetJob> SnapshotLocked(const std::string& job_id,
                                          resetd::v1::JobView view)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (JobRun* job = scheduler_.Find(job_id)) return BuildSnapshot(*job, view);
    auto stored = store_.GetJob(job_id);
    if (!stored.ok()) return absl::NotFoundError("no job " + job_id);
    ResetJob snap = stored->snapshot;
    if (view == resetd::v1::JOB_VIEW_BASIC) {
      snap.clear_instances();
      snap.clear_targets();
    }
    return snap;
  }

  absl::StatusOr<std::unique_ptr<JobRun>> NewJob(
      const CreateResetJobRequest& request, Secret password) {
    auto job = std::make_unique<JobRun>();
    job->job_id = "rj-" + HexEncode(RandomBytes(8));
    job->spec = request;
    job->create_time = clock_.Now();
    auto params = std::make_shared<clients::ResetPasswordParams>();
    params->username = request.username();
    params->password = std::move(password);
    params->force_stop = false;  // resetd stops instances itself
    job->reset = std::move(params);
    for (const auto& target : request.targets()) {
      auto p = providers_.find(target.provider());
      if (p == providers_.end()) {
        return absl::InvalidArgumentError("unknown provider " +
                                          target.provider());
      }
      for (const auto& id : target.instance_ids()) {
        auto task = std::make_unique<Task>();
        task->provider = &p->second;
        task->region = target.region();
        task->id = id;
        job->tasks.push_back(std::move(task));
      }
    }
    return job;
  }

  void Drive() {
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      absl::Time next = scheduler_.Tick();
      PersistEnded();
      wake_ = false;
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return wake_ || stopping_;
      };
      mu_.AwaitWithDeadline(absl::Condition(&woken), next);
    }
  }

  // Jobs that ended are written to the store once, without their password.
  void PersistEnded() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const auto& [id, job] : scheduler_.jobs()) {
      if (!IsTerminal(job->state) || persisted_.count(id)) continue;
      (void)store_.UpdateSnapshot(
          id, BuildSnapshot(*job, resetd::v1::JOB_VIEW_FULL), true);
      persisted_.insert(id);
    }
  }

  const std::shared_ptr<spdlog::logger> log_;
  const ProviderRegistry providers_;
  Clock& clock_;
  JobStore& store_;
  std::unique_ptr<Dispatcher> dispatcher_;
  absl::Mutex mu_;
  Scheduler scheduler_ ABSL_GUARDED_BY(mu_);
  const std::string fingerprint_key_;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::set<std::string> persisted_ ABSL_GUARDED_BY(mu_);
  std::thread driver_;
};

}  // namespace

std::unique_ptr<Engine> NewEngine(ProviderRegistry providers, Clock& clock,
                                  JobStore& store, WorkflowMetrics& metrics,
                                  EngineOptions options,
                                  std::shared_ptr<spdlog::logger> log) {
  return std::make_unique<EngineImpl>(std::move(providers), clock, store,
                                      metrics, options, std::move(log));
}

}  // namespace resetd::workflow
