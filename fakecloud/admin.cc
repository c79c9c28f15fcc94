#include "fakecloud/admin.h"

#include <string>

namespace resetd::fakecloud {

namespace {

using nlohmann::json;

void Reply(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// Parses a JSON object body; replies 400 and returns false if it is not one.
bool ParseBody(const httplib::Request& req, httplib::Response& res, json* out) {
  *out = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
  if (out->is_object()) return true;
  Reply(res, {{"error", "body must be a JSON object"}}, 400);
  return false;
}

// Reads [MIN, MAX] milliseconds into `range` if `key` is present.
bool ReadRange(const json& body, const char* key, DelayRange* range) {
  if (!body.contains(key)) return true;
  const json& v = body[key];
  if (!v.is_array() || v.size() != 2 || !v[0].is_number() ||
      !v[1].is_number()) {
    return false;
  }
  range->min = absl::Milliseconds(v[0].get<double>());
  range->max = absl::Milliseconds(v[1].get<double>());
  return range->min >= absl::ZeroDuration() && range->max >= range->min;
}

json FaultsJson(const FaultOptions& f) {
  return {{"error_rate", f.error_rate},
          {"latency_ms",
           {absl::ToDoubleMilliseconds(f.latency.min),
            absl::ToDoubleMilliseconds(f.latency.max)}}};
}

void HandleFaults(FaultInjector& injector, const httplib::Request& req,
                  httplib::Response& res) {
  json body;
  if (!ParseBody(req, res, &body)) return;
  FaultOptions faults = injector.Get();
  if (body.contains("error_rate")) {
    if (!body["error_rate"].is_number()) {
      return Reply(res, {{"error", "error_rate must be a number"}}, 400);
    }
    faults.error_rate = body["error_rate"].get<double>();
  }
  if (!ReadRange(body, "latency_ms", &faults.latency)) {
    return Reply(res, {{"error", "latency_ms must be [min, max]"}}, 400);
  }
  injector.Set(faults);
  Reply(res, FaultsJson(faults));
}

void HandleDelays(Fleet& fleet, const httplib::Request& req,
                  httplib::Response& res) {
  json body;
  if (!ParseBody(req, res, &body)) return;
  DelayRange transition, reset;
  if (!body.contains("transition_ms") || !body.contains("reset_ms") ||
      !ReadRange(body, "transition_ms", &transition) ||
      !ReadRange(body, "reset_ms", &reset)) {
    return Reply(
        res, {{"error", "need transition_ms and reset_ms as [min, max]"}}, 400);
  }
  fleet.SetDelays(transition, reset);
  Reply(res, {{"status", "ok"}});
}

void HandlePatch(Fleet& fleet, const httplib::Request& req,
                 httplib::Response& res) {
  json body;
  if (!ParseBody(req, res, &body)) return;
  InstancePatch patch;
  if (body.contains("state")) {
    if (!body["state"].is_string() ||
        !IsKnownState(body["state"].get<std::string>())) {
      return Reply(res, {{"error", "unknown state"}}, 400);
    }
    patch.state = body["state"].get<std::string>();
  }
  if (body.contains("stuck"))
    patch.stuck = body["stuck"].is_boolean() && body["stuck"].get<bool>();
  if (body.contains("reset_fails")) {
    patch.reset_fails =
        body["reset_fails"].is_boolean() && body["reset_fails"].get<bool>();
  }
  if (!fleet.Patch(req.matches[1], patch)) {
    return Reply(res, {{"error", "no such instance"}}, 404);
  }
  Reply(res, {{"status", "ok"}});
}

}  // namespace

json InstanceAdminJson(const InstanceView& v) {
  return {{"provider", std::string(ProviderName(v.spec.provider))},
          {"instance_id", v.spec.instance_id},
          {"region", v.spec.region},
          {"zone", v.spec.zone},
          {"name", v.spec.name},
          {"os_type", v.spec.os_type == OsType::kWindows ? "WINDOWS" : "LINUX"},
          {"state", v.state},
          {"restrict_state", v.spec.restrict_state},
          {"stuck", v.spec.stuck},
          {"reset_fails", v.spec.reset_fails},
          {"password_digest", v.password_digest},
          {"staged_password_digest", v.staged_password_digest},
          {"vnc_password_digest", v.vnc_password_digest},
          {"busy_ms", absl::ToInt64Milliseconds(v.busy)},
          {"latest_operation", v.latest_operation},
          {"latest_operation_state", v.latest_operation_state},
          {"latest_operation_request_id", v.latest_operation_request_id},
          {"latest_operation_error_msg", v.latest_operation_error_msg}};
}

void RegisterAdminRoutes(httplib::Server& server, AdminTargets t) {
  server.Get("/_fake/healthz",
             [](const httplib::Request&, httplib::Response& res) {
               Reply(res, {{"status", "ok"}});
             });
  server.Get("/_fake/instances",
             [t](const httplib::Request&, httplib::Response& res) {
               json out = json::array();
               for (const InstanceView& v : t.fleet->Snapshot())
                 out.push_back(InstanceAdminJson(v));
               Reply(res, out);
             });
  server.Get("/_fake/calls",
             [t](const httplib::Request&, httplib::Response& res) {
               Reply(res, t.calls->ToJson());
             });
  server.Post("/_fake/reset-calls",
              [t](const httplib::Request&, httplib::Response& res) {
                t.calls->Clear();
                Reply(res, {{"status", "ok"}});
              });
  server.Post("/_fake/reset-rates",
              [t](const httplib::Request&, httplib::Response& res) {
                t.rates->Clear();
                Reply(res, {{"status", "ok"}});
              });
  server.Get("/_fake/faults",
             [t](const httplib::Request&, httplib::Response& res) {
               Reply(res, FaultsJson(t.faults->Get()));
             });
  server.Post("/_fake/faults",
              [t](const httplib::Request& req, httplib::Response& res) {
                HandleFaults(*t.faults, req, res);
              });
  server.Post("/_fake/delays",
              [t](const httplib::Request& req, httplib::Response& res) {
                HandleDelays(*t.fleet, req, res);
              });
  server.Post(R"(/_fake/instances/([A-Za-z0-9-]+))",
              [t](const httplib::Request& req, httplib::Response& res) {
                HandlePatch(*t.fleet, req, res);
              });
}

}  // namespace resetd::fakecloud
