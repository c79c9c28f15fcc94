#include "fakecloud/fleet.h"

#include <algorithm>
#include <set>

#include "common/crypto.h"
#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace {

constexpr const char* kKnownStates[] = {"PENDING",
                                        "LAUNCH_FAILED",
                                        "RUNNING",
                                        "STOPPED",
                                        "STARTING",
                                        "STOPPING",
                                        "REBOOTING",
                                        "SHUTDOWN",
                                        "TERMINATING",
                                        "ENTER_RESCUE_MODE",
                                        "RESCUE_MODE",
                                        "EXIT_RESCUE_MODE",
                                        "ENTER_SERVICE_LIVE_MIGRATE",
                                        "SERVICE_LIVE_MIGRATE",
                                        "EXIT_SERVICE_LIVE_MIGRATE",
                                        "DELETING",
                                        "FREEZING"};

std::string QuotedIds(const std::vector<std::string>& ids) {
  std::vector<std::string> quoted;
  for (const std::string& id : ids) quoted.push_back("`" + id + "`");
  return Join(quoted, ", ");
}

}  // namespace

struct Fleet::Step {
  absl::Time at;
  std::string state;            // "" = unchanged
  bool apply_password = false;  // the new password takes effect
  bool finish = false;          // the operation ends here
  bool stage_password = false;  // kAppliesAtNextBoot: wait for a boot
};

struct Fleet::Instance {
  InstanceSpec spec;
  std::string state;
  std::string latest_operation;
  std::string latest_operation_state;
  std::string latest_operation_request_id;
  std::string latest_operation_error_msg;
  std::string password_digest;
  std::string pending_digest;  // written by the reset in progress
  std::string staged_digest;   // applied at the next start or reboot
  std::string vnc_digest;      // SetVncPassword()
  Op op = Op::kStop;           // the latest operation (if any)
  std::deque<Step> steps;
  absl::Duration busy;         // the operations begun on it, end to end

  bool Operating() const {
    return !steps.empty() || latest_operation_state == "OPERATING";
  }
};

std::string UnsupportedStateCode(const std::string& state) {
  std::string camel;
  for (std::string_view word : Split(state, '_')) {
    std::string lower = Lower(word);
    if (!lower.empty()) lower[0] = static_cast<char>(lower[0] - 'a' + 'A');
    camel += lower;
  }
  return "UnsupportedOperation.InstanceState" + camel;
}

bool IsKnownState(const std::string& state) {
  return std::find(std::begin(kKnownStates), std::end(kKnownStates), state) !=
         std::end(kKnownStates);
}

Fleet::Fleet(const Clock& clock, FleetOptions options,
             std::vector<InstanceSpec> instances)
    : clock_(clock), options_(options), rng_(options.seed) {
  for (InstanceSpec& spec : instances) {
    index_[spec.instance_id] = instances_.size();
    Instance instance;
    instance.state = spec.state;
    instance.spec = std::move(spec);
    instances_.push_back(std::move(instance));
  }
}

Fleet::~Fleet() = default;

void Fleet::AdvanceLocked(Instance& in, absl::Time now) {
  while (!in.steps.empty() && in.steps.front().at <= now) {
    const Step step = in.steps.front();
    in.steps.pop_front();
    const bool booted = step.state == "RUNNING" &&
                        (in.state == "STARTING" || in.state == "REBOOTING");
    if (!step.state.empty()) in.state = step.state;
    if (booted && !in.staged_digest.empty()) {
      in.password_digest = in.staged_digest;
      in.staged_digest.clear();
    }
    bool failed = in.op == Op::kReset && in.spec.reset_fails;
    if (step.apply_password && !failed) in.password_digest = in.pending_digest;
    if (step.stage_password && !failed) in.staged_digest = in.pending_digest;
    if (!step.finish) continue;
    in.pending_digest.clear();
    in.latest_operation_state = failed ? "FAILED" : "SUCCESS";
    in.latest_operation_error_msg =
        failed ? "Failed to reset the password: the instance agent did not "
                 "respond (injected by fakecloud)."
               : "";
  }
}

absl::Duration Fleet::DrawLocked(const DelayRange& range) {
  if (range.max <= range.min) return range.min;
  int64_t span = absl::ToInt64Milliseconds(range.max - range.min);
  std::uniform_int_distribution<int64_t> dist(0, span);
  return range.min + absl::Milliseconds(dist(rng_));
}

InstanceView Fleet::ViewLocked(const Instance& in) const {
  return InstanceView{in.spec,
                      in.state,
                      in.latest_operation,
                      in.latest_operation_state,
                      in.latest_operation_request_id,
                      in.latest_operation_error_msg,
                      in.password_digest,
                      in.staged_digest,
                      in.vnc_digest,
                      in.busy};
}

std::vector<InstanceView> Fleet::Describe(const std::string& region,
                                          const std::vector<std::string>& ids) {
  return Describe(Scope{Provider::kTencentCvm, region}, ids);
}

