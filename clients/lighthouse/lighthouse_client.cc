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
  return tencent::MakeApi3InstanceClient(
      product,
      tencent::CopyApi3Options<tencent::Api3Options>(std::move(options)),
      std::move(transport));
}

}  // namespace resetd::clients::lighthouse
