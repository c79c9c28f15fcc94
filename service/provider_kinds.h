// What the service knows about each provider kind it can configure: default
// endpoint and credential variables, batch cap, and the instance id format.
// Adding a provider adds one entry here (and its client in main.cc).
#pragma once

#include <string>
#include <string_view>

namespace resetd::service {

struct ProviderKind {
  std::string_view name;              // config's `kind`, e.g. "tencent_cvm"
  std::string_view default_endpoint;  // host[:port]
  std::string_view secret_id_env;     // default credential variables
  std::string_view secret_key_env;
  int max_batch = 100;  // the provider's own cap on ids per call
  // Human-readable id format, for validation messages.
  std::string_view id_format;
  // True iff `id` is well-formed for this provider.
  bool (*is_valid_id)(std::string_view id) = nullptr;
};

// The kind named `name`, or nullptr if this build does not know it.
const ProviderKind* FindProviderKind(std::string_view name);

// The known kinds' names, comma-separated, for error messages.
std::string KnownProviderKindNames();

}  // namespace resetd::service