std::vector<InstanceView> Fleet::Describe(const Scope& scope,
                                          const std::vector<std::string>& ids) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  std::vector<InstanceView> views;
  auto add = [&](Instance& in) {
    if (in.spec.region != scope.region || in.spec.provider != scope.provider)
      return;
    AdvanceLocked(in, now);
    views.push_back(ViewLocked(in));
  };
  if (ids.empty()) {
    for (Instance& in : instances_) add(in);
    return views;
  }
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    auto it = index_.find(id);
    if (it != index_.end() && seen.insert(id).second)
      add(instances_[it->second]);
  }
  return views;
}

std::optional<ApiError> Fleet::FindLocked(const Scope& scope,
                                          const std::vector<std::string>& ids,
                                          std::vector<Instance*>* found) {
  std::vector<std::string> missing;
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) continue;
    auto it = index_.find(id);
    const InstanceSpec* spec =
        it == index_.end() ? nullptr : &instances_[it->second].spec;
    if (spec == nullptr || spec->region != scope.region ||
        spec->provider != scope.provider) {
      missing.push_back(id);
    } else {
      found->push_back(&instances_[it->second]);
    }
  }
  if (missing.empty()) return std::nullopt;
  ApiError error{codes::kInstanceIdNotFound,
                 (missing.size() == 1 ? "The instance " : "The instances ") +
                     QuotedIds(missing) +
                     (missing.size() == 1 ? " is" : " are") + " not found."};
  for (const std::string& id : missing) error.subjects.emplace_back(id, "");
  return error;
}

std::optional<ApiError> Fleet::CheckStatesLocked(
    Op op, const std::vector<Instance*>& targets, const ResetOptions& reset) {
  auto allowed = [&](const std::string& s) {
    switch (op) {
      case Op::kStop:
      case Op::kReboot:
        return s == "RUNNING";
      case Op::kStart:
        return s == "STOPPED";
      case Op::kReset:
        return s == "STOPPED" ||
               (s == "RUNNING" && (reset.mode != ResetMode::kRequiresStopped ||
                                   reset.force_stop));
    }
    return false;
  };
  auto code_of = [&](const Instance& in) -> std::string {
    if (!allowed(in.state)) return UnsupportedStateCode(in.state);
    return in.Operating() ? codes::kOperationInProgress : "";
  };
  std::string code;
  std::vector<std::string> offenders;
  std::vector<std::pair<std::string, std::string>> subjects;
  for (const Instance* in : targets) {
    std::string c = code_of(*in);
    if (c.empty() || (!code.empty() && c != code)) continue;
    code = c;
    offenders.push_back(in->spec.instance_id + "` (" + in->state + ")");
    subjects.emplace_back(in->spec.instance_id, in->state);
  }
  if (code.empty()) return std::nullopt;
  std::string message =
      code == codes::kOperationInProgress
          ? "An operation is in progress on instance(s) `"
          : "The operation is not supported for instance(s) in their current "
            "state: `";
  for (size_t i = 0; i < offenders.size(); ++i) {
    message += (i ? ", `" : "") + offenders[i];
  }
  return ApiError{code, message + ".", std::move(subjects)};
}

void Fleet::BeginLocked(Op op, Instance& in, const std::string& request_id,
                        const ResetOptions& reset, absl::Time now) {
  static constexpr const char* kOpNames[] = {"StopInstances", "StartInstances",
                                             "RebootInstances"};
  in.op = op;
  in.latest_operation =
      op == Op::kReset ? reset.operation : kOpNames[static_cast<int>(op)];
  in.latest_operation_state = "OPERATING";
  in.latest_operation_request_id = request_id;
  in.latest_operation_error_msg.clear();
  in.steps.clear();
  if (op == Op::kReset) {
    ScheduleResetLocked(in, reset, now);
  } else {
    SchedulePowerLocked(op, in, now);
  }
  if (!in.steps.empty() && in.steps.back().at != absl::InfiniteFuture()) {
    in.busy += in.steps.back().at - now;
  }
}

// A stuck instance takes the first state change and then never finishes.
absl::Time Fleet::AfterLocked(const Instance& in, const DelayRange& range,
                              absl::Time* t) {
  *t += DrawLocked(range);
  return in.spec.stuck ? absl::InfiniteFuture() : *t;
}

void Fleet::ScheduleResetLocked(Instance& in, const ResetOptions& reset,
                                absl::Time now) {
  absl::Time t = now;
  const ResetMode mode = reset.mode;
  const DelayRange& move = options_.transition;
  const DelayRange& write = reset.write_delay ? *reset.write_delay : options_.reset;
  if (mode == ResetMode::kAppliesAtNextBoot) {
    // Accepted now, in any allowed state; effective at the next boot.
    in.steps.push_back({AfterLocked(in, write, &t), "", false, true, true});
  } else if (in.state != "RUNNING") {
    in.steps.push_back({AfterLocked(in, write, &t), "", true, true});
  } else if (mode == ResetMode::kRequiresStopped) {
    // Forced (the caller checked ForceStop): stop, write, start again.
    in.state = "STOPPING";
    in.steps.push_back({AfterLocked(in, move, &t), "STOPPED", false, false});
    in.steps.push_back({AfterLocked(in, write, &t), "STARTING", true, false});
    in.steps.push_back({AfterLocked(in, move, &t), "RUNNING", false, true});
  } else {
    // kSelfStopping: a normal shutdown, then a forced one if that fails (one
    // STOPPING period of the transition delay), the write, and STOPPED.
    in.state = "STOPPING";
    in.steps.push_back({AfterLocked(in, move, &t), "STOPPED", false, false});
    in.steps.push_back({AfterLocked(in, write, &t), "", true, true});
  }
}

