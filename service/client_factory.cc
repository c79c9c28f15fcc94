#include "service/client_factory.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "clients/aliyun/aliyun_ecs_client.h"
#include "clients/aliyun/credentials.h"
#include "clients/http/curl_transport.h"
#include "clients/http/paced_transport.h"
#include "clients/huawei/credentials.h"
#include "clients/huawei/huawei_ecs_client.h"
#include "clients/lighthouse/lighthouse_client.h"
#include "clients/tencent/credentials.h"
#include "clients/tencent/tencent_cvm_client.h"
#include "common/clock.h"

namespace resetd::service {
namespace {

absl::Duration Ms(int ms) { return absl::Milliseconds(ms); }

using ClientOrError = absl::StatusOr<std::shared_ptr<clients::CloudClient>>;
using Transport = std::shared_ptr<clients::http::HttpTransport>;

// What every provider's options have in common, from its config.
template <typename Options>
void SetCommonOptions(const resetd::v1::ProviderConfig& p, Options& options) {
  if (!p.endpoint().empty()) options.endpoint = p.endpoint();
  options.scheme = p.scheme();
  options.request_timeout = Ms(p.request_timeout_ms());
  options.connect_timeout = Ms(p.connect_timeout_ms());
  options.max_batch = p.max_batch();
  options.clock = &RealClock();
}

// Tencent CVM and Lighthouse: the same kind of API key, the same options.
template <typename Options, typename Make>
ClientOrError MakeTencentProduct(const resetd::v1::ProviderConfig& p,
                                 Transport transport, Make make) {
  const resetd::v1::Credentials& c = p.credentials();
  clients::tencent::CredentialSources sources;
  sources.secret_id_file = c.secret_id_file();
  sources.secret_key_file = c.secret_key_file();
  sources.secret_id_env = c.secret_id_env();
  sources.secret_key_env = c.secret_key_env();
  auto credentials = clients::tencent::LoadTencentCredentials(sources);
  if (!credentials.ok()) return credentials.status();
  Options options;
  SetCommonOptions(p, options);
  options.secret_id = credentials->secret_id;
  options.secret_key = std::move(credentials->secret_key);
  return std::shared_ptr<clients::CloudClient>(
      make(std::move(options), std::move(transport)));
}

ClientOrError MakeTencentCvm(const resetd::v1::ProviderConfig& p,
                             Transport transport) {
  return MakeTencentProduct<clients::tencent::TencentCvmOptions>(
      p, std::move(transport), &clients::tencent::MakeTencentCvmClient);
}

ClientOrError MakeLighthouse(const resetd::v1::ProviderConfig& p,
                             Transport transport) {
  return MakeTencentProduct<clients::lighthouse::LighthouseOptions>(
      p, std::move(transport), &clients::lighthouse::MakeLighthouseClient);
}

// Credentials.secret_id_* / secret_key_* are the AccessKey ID / secret.
ClientOrError MakeAliyunEcs(const resetd::v1::ProviderConfig& p,
                            Transport transport) {
  const resetd::v1::Credentials& c = p.credentials();
  clients::aliyun::AliyunCredentialSources sources;
  sources.access_key_id_file = c.secret_id_file();
  sources.access_key_secret_file = c.secret_key_file();
  sources.access_key_id_env = c.secret_id_env();
  sources.access_key_secret_env = c.secret_key_env();
  auto credentials = clients::aliyun::LoadAliyunCredentials(sources);
  if (!credentials.ok()) return credentials.status();
  clients::aliyun::AliyunEcsOptions options;
  SetCommonOptions(p, options);
  options.access_key_id = credentials->access_key_id;
  options.access_key_secret = std::move(credentials->access_key_secret);
  return std::shared_ptr<clients::CloudClient>(
      clients::aliyun::MakeAliyunEcsClient(std::move(options), transport));
}

// Credentials.secret_id_* / secret_key_* are the AK / SK.
ClientOrError MakeHuaweiEcs(const resetd::v1::ProviderConfig& p,
                            Transport transport) {
  const resetd::v1::Credentials& c = p.credentials();
  clients::huawei::HuaweiCredentialSources sources;
  sources.ak_file = c.secret_id_file();
  sources.sk_file = c.secret_key_file();
  sources.ak_env = c.secret_id_env();
  sources.sk_env = c.secret_key_env();
  auto credentials = clients::huawei::LoadHuaweiCredentials(sources);
  if (!credentials.ok()) return credentials.status();
  clients::huawei::HuaweiEcsOptions options;
  SetCommonOptions(p, options);  // no endpoint: ecs.{region}.myhuaweicloud.com
  options.project_ids.insert(p.project_ids().begin(), p.project_ids().end());
  options.ak = credentials->ak;
  options.sk = std::move(credentials->sk);
  options.batch_reset = p.batch_reset();
  return std::shared_ptr<clients::CloudClient>(
      clients::huawei::MakeHuaweiEcsClient(std::move(options), transport));
}

}  // namespace

CloudClientFactory MakeClientFactory() {
  using Maker = ClientOrError (*)(const resetd::v1::ProviderConfig&, Transport);
  static constexpr std::pair<std::string_view, Maker> kMakers[] = {
      {"tencent_cvm", &MakeTencentCvm},
      {"tencent_lighthouse", &MakeLighthouse},
      {"aliyun_ecs", &MakeAliyunEcs},
      {"huawei_ecs", &MakeHuaweiEcs},
  };
  // Every HTTP attempt passes the engine's gate of its call (token bucket,
  // resetd_provider_http_attempts_total); libcurl never re-sends behind it.
  Transport transport =
      clients::http::MakePacedTransport(clients::http::MakeCurlTransport());
  return [transport](const resetd::v1::ProviderConfig& p) -> ClientOrError {
    for (const auto& [kind, make] : kMakers) {
      if (kind == p.kind()) return make(p, transport);
    }
    return absl::InvalidArgumentError("no client for kind \"" + p.kind() +
                                      "\"");
  };
}

}  // namespace resetd::service
