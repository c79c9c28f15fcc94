// The Tencent Cloud API 3.0 products that share Api3InstanceClient (CVM and
// Lighthouse), described for tests, and a harness that builds one product's
// client over a scripted transport with a fixed key and clock. The shared
// cases run once per product (api3_instance_client_test.cc,
// api3_sdk_signature_test.cc); a product's own cases use the harness alone.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "clients/cloud_client.h"
#include "clients/lighthouse/lighthouse_client.h"
#include "clients/tencent/api3_instance_client.h"
#include "clients/tencent/tencent_cvm_client.h"
#include "common/clock.h"
#include "common/secret.h"
#include "nlohmann/json.hpp"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::testing {

inline constexpr int64_t kApi3Timestamp = 1795376535;  // 2026-11-22
inline constexpr char kApi3SecretId[] = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
inline constexpr char kApi3SecretKey[] = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
inline constexpr char kApi3Password[] = "Fake-Passw0rd!2024";
inline constexpr char kApi3Region[] = "ap-guangzhou";

// What a test needs to know of one product: its factory, its wire
// constants, and where its answers and requests differ from the other's.
struct Api3TestProduct {
  const char* name;       // in test names: "TencentCvm", "Lighthouse"
  const char* host;       // the default endpoint
  const char* service;    // TC3 credential scope
  const char* version;    // X-TC-Version
  const char* id_prefix;  // "ins-", "lhins-"
  ResetEffect reset_effect;
  // What StopInstances sends after StopType (CVM: StoppedMode).
  const char* stop_extra;
  bool force_stop;  // ResetInstancesPassword sends ForceStop
  // DescribeInstances "an id is unknown" codes, with the id named in the
  // message and without, and the message that names one ("{id}" stands for
  // it).
  const char* not_found_named;
  const char* not_found_unnamed;
  const char* not_found_message;
  // A state besides RUNNING and STOPPED for Describe to map, and its
  // PowerState.
  const char* other_state;
  PowerState other_power_state;
  // The field of a DescribeInstances `Instance` object that only this
  // product has (Lighthouse's model has no LatestOperationErrorMsg).
  const char* instance_field;
  const char* instance_value;  // nullptr: JSON null
  std::unique_ptr<CloudClient> (*make)(tencent::Api3Options options,
                                       std::shared_ptr<http::HttpTransport>);
};

// `make` of a product whose factory is `kFactory`, taking `ProductOptions`.
template <typename ProductOptions, auto kFactory>
std::unique_ptr<CloudClient> MakeWith(
    tencent::Api3Options options,
    std::shared_ptr<http::HttpTransport> transport) {
  return kFactory(tencent::CopyApi3Options<ProductOptions>(std::move(options)),
                  std::move(transport));
}

inline const Api3TestProduct& TencentCvm() {
  static const Api3TestProduct product = {
      "TencentCvm",
      "cvm.tencentcloudapi.com",
      "cvm",
      "2017-03-12",
      "ins-",
      ResetEffect::kRequiresStopped,
      R"(,"StoppedMode":"KEEP_CHARGING")",
      /*force_stop=*/true,
      "InvalidInstanceId.NotFound",
      "InvalidInstanceId.NotFound",
      "The instance `{id}` is not found.",
      "SERVICE_LIVE_MIGRATE",
      PowerState::kMigrating,
      "LatestOperationErrorMsg",
      nullptr,
      &MakeWith<tencent::TencentCvmOptions, &tencent::MakeTencentCvmClient>};
  return product;
}

inline const Api3TestProduct& Lighthouse() {
  static const Api3TestProduct product = {
      "Lighthouse",
      "lighthouse.tencentcloudapi.com",
      "lighthouse",
      "2020-03-24",
      "lhins-",
      ResetEffect::kRestartsItself,
      "",
      /*force_stop=*/false,
      "ResourceNotFound.InstanceIdNotFound",
      "ResourceNotFound.InstanceNotFound",
      "The instance ID `{id}` does not exist.",
      "PENDING",
      PowerState::kPending,
      "LatestOperationStartedTime",
      "2026-11-22T10:00:00Z",
      &MakeWith<lighthouse::LighthouseOptions,
                &lighthouse::MakeLighthouseClient>};
  return product;
}

