// Where an Alibaba Cloud account's AccessKey comes from: files (Kubernetes
// Secrets mounted as volumes) or environment variables.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/secret.h"

namespace resetd::clients::aliyun {

// For each of AccessKey ID and AccessKey secret: the file when its path is
// set, else the environment variable. (resetd.v1.Credentials in config.proto
// carries them as secret_id_* / secret_key_*.)
struct AliyunCredentialSources {
  std::string access_key_id_file;      // "" = read access_key_id_env instead
  std::string access_key_secret_file;  // "" = read access_key_secret_env
  std::string access_key_id_env =
      "ALIBABA_CLOUD_ACCESS_KEY_ID";  // "" = default
  std::string access_key_secret_env =
      "ALIBABA_CLOUD_ACCESS_KEY_SECRET";  // "" = default
};

struct AliyunCredentials {
  std::string access_key_id;  // not secret: it appears in every Authorization
  Secret access_key_secret;
};

// Loads the AccessKey pair. A file's trailing whitespace (the newline
// `kubectl create secret --from-file` keeps) is trimmed; so is an env var's.
// Returns kFailedPrecondition naming the variable or file (never the value)
// when it is unset, empty, unreadable or larger than 64 KiB.
// Reads the environment with getenv: do not call it while another thread
// calls setenv.
absl::StatusOr<AliyunCredentials> LoadAliyunCredentials(
    const AliyunCredentialSources& sources);

}  // namespace resetd::clients::aliyun