void Fleet::SchedulePowerLocked(Op op, Instance& in, absl::Time now) {
  absl::Time t = now;
  in.state = op == Op::kStop    ? "STOPPING"
             : op == Op::kStart ? "STARTING"
                                : "REBOOTING";
  in.steps.push_back({AfterLocked(in, options_.transition, &t),
                      op == Op::kStop ? "STOPPED" : "RUNNING", false, true});
}

std::optional<ApiError> Fleet::Power(PowerAction action,
                                     const std::string& region,
                                     const std::vector<std::string>& ids,
                                     const std::string& request_id) {
  return Power(action, Scope{Provider::kTencentCvm, region}, ids, request_id);
}

std::optional<ApiError> Fleet::Power(PowerAction action, const Scope& scope,
                                     const std::vector<std::string>& ids,
                                     const std::string& request_id) {
  const Op op = action == PowerAction::kStop    ? Op::kStop
                : action == PowerAction::kStart ? Op::kStart
                                                : Op::kReboot;
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  std::vector<Instance*> targets;
  if (auto error = FindLocked(scope, ids, &targets)) return error;
  for (Instance* in : targets) AdvanceLocked(*in, now);
  const ResetOptions unused;
  if (auto error = CheckStatesLocked(op, targets, unused)) return error;
  for (Instance* in : targets) BeginLocked(op, *in, request_id, unused, now);
  return std::nullopt;
}

std::optional<ApiError> Fleet::ResetPassword(
    const std::string& region, const std::vector<std::string>& ids,
    const Secret& password, bool force_stop, const std::string& request_id) {
  ResetOptions options;
  options.force_stop = force_stop;
  return ResetPassword(Scope{Provider::kTencentCvm, region}, ids, password,
                       options, request_id);
}

std::optional<ApiError> Fleet::ResetPassword(
    const Scope& scope, const std::vector<std::string>& ids,
    const Secret& password, const ResetOptions& options,
    const std::string& request_id) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  std::vector<Instance*> targets;
  if (auto error = FindLocked(scope, ids, &targets)) return error;
  OsType strictest = OsType::kLinux;
  for (const Instance* in : targets) {
    if (in->spec.os_type == OsType::kWindows) strictest = OsType::kWindows;
  }
  if (options.check != nullptr) {
    if (auto reason = options.check(password.Reveal(), strictest)) {
      return ApiError{codes::kInvalidPassword, *reason};
    }
  }
  for (Instance* in : targets) AdvanceLocked(*in, now);
  if (auto error = CheckStatesLocked(Op::kReset, targets, options)) {
    return error;
  }
  const std::string digest = Sha256Hex(password.Reveal());
  for (Instance* in : targets) {
    BeginLocked(Op::kReset, *in, request_id, options, now);
    in->pending_digest = digest;
  }
  return std::nullopt;
}

std::optional<ApiError> Fleet::SetVncPassword(
    const Scope& scope, const std::vector<std::string>& ids,
    const Secret& password) {
  absl::MutexLock lock(&mu_);
  std::vector<Instance*> targets;
  if (auto error = FindLocked(scope, ids, &targets)) return error;
  const std::string digest = Sha256Hex(password.Reveal());
  for (Instance* in : targets) in->vnc_digest = digest;
  return std::nullopt;
}

std::vector<InstanceView> Fleet::Snapshot() {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  std::vector<InstanceView> views;
  for (Instance& in : instances_) {
    AdvanceLocked(in, now);
    views.push_back(ViewLocked(in));
  }
  return views;
}

bool Fleet::Patch(const std::string& instance_id, const InstancePatch& patch) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  auto it = index_.find(instance_id);
  if (it == index_.end()) return false;
  Instance& in = instances_[it->second];
  AdvanceLocked(in, now);
  if (patch.state) {
    in.state = *patch.state;
    in.steps.clear();
    if (in.latest_operation_state == "OPERATING") {
      in.latest_operation_state = "FAILED";
      in.latest_operation_error_msg = "Interrupted by the fakecloud admin.";
    }
  }
  if (patch.stuck) in.spec.stuck = *patch.stuck;
  if (patch.reset_fails) in.spec.reset_fails = *patch.reset_fails;
  return true;
}

void Fleet::SetDelays(DelayRange transition, DelayRange reset) {
  absl::MutexLock lock(&mu_);
  options_.transition = transition;
  options_.reset = reset;
}

}  // namespace resetd::fakecloud
