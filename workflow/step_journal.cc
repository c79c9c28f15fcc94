#include "workflow/step_journal.h"

#include <map>
#include <utility>

#include "common/log_value.h"

namespace resetd::workflow {

void StepJournal::Forget(JobRun& job) {
  for (auto& t : job.tasks) dirty_tasks_.erase(t.get());
  dirty_jobs_.erase(&job);
}

CallIntent StepJournal::Intent(const std::string& batch_id, Action action,
                               const std::vector<Task*>& tasks,
                               absl::Time now) {
  CallIntent intent;
  std::map<JobRun*, StepRecord> per_job;
  for (Task* t : tasks) {
    StepRecord& rec = per_job[t->job];
    rec.job_id = t->job->job_id;
    rec.batch_id = batch_id;
    rec.action = std::string(ActionName(action));
    rec.time = now;
    rec.instance_ids.push_back(t->id);
    intent.rows.push_back(ToRecord(*t));
    dirty_tasks_.erase(t);
  }
  for (auto& [job, rec] : per_job) intent.records.push_back(std::move(rec));
  return intent;
}

void StepJournal::AddResults(std::vector<StepRecord> intents,
                             const std::string& outcome,
                             const std::string& request_id, absl::Time now) {
  for (auto& rec : intents) {
    rec.done = true;
    rec.time = now;
    rec.outcome = outcome;
    rec.request_id = request_id;
    results_.push_back(std::move(rec));
  }
}

Changes StepJournal::Take() {
  Changes c;
  c.steps.swap(results_);
  c.rows.reserve(dirty_tasks_.size());
  for (Task* t : dirty_tasks_) c.rows.push_back(ToRecord(*t));
  for (JobRun* job : dirty_jobs_) {
    c.jobs.push_back(JobStateUpdate{job->job_id, job->state, job->cancelled,
                               job->update_time, IsTerminal(job->state)});
  }
  dirty_tasks_.clear();
  dirty_jobs_.clear();
  return c;
}

void StepJournal::Restore(
    Changes failed, const std::function<Task*(const std::string&, int)>& find) {
  // Kept for the next write; recovery would observe these instances again
  // anyway, so nothing unsafe follows from the delay.
  for (auto& rec : results_) failed.steps.push_back(std::move(rec));
  results_ = std::move(failed.steps);
  for (const auto& row : failed.rows) {
    if (Task* t = find(row.job_id(), row.index())) dirty_tasks_.insert(t);
  }
  for (const auto& job : failed.jobs) {
    if (Task* t = find(job.job_id, 0)) dirty_jobs_.insert(t->job);
  }
}

absl::Status WriteIntent(JobStore& store, const CallIntent& intent,
                         spdlog::logger& log) {
  absl::Status s = store.Write(intent.records, intent.rows);
  if (!s.ok()) {
    log.error("event=store_write_failed action={} ids={} message={}",
              intent.records.empty() ? "" : intent.records.front().action,
              intent.rows.size(), LogValue(std::string(s.message())));
  }
  return s;
}

bool WriteChanges(JobStore& store, const Changes& changes,
                  spdlog::logger& log) {
  if (!changes.steps.empty() || !changes.rows.empty()) {
    absl::Status s = store.Write(changes.steps, changes.rows);
    if (!s.ok()) {
      log.error("event=store_write_failed rows={} message={}",
                changes.rows.size(), LogValue(std::string(s.message())));
      return false;
    }
  }
  for (const JobStateUpdate& j : changes.jobs) {
    absl::Status s =
        store.UpdateJob(j.job_id, j.state, j.cancelled, j.update_time, j.ended);
    if (!s.ok()) {
      log.error("event=store_write_failed job_id={} message={}", j.job_id,
                LogValue(std::string(s.message())));
    }
  }
  return true;
}

}  // namespace resetd::workflow
