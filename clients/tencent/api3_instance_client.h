// The instance client shared by Tencent Cloud's API 3.0 products (CVM,
// Lighthouse): one signed `POST /` per call, the same envelope, errors and
// Describe fallback; a product only declares what differs (Api3Product).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clients/cloud_client.h"
#include "clients/http/http_transport.h"
#include "common/clock.h"
#include "common/secret.h"
#include "nlohmann/json.hpp"

namespace resetd::clients::tencent {

inline constexpr char kRequestClient[] = "resetd/0.1";  // X-TC-RequestClient

// What one API 3.0 product is. Plain data; must outlive nothing (copied).
struct Api3Product {
  const char* service = "";  // TC3 credential scope service, e.g. "cvm"
  const char* version = "";  // X-TC-Version, e.g. "2017-03-12"
  const char* label = "";    // in messages, e.g. "Tencent", "Lighthouse"
  ResetEffect reset_effect = ResetEffect::kRequiresStopped;
  bool stopped_mode = false;  // StopInstances sends StoppedMode KEEP_CHARGING
  bool force_stop = false;    // ResetInstancesPassword sends ForceStop
  // Re-derives the canonical code of an API error for the product's own
  // codes; nullptr keeps ParseTencentResponse's mapping.
  absl::Status (*map_error)(const absl::Status&) = nullptr;
  // DescribeInstances error codes that mean "an id is unknown".
  std::vector<std::string> instance_not_found_codes;
  // One DescribeInstances Instance object to an InstanceStatus.
  InstanceStatus (*parse_instance)(const nlohmann::json&) = nullptr;
};

struct Api3Options {
  std::string endpoint;  // host[:port]
  std::string scheme = "https";
  std::string secret_id;
  Secret secret_key;
  absl::Duration request_timeout = absl::Seconds(10);
  absl::Duration connect_timeout = absl::Seconds(3);
  int max_batch = 100;             // capped at (and defaulting to) 100
  resetd::Clock* clock = nullptr;  // X-TC-Timestamp; nullptr = RealClock()
};

// `options` copied into a `To`. Api3Options and each product's own options
// (TencentCvmOptions, LighthouseOptions) have the same fields, and this is
// the one place that lists them. Pure; thread-safe.
template <typename To, typename From>
To CopyApi3Options(From options) {
  To out;
  out.endpoint = std::move(options.endpoint);
  out.scheme = std::move(options.scheme);
  out.secret_id = std::move(options.secret_id);
  out.secret_key = std::move(options.secret_key);
  out.request_timeout = options.request_timeout;
  out.connect_timeout = options.connect_timeout;
  out.max_batch = options.max_batch;
  out.clock = options.clock;
  return out;
}

// A thread-safe CloudClient of one account of `product`; see
// tencent_cvm_client.h for the wire format and behaviour. `transport` must
// not be null.
std::unique_ptr<CloudClient> MakeApi3InstanceClient(
    const Api3Product& product, Api3Options options,
    std::shared_ptr<http::HttpTransport> transport);

}  // namespace resetd::clients::tencent
