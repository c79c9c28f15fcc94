// The CloudClient of Alibaba Cloud ECS (RPC-style API 2014-05-26, ACS3-HMAC-
// SHA256 signatures), speaking the wire format of the official SDK's V3
// default (@alicloud/ecs20140526 on openapi-core; see
// shared/reference/PROVIDER-WIRE-NOTES.md §3).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "clients/cloud_client.h"
#include "clients/http/http_transport.h"
#include "common/clock.h"
#include "common/secret.h"

namespace resetd::clients::aliyun {

inline constexpr char kEcsApiVersion[] = "2014-05-26";

struct AliyunEcsOptions {
  // host[:port]; sent as the Host header and signed verbatim, port included.
  // The central endpoint serves every public region; a regional one
  // (ecs.<region>.aliyuncs.com) serves only its region.
  std::string endpoint = "ecs.aliyuncs.com";
  std::string scheme = "https";  // or "http" (the password is in the URL)
  std::string access_key_id;
  Secret access_key_secret;
  absl::Duration request_timeout = absl::Seconds(10);
  absl::Duration connect_timeout = absl::Seconds(3);
  int max_batch = 100;  // ids per batch call; capped at (and defaulting to) 100
  // Source of x-acs-date; nullptr = RealClock(). Not owned; must outlive
  // the client.
  resetd::Clock* clock = nullptr;
  // Source of x-acs-signature-nonce, for tests; empty = 16 random bytes
  // (RAND_bytes) in hex. Must be thread-safe.
  std::function<std::string()> nonce;
};

// Returns a CloudClient of one Alibaba Cloud account. `transport` must not be
// null. The client is thread-safe and holds no mutable state.
//
// Every call is one signed, body-less `POST /?<query>` with every parameter
// in the query (canonical form: sorted, RFC 3986 encoded) and the headers
// host, x-acs-version: 2014-05-26, x-acs-action, x-acs-date,
// x-acs-signature-nonce, accept: application/json, content-type:
// application/x-www-form-urlencoded (libcurl sends it on any POST; sending it
// ourselves gets it signed), x-acs-content-sha256 (of ""), Authorization.
//   Describe   DescribeInstances InstanceIds=["id",..] MaxResults=100 RegionId
//              (one call answers 100 ids; DescribeInstanceStatus pages at 50
//              and would need two). Unknown ids are simply absent from the
//              answer and come back as kNotFound. Describe of no ids returns
//              an empty vector without a call (no ids = the whole account).
//   Stop       StopInstances InstanceId.N BatchOptimization=SuccessFirst
//              ForceStop=<kForce> StoppedMode=KeepCharging RegionId.
//              ECS has no soft-then-force: kSoft and kSoftThenForce send
//              ForceStop=false.
//   Start      StartInstances InstanceId.N BatchOptimization=SuccessFirst
//              RegionId
//   Reboot     RebootInstances InstanceId.N BatchOptimization=SuccessFirst
//              ForceReboot=<kForce> RegionId
//   ResetPassword     ModifyInstanceAttribute InstanceId Password (one id; no
//              RegionId: the API has none, the endpoint routes it).
//              ResetPasswordParams::username must be empty (ECS resets the
//              image's default account) and force_stop is ignored (the
//              instance is not stopped by a reset).
//   ResetVncPassword  ModifyInstanceVncPasswd InstanceId RegionId VncPassword
//              (one id).
// With SuccessFirst, ECS applies a batch to every instance it can and
// reports each one in InstanceResponses; if any instance failed, the call
// returns an error whose code follows the FIRST failed instance and whose
// ProviderError lists every failed instance (CheckInstanceResponses() in
// aliyun_wire.h). The other instances were acted on: observe before retrying.
//
// Passwords travel in the URL query. Every buffer the client builds that
// holds one (parameters, query, URL, canonical request) is reserved once and
// wiped after the call, and any error's message and ProviderError have the
// password (plain and percent-encoded) replaced by "***".
//
// Capabilities: every batch limit but the resets' is min(100, max_batch);
// resets take one id; a reset applies at the next boot started from the API
// (kAppliesAtNextBoot), ECS validates it synchronously (reset_verifiable) but
// Describe does not report it (not observable); vnc_password = true.
//
// Errors follow CloudClient's contract; ECS codes map per AliyunErrorCode()
// in aliyun_wire.h. An empty or malformed region, an empty id list for an
// action, an empty password, a username, or more ids than the batch limit
// return kInvalidArgument without sending anything.
std::unique_ptr<CloudClient> MakeAliyunEcsClient(
    AliyunEcsOptions options, std::shared_ptr<http::HttpTransport> transport);

}  // namespace resetd::clients::aliyun
