#include "tests/workflow/engine_fixture.h"

#include <cstdio>
#include <utility>

namespace resetd::workflow::testing {

EngineTest::EngineTest() {
  cloud_ =
      std::make_shared<FakeCloudClient>(RealClock(), absl::Milliseconds(20));
  ProviderEntry entry;
  entry.name = "tencent";
  entry.account = "acct";
  entry.client = cloud_;
  // Fast enough that pacing never decides a test's outcome or length.
  entry.rate_per_second = {{"*", 1000.0}};
  providers_["tencent"] = entry;
  options_.linger = absl::Milliseconds(2);
  options_.poll_interval = absl::Milliseconds(10);
  options_.transition_timeout = kWait;
  options_.max_retries = 3;
  options_.worker_threads = 2;
}

void EngineTest::StartEngine(JobStore* store) {
  engine_ = NewEngine(providers_, RealClock(), store ? *store : store_,
                      metrics_, options_);
  engine_->Start();
}

void EngineTest::StopEngine(absl::Duration grace) {
  if (!engine_) return;
  engine_->Shutdown(grace);
  engine_.reset();
}

std::vector<std::string> EngineTest::AddFleet(const std::string& prefix, int n,
                                              PowerState state) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    char buf[16];
    snprintf(buf, sizeof(buf), "-%02d", i);
    ids.push_back(prefix + buf);
    cloud_->Add(ids.back(), state);
  }
  return ids;
}

CreateResetJobRequest EngineTest::Request(const std::string& request_id,
                                          const std::vector<std::string>& ids,
                                          const std::string& password) {
  CreateResetJobRequest r;
  r.set_request_id(request_id);
  r.set_password(password);
  auto* target = r.add_targets();
  target->set_provider("tencent");
  target->set_region("ap-guangzhou");
  for (const auto& id : ids) target->add_instance_ids(id);
  return r;
}

std::string EngineTest::CreateJob(const std::string& request_id,
                                  const std::vector<std::string>& ids) {
  auto job = engine_->Create(Request(request_id, ids), "tester");
  EXPECT_TRUE(job.ok()) << job.status();
  return job.ok() ? job->job_id() : "";
}

bool EngineTest::WaitUntil(const std::string& job_id,
                           const std::function<bool(const ResetJob&)>& done,
                           absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  uint64_t version = 0;
  while (true) {
    // Read after the version waited for: a change after it wakes the next
    // wait, so none is missed.
    auto job = engine_->Get(job_id, resetd::v1::JOB_VIEW_FULL);
    if (!job.ok()) return false;
    if (done(*job)) return true;
    if (IsTerminal(job->state()) || absl::Now() >= deadline) return false;
    auto update =
        engine_->WaitForUpdate(job_id, version, deadline - absl::Now());
    if (!update.ok()) return false;
    version = update->version;
  }
}

absl::StatusOr<ResetJob> EngineTest::WaitForEnd(const std::string& job_id) {
  ResetJob last;
  bool ended = WaitUntil(job_id, [&last](const ResetJob& j) {
    last = j;
    return IsTerminal(j.state());
  });
  if (!ended) {
    return absl::DeadlineExceededError("job " + job_id + " did not end; in " +
                                       resetd::v1::JobState_Name(last.state()));
  }
  return last;
}

resetd::testing::FullJob EngineTest::Full(const std::string& job_id,
                                          int page_size) {
  auto job = engine_->Get(job_id, resetd::v1::JOB_VIEW_FULL);
  if (!job.ok()) return {};
  bool ok = false;
  auto instances = resetd::testing::AllPages(
      job_id, page_size,
      [&](const auto& request, auto& page) {
        auto got = engine_->ListInstances(request);
        if (got.ok()) page = *std::move(got);
        return got.ok();
      },
      &ok);
  if (!ok) return {};
  return resetd::testing::FullJob(*std::move(job), std::move(instances));
}

std::shared_ptr<absl::Notification> EngineTest::NotifyOnCloud(
    std::function<
        bool(const std::map<std::string, resetd::testing::FakeInstance>&)>
        pred) {
  auto n = std::make_shared<absl::Notification>();
  // Runs under the cloud's lock, so two calls cannot both notify.
  cloud_->OnChange([n, pred = std::move(pred)](const auto& instances) {
    if (!n->HasBeenNotified() && pred(instances)) n->Notify();
  });
  return n;
}

std::function<bool(const std::map<std::string, resetd::testing::FakeInstance>&)>
EngineTest::AnyIn(PowerState state) {
  return [state](const auto& instances) {
    for (const auto& [id, i] : instances) {
      if (i.state == state) return true;
    }
    return false;
  };
}

void EngineTest::SetStuck(const std::vector<std::string>& ids, bool stuck) {
  for (const auto& id : ids) {
    cloud_->Edit(
        id, [stuck](resetd::testing::FakeInstance& i) { i.stuck = stuck; });
  }
}

std::vector<FakeCall> EngineTest::SideEffects() {
  std::vector<FakeCall> out;
  for (const auto& c : cloud_->calls()) {
    if (c.action != "Describe") out.push_back(c);
  }
  return out;
}

int EngineTest::Sent(const std::string& action, const std::string& id) {
  int n = 0;
  for (const auto& c : cloud_->calls()) {
    if (c.action != action || c.result != "OK") continue;
    for (const auto& i : c.ids) n += i == id ? 1 : 0;
  }
  return n;
}

std::vector<std::string> EngineTest::StoppedTwiceWithoutStart() {
  return cloud_->StoppedTwiceWithoutStart();
}

void EngineTest::ExpectReset(const std::vector<std::string>& ids,
                             PowerState state) {
  for (const auto& id : ids) {
    auto i = cloud_->Get(id);
    EXPECT_EQ(i.state, state) << id;
    EXPECT_EQ(i.password, kNewPassword) << id;
  }
}

}  // namespace resetd::workflow::testing
