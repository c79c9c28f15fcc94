// Where a Tencent Cloud account's API key comes from: files (Kubernetes
// Secrets mounted as volumes) or environment variables.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/secret.h"

namespace resetd::clients::tencent {

// Mirrors resetd.v1.Credentials (config.proto). For each of SecretId and
// SecretKey: the file when its path is set, else the environment variable.
struct CredentialSources {
  std::string secret_id_file;   // "" = read secret_id_env instead
  std::string secret_key_file;  // "" = read secret_key_env instead
  std::string secret_id_env = "TENCENTCLOUD_SECRET_ID";    // "" = default
  std::string secret_key_env = "TENCENTCLOUD_SECRET_KEY";  // "" = default
};

struct TencentCredentials {
  std::string secret_id;  // not secret: it appears in every Authorization
  Secret secret_key;
};

// Loads SecretId and SecretKey. A file's trailing whitespace (the newline
// `kubectl create secret --from-file` keeps) is trimmed; so is an env var's.
// Returns kFailedPrecondition naming the variable or file (never the value)
// when it is unset, empty, unreadable or larger than 64 KiB.
// Reads the environment with getenv: do not call it while another thread
// calls setenv.
absl::StatusOr<TencentCredentials> LoadTencentCredentials(
    const CredentialSources& sources);

}  // namespace resetd::clients::tencent
