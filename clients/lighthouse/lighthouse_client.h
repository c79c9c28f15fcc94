// The CloudClient of Tencent Cloud Lighthouse (轻量应用服务器; API 3.0,
// version 2020-03-24, TC3 signatures with service "lighthouse"), speaking the
// wire format of the official Node SDK (tencentcloud-sdk-nodejs,
// tencentcloud.lighthouse.v20200324.Client).
//
// Credentials are a Tencent Cloud API key, the same as CVM's: load them with
// tencent::LoadTencentCredentials() (clients/tencent/credentials.h; env vars
// TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY by default). The key needs
// lighthouse:DescribeInstances, StopInstances, StartInstances,
// RebootInstances and ResetInstancesPassword.
//
// Provider limits (API reference, cloud.tencent.com/document/api/1207):
// at most 100 instance ids per call for every action used here; default rate
// limits per second: ResetInstancesPassword 20, StopInstances 10,
// RebootInstances 10, StartInstances 10, DescribeInstances 100 (intl doc).
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "clients/cloud_client.h"
#include "clients/http/http_transport.h"
#include "common/clock.h"
#include "common/secret.h"

namespace resetd::clients::lighthouse {

inline constexpr char kLighthouseApiVersion[] = "2020-03-24";
inline constexpr char kLighthouseService[] = "lighthouse";  // TC3 scope
inline constexpr char kLighthouseEndpoint[] = "lighthouse.tencentcloudapi.com";

struct LighthouseOptions {
  // host[:port]. The TC3 scope service is always "lighthouse", whatever the
  // host (the SDK derives it from the host's first label, which for the real
  // endpoints - also lighthouse.intl.tencentcloudapi.com - is the same).
  std::string endpoint = kLighthouseEndpoint;
  std::string scheme = "https";  // or "http"
  std::string secret_id;
  Secret secret_key;
  absl::Duration request_timeout = absl::Seconds(10);
  absl::Duration connect_timeout = absl::Seconds(3);
  int max_batch = 100;  // ids per call; capped at (and defaulting to) 100
  // Source of X-TC-Timestamp; nullptr = RealClock(). Not owned; must
  // outlive the client.
  resetd::Clock* clock = nullptr;
};

// Returns a CloudClient of one Tencent Cloud account's Lighthouse instances.
// `transport` must not be null. The client is thread-safe and holds no
// mutable state.
//
// Every call is one signed `POST /` of API 3.0 (headers Content-Type, Host,
// X-TC-Action, X-TC-Version 2020-03-24, X-TC-Region, X-TC-Timestamp,
// X-TC-RequestClient, Authorization) with a compact JSON body whose keys
// follow the SDK's order:
//   ResetInstancesPassword {"InstanceIds":[..],"Password":"..",
//                           "UserName":"root"}
//   StopInstances     {"InstanceIds":[..],"StopType":"SOFT_FIRST"}
//   StartInstances    {"InstanceIds":[..]}
//   RebootInstances   {"InstanceIds":[..],"StopType":"SOFT_FIRST"}
//   DescribeInstances {"InstanceIds":[..],"Limit":100}
// UserName is omitted when ResetPasswordParams::username is empty (the
// image's admin account: root, ubuntu on Ubuntu, Administrator on Windows).
// ResetPasswordParams::force_stop is ignored: Lighthouse has no ForceStop;
// a reset of a running instance shuts it down itself (normally, then by
// force) and Describe reports the outcome in latest_operation_state. The
// buffer holding a password is wiped after the call, and no error message
// carries the password.
//
// Capabilities: every batch limit is min(100, max_batch); reset_effect
// kRestartsItself; the reset's outcome is observable via Describe and
// verified by Lighthouse; no VNC password (ResetVncPassword returns
// kUnimplemented).
//
// Describe sends DescribeInstances, never with an empty id list (which
// would list the whole account): Describe of no ids returns an empty vector
// without a call. Ids missing from the InstanceSet come back as kNotFound.
// When Lighthouse fails the whole call with ResourceNotFound.InstanceIdNotFound
// the client retries without the ids the message names, or, when it names
// none, splits the batch in halves (extra calls a caller's rate limiter does
// not see).
//
// Errors follow CloudClient's contract, with Lighthouse's codes mapped by
// LighthouseErrorCode() (lighthouse_wire.h) and every provider error carrying
// its ProviderError payload. An empty or malformed region, an empty id list
// for an action, an empty password or more ids than the batch limit return
// kInvalidArgument without sending anything.
std::unique_ptr<CloudClient> MakeLighthouseClient(
    LighthouseOptions options, std::shared_ptr<http::HttpTransport> transport);

}  // namespace resetd::clients::lighthouse
