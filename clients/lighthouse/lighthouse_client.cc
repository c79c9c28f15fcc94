#include "clients/lighthouse/lighthouse_client.h"

#include <utility>

#include "clients/lighthouse/lighthouse_wire.h"
#include "clients/tencent/api3_instance_client.h"

namespace resetd::clients::lighthouse {

std::unique_ptr<CloudClient> MakeLighthouseClient(
    LighthouseOptions options, std::shared_ptr<http::HttpTransport> transport) {
  // Same API 3.0 as CVM; what differs: the reset stops the instance itself
  // (no ForceStop), no StoppedMode, and Lighthouse's own codes and states.
  tencent::Api3Product product;
  product.service = kLighthouseService;
  product.version = kLighthouseApiVersion;
  product.label = "Lighthouse";
  product.reset_effect = ResetEffect::kRestartsItself;
  product.map_error = &ToLighthouseStatus;
  product.instance_not_found_codes = {"ResourceNotFound.InstanceIdNotFound",
                                      "ResourceNotFound.InstanceNotFound"};
  product.parse_instance = &ParseLighthouseInstance;
  tencent::Api3Options api3;
  api3.endpoint = std::move(options.endpoint);
  api3.scheme = std::move(options.scheme);
  api3.secret_id = std::move(options.secret_id);
  api3.secret_key = std::move(options.secret_key);
  api3.request_timeout = options.request_timeout;
  api3.connect_timeout = options.connect_timeout;
  api3.max_batch = options.max_batch;
  api3.clock = options.clock;
  return tencent::MakeApi3InstanceClient(product, std::move(api3),
                                         std::move(transport));
}

}  // namespace resetd::clients::lighthouse
