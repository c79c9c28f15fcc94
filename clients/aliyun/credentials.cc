#include "clients/aliyun/credentials.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "clients/credential_source.h"

namespace resetd::clients::aliyun {

absl::StatusOr<AliyunCredentials> LoadAliyunCredentials(
    const AliyunCredentialSources& sources) {
  absl::StatusOr<std::string> id =
      LoadCredential("AccessKey ID", sources.access_key_id_file,
              sources.access_key_id_env, "ALIBABA_CLOUD_ACCESS_KEY_ID");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> secret =
      LoadCredential("AccessKey secret", sources.access_key_secret_file,
              sources.access_key_secret_env, "ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  if (!secret.ok()) return secret.status();
  AliyunCredentials credentials;
  credentials.access_key_id = std::move(*id);
  credentials.access_key_secret = Secret(std::move(*secret));
  return credentials;
}

}  // namespace resetd::clients::aliyun
