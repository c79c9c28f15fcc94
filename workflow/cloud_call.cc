#include "workflow/cloud_call.h"

#include <deque>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace resetd::workflow {

CallOutcome ExecuteCall(const CloudCall& call) {
  CallOutcome out;
  out.call_id = call.call_id;
  absl::Time start = absl::Now();
  // Every HTTP attempt of the client (re-calls included) passes call.gate.
  clients::http::ScopedAttemptGate gate(call.gate.get());
  clients::CloudClient& c = *call.client;
  absl::StatusOr<clients::CallResult> result;
  switch (call.action) {
    case Action::kDescribe: {
      auto statuses = c.Describe(call.region, call.ids);
      if (statuses.ok()) {
        out.statuses = *std::move(statuses);
      } else {
        out.status = statuses.status();
      }
      out.latency = absl::Now() - start;
      return out;
    }
    case Action::kStop:
      result = c.Stop(call.region, call.ids, call.stop_mode);
      break;
    case Action::kStart:
      result = c.Start(call.region, call.ids);
      break;
    case Action::kReboot:
      result = c.Reboot(call.region, call.ids, call.stop_mode);
      break;
    case Action::kResetPassword:
      result = c.ResetPassword(call.region, call.ids, *call.reset);
      break;
    case Action::kResetVncPassword:
      result = c.ResetVncPassword(call.region, call.ids, call.reset->password);
      break;
  }
  out.latency = absl::Now() - start;
  if (result.ok()) {
    out.request_id = result->request_id;
  } else {
    out.status = result.status();
  }
  return out;
}

namespace {

class ThreadPoolDispatcher final : public Dispatcher {
 public:
  explicit ThreadPoolDispatcher(int threads) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Run(); });
  }
  ~ThreadPoolDispatcher() override {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (auto& t : workers_) t.join();
  }
  void Dispatch(CloudCall call, std::function<void(CallOutcome)> done) override {
    absl::MutexLock lock(&mu_);
    queue_.push_back({std::move(call), std::move(done)});
  }

 private:
  struct Item {
    CloudCall call;
    std::function<void(CallOutcome)> done;
  };
  void Run() {
    while (true) {
      Item item;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](ThreadPoolDispatcher* d) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return d->stopping_ || !d->queue_.empty();
            },
            this));
        // Drain what was dispatched before stopping: those calls have
        // write-ahead intents and their outcomes must be recorded.
        if (queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      item.done(ExecuteCall(item.call));
    }
  }
  absl::Mutex mu_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace

std::unique_ptr<Dispatcher> NewThreadPoolDispatcher(int threads) {
  return std::make_unique<ThreadPoolDispatcher>(threads < 1 ? 1 : threads);
}

}  // namespace resetd::workflow
