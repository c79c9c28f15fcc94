// One credential of a provider account, from a file (a Kubernetes Secret
// mounted as a volume) or an environment variable. Shared by every
// provider's credentials loader.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace resetd::clients {

// The value of the credential called `what` (e.g. "SecretKey"): the content
// of `file` when it is set, else the environment variable `env` (or
// `default_env` when `env` is empty). Trailing whitespace (the newline
// `kubectl create secret --from-file` keeps) is trimmed. Returns
// kFailedPrecondition naming `what` and its source, never the value, when it
// is unset, empty, unreadable or larger than 64 KiB. Reads the environment
// with getenv: do not call it while another thread calls setenv.
absl::StatusOr<std::string> LoadCredential(const std::string& what,
                                           const std::string& file,
                                           const std::string& env,
                                           const char* default_env);

}  // namespace resetd::clients
