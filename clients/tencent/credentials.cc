#include "clients/tencent/credentials.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "clients/credential_source.h"

namespace resetd::clients::tencent {

absl::StatusOr<TencentCredentials> LoadTencentCredentials(
    const CredentialSources& sources) {
  absl::StatusOr<std::string> id =
      LoadCredential("SecretId", sources.secret_id_file, sources.secret_id_env,
              "TENCENTCLOUD_SECRET_ID");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> key =
      LoadCredential("SecretKey", sources.secret_key_file, sources.secret_key_env,
              "TENCENTCLOUD_SECRET_KEY");
  if (!key.ok()) return key.status();
  TencentCredentials credentials;
  credentials.secret_id = std::move(*id);
  credentials.secret_key = Secret(std::move(*key));
  return credentials;
}

}  // namespace resetd::clients::tencent
