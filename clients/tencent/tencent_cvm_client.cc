#include "clients/tencent/tencent_cvm_client.h"

#include <utility>

#include "clients/tencent/api3_instance_client.h"
#include "clients/tencent/tencent_wire.h"

namespace resetd::clients::tencent {

std::unique_ptr<CloudClient> MakeTencentCvmClient(
    TencentCvmOptions options, std::shared_ptr<http::HttpTransport> transport) {
  Api3Product product;
  product.service = kCvmService;
  product.version = kCvmApiVersion;
  product.label = "Tencent";
  product.reset_effect = ResetEffect::kRequiresStopped;
  product.stopped_mode = true;
  product.force_stop = true;
  product.instance_not_found_codes = {"InvalidInstanceId.NotFound"};
  product.parse_instance = &ParseTencentInstance;
  return MakeApi3InstanceClient(
      product, CopyApi3Options<Api3Options>(std::move(options)),
      std::move(transport));
}

}  // namespace resetd::clients::tencent
