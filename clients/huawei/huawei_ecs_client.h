// The CloudClient of Huawei Cloud ECS (v1 `cloudservers` API, SDK-HMAC-SHA256
// signatures), speaking the wire format of the official SDK.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "clients/cloud_client.h"
#include "clients/http/http_transport.h"
#include "common/clock.h"
#include "common/secret.h"

namespace resetd::clients::huawei {

struct HuaweiEcsOptions {
  // host[:port] of every call, e.g. "ecs.cn-north-4.myhuaweicloud.com" or a
  // fake's "127.0.0.1:8443". Empty: "ecs.{region}.myhuaweicloud.com" of the
  // call's region.
  std::string endpoint;
  std::string scheme = "https";  // or "http"
  // Region -> project id (Huawei scopes every ECS call to a project, one per
  // region). A call for a region without an entry fails with
  // kFailedPrecondition naming the region, without sending anything.
  std::map<std::string, std::string> project_ids;
  std::string ak;  // not secret: it appears in every Authorization header
  Secret sk;
  absl::Duration request_timeout = absl::Seconds(10);
  absl::Duration connect_timeout = absl::Seconds(3);
  int max_batch = 100;  // ids per call; capped at (and defaulting to) 100
  // Reset many servers per call with the batch API
  // (PUT /v1/{project_id}/cloudservers/os-reset-passwords) instead of one
  // PUT .../{server_id}/os-reset-password per server.
  bool batch_reset = false;
  // Source of X-Sdk-Date; nullptr = RealClock(). Not owned; must outlive
  // the client.
  resetd::Clock* clock = nullptr;
};

// Returns a CloudClient of one Huawei Cloud account. `transport` must not be
// null. The client is thread-safe and holds no mutable state.
//
// Every call carries Content-Type: application/json, X-Project-Id,
// X-Sdk-Date (YYYYMMDDTHHMMSSZ), Host (the endpoint, port included) and an
// Authorization signed over exactly those four headers, as the SDK does:
//   Describe      GET  /v1/{p}/cloudservers/detail?limit=100&server_id=a%2Cb
//   Stop          POST /v1/{p}/cloudservers/action
//                   {"os-stop":{"servers":[{"id":..}],"type":"SOFT"|"HARD"}}
//   Start         POST .../action {"os-start":{"servers":[{"id":..}]}}
//   Reboot        POST .../action {"reboot":{"servers":[..],"type":..}}
//   ResetPassword PUT  /v1/{p}/cloudservers/{id}/os-reset-password
//                   {"reset-password":{"new_password":".."}} (one server per
//                   call; 204), or with batch_reset
//                 PUT  /v1/{p}/cloudservers/os-reset-passwords
//                   {"new_password":"..","servers":[{"id":..}]} (200)
// type is HARD for StopMode::kForce, SOFT otherwise (HuaweiStopType).
//
// CallResult::request_id: "job:<job_id>" for Stop/Start/Reboot, whose answer
// is an asynchronous job (GET /v1/{p}/jobs/{job_id} shows its outcome; the
// engine observes the power state through Describe instead); the
// X-Request-Id response header for ResetPassword and for any answer without
// a job_id. Errors carry the X-Request-Id (see huawei_wire.h).
//
// Capabilities: describe/stop/start/reboot batches of min(100, max_batch)
// (the API takes 1000); resets of 1 (min(100, max_batch) with batch_reset);
// reset_effect kAppliesAtNextBoot; reset_result_observable and
// reset_verifiable false: Huawei checks nothing and reports no failure (the
// plug-in in the guest applies the password at the next boot), so a reset
// is "applied, unverifiable"; no VNC password.
//
// ResetPassword resets the image's administrator (root or Administrator):
// ResetPasswordParams::username must be empty, "root" or "Administrator",
// else kInvalidArgument; force_stop is ignored (Huawei never stops the
// server). The buffer holding the password is wiped after the call, and no
// error message carries the password.
//
// Describe of no ids returns an empty vector without a call (an empty
// server_id would list the whole project); ids Huawei does not list come
// back as kNotFound. Errors follow CloudClient's contract, with Huawei's
// codes mapped by HuaweiErrorCode() (huawei_wire.h). An empty or malformed
// region, an empty id list for an action, an id that is not [A-Za-z0-9_-]
// (1-64 characters), an empty password or more ids than the batch limit
// return kInvalidArgument without sending anything; a region without a
// project id (or with a malformed one) returns kFailedPrecondition.
std::unique_ptr<CloudClient> MakeHuaweiEcsClient(
    HuaweiEcsOptions options, std::shared_ptr<http::HttpTransport> transport);

}  // namespace resetd::clients::huawei
