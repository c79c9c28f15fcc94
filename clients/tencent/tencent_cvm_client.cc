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
  Api3Options api3;
  api3.endpoint = std::move(options.endpoint);
  api3.scheme = std::move(options.scheme);
  api3.secret_id = std::move(options.secret_id);
  api3.secret_key = std::move(options.secret_key);
  api3.request_timeout = options.request_timeout;
  api3.connect_timeout = options.connect_timeout;
  api3.max_batch = options.max_batch;
  api3.clock = options.clock;
  return MakeApi3InstanceClient(product, std::move(api3), std::move(transport));
}

}  // namespace resetd::clients::tencent
