// The Huawei Cloud ECS APIs fakecloud implements (v1 `cloudservers`, the
// v2.1 reset of the seed, jobs) on top of the shared Fleet: routing of
// method + path to an API name, the APIs themselves, the job store, and the
// mapping of canonical states to Huawei's status / task_state / vm_state /
// power_state. Sources and assumptions: fakecloud/README.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "fakecloud/fleet.h"
#include "nlohmann/json.hpp"

namespace resetd::fakecloud {

// An ECS error, answered as {"error":{"code","message"}} with `status`.
struct HuaweiError {
  int status = 400;
  std::string code;
  std::string message;
};

namespace huawei_codes {
inline constexpr char kRequestError[] = "Ecs.0000";     // 400
inline constexpr char kInvalidParam[] = "Ecs.0005";     // 400
inline constexpr char kProjectMismatch[] = "Ecs.0023";  // 403 (assumed)
inline constexpr char kBadState[] = "Ecs.0100";         // 409
inline constexpr char kInvalidServerId[] = "Ecs.0114";  // 400
inline constexpr char kTooMany[] = "Ecs.0118";          // 400
inline constexpr char kInProgress[] = "Ecs.0603";       // 409
inline constexpr char kNotExist[] = "Ecs.0614";         // 404
}  // namespace huawei_codes

// What one request addresses: the API and the ids in its path.
struct HuaweiRoute {
  // ListServersDetails, ShowServer, ServerAction (BatchStop/Start/Reboot,
  // decided by the body), ResetServerPassword, NovaResetServerPassword (the
  // v2.1 path), BatchResetServersPassword, ShowJob.
  std::string api;
  std::string project_id;
  std::string server_id;  // ShowServer, the resets of one server
  std::string job_id;     // ShowJob
};

// The API of `method` + `path`, or nullopt (no such API: APIGW.0101).
std::optional<HuaweiRoute> RouteHuawei(const std::string& method,
                                       const std::string& path);

// How a canonical state reads in Huawei's server fields.
struct HuaweiServerState {
  std::string status;      // ACTIVE, SHUTOFF, REBOOT, HARD_REBOOT, BUILD, ...
  std::string task_state;  // "" = null
  std::string vm_state;
  int power_state = 0;  // 0 NOSTATE, 1 RUNNING, 4 SHUTDOWN
  bool locked = false;
};

// RUNNING -> ACTIVE; STOPPED -> SHUTOFF; STOPPING -> ACTIVE/powering-off;
// STARTING -> SHUTOFF/powering-on; REBOOTING -> REBOOT/reboot_started
// (HARD_REBOOT/reboot_started_hard if `hard_reboot`); PENDING -> BUILD/
// spawning; LAUNCH_FAILED -> ERROR; SHUTDOWN, FREEZING -> SHUTOFF / ACTIVE
// and locked; TERMINATING, DELETING -> ACTIVE/deleting; rescue states ->
// ACTIVE/rescuing, RESCUE, ACTIVE/unrescuing; live migration -> MIGRATING.
HuaweiServerState HuaweiStateOf(const std::string& canonical, bool hard_reboot);

// The batch jobs of BatchStop/Start/RebootServers. The fleet records the job
// id as each server's LatestOperationRequestId, so a job's status is read
// off the servers. Thread-safe.
class HuaweiJobs {
 public:
  // A fresh job id (32 hex characters).
  static std::string NewJobId();

  // Records the accepted job `job_id` of `type` ("batchStopServers", ...) on
  // `ids`, begun at `now`.
  void Add(const std::string& job_id, const Scope& scope,
           const std::string& type, bool hard,
           const std::vector<std::string>& ids, absl::Time now);

  // Whether `job_id` is a HARD reboot.
  bool IsHardReboot(const std::string& job_id) const;

  // ShowJob's answer for `job_id` in `scope`, or nullopt if there is no such
  // job there. status: RUNNING while any server's operation runs, else FAIL
  // if any failed (or vanished), else SUCCESS.
  std::optional<nlohmann::json> Show(Fleet& fleet, const Scope& scope,
                                     const std::string& job_id, absl::Time now);

 private:
  struct Job {
    Scope scope;
    std::string type;
    bool hard = false;
    std::vector<std::string> ids;
    absl::Time begin;
    std::optional<absl::Time> end;  // when first seen finished
  };
  mutable absl::Mutex mu_;
  std::map<std::string, Job> jobs_ ABSL_GUARDED_BY(mu_);
};

// One API call as the actions see it.
struct HuaweiCall {
  HuaweiRoute route;
  Scope scope;
  std::string request_id;  // X-Request-Id of the answer
  absl::Time now;
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  nlohmann::json body;  // parsed JSON body; null if none
};

// An API's answer: an error, or `status` with `body` (null = no body).
struct HuaweiResult {
  std::optional<HuaweiError> error;
  int status = 200;
  nlohmann::json body;
  std::vector<std::string> ids;  // the servers it was about (call log)
  std::string api;               // the resolved API name if it changed
};

// Runs `call.route.api`. Passwords are moved out of `call.body` (and wiped)
// before it returns, so the body can be logged afterwards.
HuaweiResult RunHuaweiApi(Fleet& fleet, HuaweiJobs& jobs, HuaweiCall& call);

// The API a ServerAction body names: BatchStopServers (os-stop),
// BatchStartServers (os-start), BatchRebootServers (reboot); "" otherwise.
std::string ServerActionApi(const nlohmann::json& body);

// The default rates, requests/s per (AK, project, API): 10 for every API.
std::map<std::string, int> HuaweiDefaultRates();

}  // namespace resetd::fakecloud
