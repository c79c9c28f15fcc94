// The API 3.0 front of fakecloud: everything the Tencent gateway does before
// and after an action (signature, version, action, region, rate limit, fault
// injection, the Response envelope, the call log and the request log line).
#pragma once

#include <map>
#include <random>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "fakecloud/call_log.h"
#include "fakecloud/fleet.h"
#include "fakecloud/rate_window.h"
#include "fakecloud/tc3_verifier.h"

namespace resetd::fakecloud {

// One HTTP request as fakecloud sees it. Header names are lower case.
struct ApiRequest {
  std::string method = "POST";
  std::string query;  // the raw URL query, without '?'
  std::string body;
  std::map<std::string, std::string> headers;
};

// The HTTP 200 answer: a JSON body and the X-TC-TraceId to echo ("" = none).
struct ApiReply {
  std::string body;
  std::string trace_id;
};

// Injected failures, changeable at run time.
struct FaultOptions {
  double error_rate = 0;  // chance of InternalError / InternalServerError
  DelayRange latency;     // added before every API answer
};

struct ApiOptions {
  // Requests per second per (SecretId, region, action); <= 0 = unlimited.
  // Actions not listed use DefaultRates().
  std::map<std::string, int> rates;
  // Regions accepted besides Tencent's public CVM regions.
  std::set<std::string> extra_regions;
  FaultOptions faults;
  uint64_t seed = 1;  // seeds fault draws
};

// The documented default rates: DescribeInstances and DescribeInstancesStatus
// 40/s, StopInstances, StartInstances, RebootInstances and
// ResetInstancesPassword 10/s.
std::map<std::string, int> DefaultRates();

// Thread-safe; the collaborators must outlive it.
class TencentApi {
 public:
  TencentApi(Fleet& fleet, const Tc3Verifier& verifier, RateWindow& rates,
             CallLog& calls, const Clock& clock, ApiOptions options);

  // Answers one API request (always meant for HTTP 200), records it in the
  // call log and writes one log line. Sleeps for injected latency.
  ApiReply Handle(const ApiRequest& request);

  void SetFaults(const FaultOptions& faults);
  FaultOptions faults() const;

 private:
  struct Outcome;
  Outcome Process(const ApiRequest& request, CallRecord& record);
  std::optional<ApiError> CheckGateway(const ApiRequest& request,
                                       CallRecord& record);
  std::optional<ApiError> MaybeInjectError();
  absl::Duration DrawLatency();
  int RateFor(const std::string& action) const;

  Fleet& fleet_;
  const Tc3Verifier& verifier_;
  RateWindow& rates_;
  CallLog& calls_;
  const Clock& clock_;
  const std::map<std::string, int> rate_limits_;
  const std::set<std::string> extra_regions_;
  mutable absl::Mutex mu_;
  FaultOptions faults_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

// A fresh random (version 4) UUID, the form of Tencent RequestIds.
std::string NewRequestId();

// Whether `region` is a public Tencent CVM region (ap-guangzhou, ...).
bool IsPublicRegion(const std::string& region);

}  // namespace resetd::fakecloud
