// The fan-out of WatchResetJob: every stream watching a job reads one shared
// sequence of events, built and encoded once per change of the job, instead
// of each stream asking the JobManager for the changes (and holding its own
// copy of them). A watcher that falls too far behind gets the job's current state
// with `changes_dropped` set instead of an unbounded backlog.
//
// There is no thread of its own: the first watcher that needs an event no
// one has built yet builds it (JobManager::WaitForUpdate), the others wait
// for it. Events are built at most once per `min_event_interval`: each one
// carries every change since the previous one (coalescing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/byte_buffer.h"
#include "resetd/v1/reset_service.pb.h"
#include "workflow/job_manager.h"

namespace resetd::service {

struct WatchFeedOptions {
  // Events are built at most this often per job.
  absl::Duration min_event_interval = absl::Milliseconds(250);
  // The events of a job kept for watchers that have not sent them yet (their
  // encoded size; an event every watcher has sent goes at once). A watcher
  // whose next event was dropped to stay within it gets the current state
  // with `changes_dropped` instead.
  size_t buffer_bytes = size_t{16} << 20;
  // An event carries at most this many changed instances (tens of KB, far
  // below gRPC's 4 MB message limit); a larger change becomes consecutive
  // events (each with the job's state).
  int max_changed_per_event = 100;
};

// One event of a job's feed, encoded once and shared by every stream that
// sends it: a grpc::ByteBuffer's slices are reference-counted, so each
// stream's write refers to the same bytes instead of holding its own copy.
struct WatchEvent {
  grpc::ByteBuffer encoded;  // a resetd.v1.ResetJobEvent
  bool terminal = false;     // the job has ended: the last event
  bool changes_dropped = false;
  size_t bytes = 0;  // encoded size, counted against buffer_bytes

  // The event decoded (for tests and logs; streams send `encoded`).
  resetd::v1::ResetJobEvent Decode() const;
};

class WatchFeeds;

// One watcher's place in a job's feed. Not thread-safe (one stream's).
class WatchSubscription {
 public:
  ~WatchSubscription();
  WatchSubscription(const WatchSubscription&) = delete;
  WatchSubscription& operator=(const WatchSubscription&) = delete;

  // The first event: the job's state and counts, no instances.
  const WatchEvent& first() const { return *first_; }

  // The next event for this watcher, waiting at most `timeout`; nullptr if
  // none came in time. An error of the JobManager (e.g. kNotFound for a job
  // pruned meanwhile) ends the watch.
  absl::StatusOr<std::shared_ptr<const WatchEvent>> Next(
      absl::Duration timeout);

  // Events this watcher fell behind on (each counted once per drop).
  int drops() const { return drops_; }

 private:
  friend class WatchFeeds;
  struct Feed;
  WatchSubscription(WatchFeeds& feeds, std::shared_ptr<Feed> feed);

  // Builds the next event(s) from the JobManager; called with the feed's
  // lock held and nobody else building (drops the lock meanwhile).
  absl::Status Produce(absl::Time deadline);

  WatchFeeds& feeds_;
  std::shared_ptr<Feed> feed_;
  std::shared_ptr<const WatchEvent> first_;
  uint64_t next_seq_ = 0;  // the feed's sequence number of the next event
  bool joined_ = false;    // next_seq_ is in the feed's positions
  int drops_ = 0;
};

// The feeds of every watched job. Thread-safe; `jobs` must outlive it.
class WatchFeeds {
 public:
  WatchFeeds(workflow::JobManager& jobs, WatchFeedOptions options);
  ~WatchFeeds();

  // Joins the feed of `job_id` (started if nobody watches it yet); its
  // first event is the job's state now. kNotFound if unknown.
  absl::StatusOr<std::unique_ptr<WatchSubscription>> Subscribe(
      const std::string& job_id);

  // Jobs with a feed now (watched by someone), and the encoded size of the
  // events kept for `job_id`'s watchers; for tests.
  int feeds() const;
  size_t buffered_bytes(const std::string& job_id) const;

 private:
  friend class WatchSubscription;
  void Leave(const std::string& job_id);

  workflow::JobManager& jobs_;
  const WatchFeedOptions options_;
  mutable absl::Mutex mu_;
  // With the number of subscriptions on each.
  std::map<std::string,
           std::pair<std::shared_ptr<WatchSubscription::Feed>, int>>
      feeds_ ABSL_GUARDED_BY(mu_);
};

}  // namespace resetd::service
