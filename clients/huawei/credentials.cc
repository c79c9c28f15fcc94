#include "clients/huawei/credentials.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "clients/credential_source.h"

namespace resetd::clients::huawei {

absl::StatusOr<HuaweiCredentials> LoadHuaweiCredentials(
    const HuaweiCredentialSources& sources) {
  absl::StatusOr<std::string> ak =
      LoadCredential("AK", sources.ak_file, sources.ak_env, "HUAWEICLOUD_SDK_AK");
  if (!ak.ok()) return ak.status();
  absl::StatusOr<std::string> sk =
      LoadCredential("SK", sources.sk_file, sources.sk_env, "HUAWEICLOUD_SDK_SK");
  if (!sk.ok()) return sk.status();
  HuaweiCredentials credentials;
  credentials.ak = std::move(*ak);
  credentials.sk = Secret(std::move(*sk));
  return credentials;
}

}  // namespace resetd::clients::huawei
