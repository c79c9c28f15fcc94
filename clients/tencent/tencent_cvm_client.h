// The CloudClient of Tencent Cloud CVM (API 3.0, version 2017-03-12, TC3
// signatures), speaking the wire format of the official SDK.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "clients/cloud_client.h"
#include "clients/tencent/api3_instance_client.h"
#include "clients/http/http_transport.h"
#include "common/clock.h"
#include "common/secret.h"

namespace resetd::clients::tencent {

inline constexpr char kCvmApiVersion[] = "2017-03-12";
inline constexpr char kCvmService[] = "cvm";  // TC3 credential scope service

struct TencentCvmOptions {
  std::string endpoint = "cvm.tencentcloudapi.com";  // host[:port]
  std::string scheme = "https";                      // or "http"
  std::string secret_id;
  Secret secret_key;
  absl::Duration request_timeout = absl::Seconds(10);
  absl::Duration connect_timeout = absl::Seconds(3);
  int max_batch = 100;  // ids per call; capped at (and defaulting to) 100
  // Source of X-TC-Timestamp; nullptr = RealClock(). Not owned; must
  // outlive the client.
  resetd::Clock* clock = nullptr;
};

// Returns a CloudClient of one Tencent Cloud account. `transport` must not
// be null. The client is thread-safe and holds no mutable state.
//
// Every call is one signed `POST /` of API 3.0 with a compact JSON body
// whose keys follow the SDK's order, e.g.
//   ResetInstancesPassword {"InstanceIds":[..],"Password":"..",
//                           "UserName":"root","ForceStop":true}
//   StopInstances   {"InstanceIds":[..],"StopType":"SOFT_FIRST",
//                    "StoppedMode":"KEEP_CHARGING"}
//   StartInstances  {"InstanceIds":[..]}
//   RebootInstances {"InstanceIds":[..],"StopType":"SOFT_FIRST"}
//   DescribeInstances {"InstanceIds":[..],"Limit":100}
// UserName is omitted when ResetPasswordParams::username is empty (the
// image's default account). The buffer holding a password is wiped after the
// call, and no error message carries the password.
//
// Capabilities: every batch limit is min(100, max_batch); a reset requires a
// stopped instance (or force_stop); the reset's outcome is observable via
// Describe's latest_operation_state and verified by Tencent.
//
// Describe sends DescribeInstances, never with an empty id list (which
// would list the whole account): Describe of no ids returns an empty vector
// without a call. Tencent fails the whole call with InvalidInstanceId.NotFound
// when any id is unknown; the client then retries without the ids the error
// message names, and when the message names none of them it splits the batch
// in halves, so that known instances still get their status and unknown ids
// come back as kNotFound. That costs extra calls (about 2 per unknown id
// named in messages, more when it has to bisect), which a caller's rate
// limiter does not see; Tencent's own throttling of them surfaces as
// kResourceExhausted.
//
// Errors follow CloudClient's contract; the mapping of Tencent's codes is
// TencentErrorCode() in tencent_wire.h. An empty or malformed region, an
// empty id list for an action, an empty password or more ids than the
// batch limit return kInvalidArgument without sending anything.
std::unique_ptr<CloudClient> MakeTencentCvmClient(
    TencentCvmOptions options, std::shared_ptr<http::HttpTransport> transport);

}  // namespace resetd::clients::tencent
