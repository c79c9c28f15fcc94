// Where a Huawei Cloud account's AK/SK comes from: files (Kubernetes Secrets
// mounted as volumes) or environment variables.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/secret.h"

namespace resetd::clients::huawei {

// For each of AK and SK: the file when its path is set, else the
// environment variable (the official SDK's names by default).
struct HuaweiCredentialSources {
  std::string ak_file;                        // "" = read ak_env instead
  std::string sk_file;                        // "" = read sk_env instead
  std::string ak_env = "HUAWEICLOUD_SDK_AK";  // "" = default
  std::string sk_env = "HUAWEICLOUD_SDK_SK";  // "" = default
};

struct HuaweiCredentials {
  std::string ak;  // not secret: it appears in every Authorization header
  Secret sk;
};

// Loads AK and SK. A file's trailing whitespace (the newline
// `kubectl create secret --from-file` keeps) is trimmed; so is an env var's.
// Returns kFailedPrecondition naming the variable or file (never the value)
// when it is unset, empty, unreadable or larger than 64 KiB.
// Reads the environment with getenv: do not call it while another thread
// calls setenv.
absl::StatusOr<HuaweiCredentials> LoadHuaweiCredentials(
    const HuaweiCredentialSources& sources);

}  // namespace resetd::clients::huawei
