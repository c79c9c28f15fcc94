// fakecloud's own endpoints under /_fake/, for tests and operators: inspect
// instances and the call log, and change faults and timing at run time.
//
//   GET  /_fake/healthz            {"status":"ok"}
//   GET  /_fake/instances          [{provider, instance_id, region, zone,
//                                    os_type, state, password_digest,
//                                    staged_password_digest,
//                                    latest_operation, ...}]
//   GET  /_fake/calls              [{time, provider, action, region,
//                                    secret_id, instance_ids, request_id,
//                                    result, params}]
//   POST /_fake/reset-calls        clears the call log
//   POST /_fake/reset-rates        forgets the rate windows
//   POST /_fake/faults             {"error_rate":P, "latency_ms":[MIN,MAX]}
//   POST /_fake/delays {"transition_ms":[MIN,MAX],"reset_ms":[MIN,MAX]} POST
//   /_fake/instances/<id>     {"state":S, "stuck":B, "reset_fails":B}
#pragma once

#include "fakecloud/call_log.h"
#include "fakecloud/faults.h"
#include "fakecloud/fleet.h"
#include "fakecloud/rate_window.h"
#include "httplib.h"

namespace resetd::fakecloud {

// Everything the admin endpoints read or change. Not owned.
struct AdminTargets {
  Fleet* fleet;
  CallLog* calls;
  RateWindow* rates;
  FaultInjector* faults;  // shared by every provider's API
};

// Registers the /_fake/ handlers on `server`. The targets must outlive it.
void RegisterAdminRoutes(httplib::Server& server, AdminTargets targets);

// The admin JSON of one instance.
nlohmann::json InstanceAdminJson(const InstanceView& view);

}  // namespace resetd::fakecloud
