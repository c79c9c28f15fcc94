// Builders of signed API 3.0 requests for fakecloud tests.
#pragma once

#include <map>
#include <string>

#include "absl/time/time.h"
#include "clients/tencent/tc3_signer.h"
#include "fakecloud/tencent_api.h"

namespace resetd::fakecloud::testing {

inline constexpr char kTestSecretId[] = "AKIDtestEXAMPLE";
inline constexpr char kTestSecretKey[] = "test-secret-key";
inline constexpr char kHost[] = "cvm.tencentcloudapi.com";

// A POST request for `action` with JSON `body`, signed with the product's
// signer at `now`.
inline ApiRequest SignedRequest(const std::string& action,
                                const std::string& body, absl::Time now,
                                const std::string& region = "ap-guangzhou",
                                const std::string& secret_key = kTestSecretKey,
                                const std::string& secret_id = kTestSecretId) {
  ApiRequest r;
  r.method = "POST";
  r.body = body;
  const int64_t ts = absl::ToUnixSeconds(now);
  r.headers = {{"host", std::string(kHost) + ":8443"},
               {"content-type", "application/json"},
               {"x-tc-action", action},
               {"x-tc-version", "2017-03-12"},
               {"x-tc-timestamp", std::to_string(ts)},
               {"x-tc-traceid", "trace-1"}};
  if (!region.empty()) r.headers["x-tc-region"] = region;
  clients::tencent::Tc3Request tc3{
      "POST", "", "application/json", kHost, r.body, "cvm", ts};
  r.headers["authorization"] =
      clients::tencent::Tc3Authorization(secret_id, secret_key, tc3);
  return r;
}

// A POST request to the Lighthouse API (version 2020-03-24, credential scope
// service "lighthouse") for `action` with JSON `body`, signed at `now`.
// `version` and `service` may be overridden to test routing.
inline ApiRequest SignedLighthouseRequest(
    const std::string& action, const std::string& body, absl::Time now,
    const std::string& region = "ap-guangzhou",
    const std::string& version = "2020-03-24",
    const std::string& service = "lighthouse") {
  static constexpr char kLighthouseHost[] = "lighthouse.tencentcloudapi.com";
  ApiRequest r;
  r.method = "POST";
  r.body = body;
  const int64_t ts = absl::ToUnixSeconds(now);
  r.headers = {{"host", kLighthouseHost},
               {"content-type", "application/json"},
               {"x-tc-action", action},
               {"x-tc-version", version},
               {"x-tc-timestamp", std::to_string(ts)},
               {"x-tc-traceid", "trace-lh"}};
  if (!region.empty()) r.headers["x-tc-region"] = region;
  clients::tencent::Tc3Request tc3{
      "POST", "", "application/json", kLighthouseHost, r.body, service, ts};
  r.headers["authorization"] =
      clients::tencent::Tc3Authorization(kTestSecretId, kTestSecretKey, tc3);
  return r;
}

}  // namespace resetd::fakecloud::testing