class FixedClock final : public resetd::Clock {
 public:
  absl::Time Now() const override {
    return absl::FromUnixSeconds(kApi3Timestamp);
  }
};

// One product's client over a scripted transport, and the answers its API
// gives. Not thread-safe itself; the transport is.
class Api3Harness {
 protected:
  explicit Api3Harness(const Api3TestProduct& product) : product_(product) {}

  // The product's default endpoint, the fixed key and clock.
  tencent::Api3Options Options() {
    tencent::Api3Options options;
    options.endpoint = product_.host;
    options.secret_id = kApi3SecretId;
    options.secret_key = Secret(kApi3SecretKey);
    options.clock = &clock_;
    return options;
  }
  std::unique_ptr<CloudClient> Client(tencent::Api3Options options) {
    return product_.make(std::move(options), transport_);
  }
  std::unique_ptr<CloudClient> Client() { return Client(Options()); }

  // force_stop is set: CVM sends it, Lighthouse ignores it.
  ResetPasswordParams Params(std::string username = "root") {
    ResetPasswordParams params;
    params.username = std::move(username);
    params.password = Secret(kApi3Password);
    params.force_stop = true;
    return params;
  }

  // The ids <prefix>00000001 .. <prefix>0000000n.
  std::vector<std::string> Ids(int n) const {
    std::vector<std::string> ids;
    for (int i = 1; i <= n; ++i) {
      char number[16];
      std::snprintf(number, sizeof(number), "%08d", i);
      ids.push_back(product_.id_prefix + std::string(number));
    }
    return ids;
  }
  // Ids(n) as they stand in a JSON array, e.g. "ins-00000001","ins-00000002".
  std::string QuotedIds(int n) const {
    std::string out;
    for (const std::string& id : Ids(n)) {
      out += (out.empty() ? "\"" : ",\"") + id + "\"";
    }
    return out;
  }

  // The product's "not found" message naming `id`.
  std::string NotFoundMessage(const std::string& id) const {
    std::string message = product_.not_found_message;
    return message.replace(message.find("{id}"), 4, id);
  }

  // The product's DescribeInstances `Instance` object.
  nlohmann::json Instance(const std::string& id,
                          const std::string& state) const {
    nlohmann::json instance = {{"InstanceId", id},
                               {"InstanceState", state},
                               {"LatestOperation", "ResetInstancesPassword"},
                               {"LatestOperationState", "SUCCESS"},
                               {"LatestOperationRequestId", "req-op-" + id}};
    instance[product_.instance_field] =
        product_.instance_value == nullptr
            ? nlohmann::json(nullptr)
            : nlohmann::json(product_.instance_value);
    return instance;
  }

  const Api3TestProduct& product_;
  FixedClock clock_;
  std::shared_ptr<http::ScriptedTransport> transport_ =
      std::make_shared<http::ScriptedTransport>();
};

// The value of the header `name` of `request`, or "<absent>".
inline std::string Header(const http::HttpRequest& request,
                          const std::string& name) {
  for (const auto& [n, v] : request.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

// An API 3.0 error answer (HTTP 200 with Response.Error).
inline http::HttpResponse ErrorResponse(
    const std::string& code, const std::string& message,
    const std::string& request_id = "req-err-1") {
  nlohmann::json j = {{"Response",
                       {{"Error", {{"Code", code}, {"Message", message}}},
                        {"RequestId", request_id}}}};
  return http::JsonResponse(j.dump());
}

// The answer of an asynchronous action: only a RequestId.
inline http::HttpResponse Accepted(const std::string& request_id = "req-ok-1") {
  return http::JsonResponse(R"({"Response":{"RequestId":")" + request_id +
                            R"("}})");
}

// A DescribeInstances answer listing `instances`.
inline http::HttpResponse InstanceSet(
    const std::vector<nlohmann::json>& instances) {
  nlohmann::json j = {{"Response",
                       {{"TotalCount", instances.size()},
                        {"InstanceSet", instances},
                        {"RequestId", "req-describe"}}}};
  return http::JsonResponse(j.dump());
}

}  // namespace resetd::clients::testing
