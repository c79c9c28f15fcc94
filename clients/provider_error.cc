#include "clients/provider_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace resetd::clients {

absl::Status MakeProviderStatus(absl::StatusCode code,
                                const ProviderError& error) {
  absl::Status status(code, absl::StrCat(error.code, ": ", error.message));
  nlohmann::json j = {{"code", error.code},
                      {"message", error.message},
                      {"request_id", error.request_id},
                      {"http_status", error.http_status}};
  status.SetPayload(kProviderErrorPayloadUrl, absl::Cord(j.dump()));
  return status;
}

std::optional<ProviderError> GetProviderError(const absl::Status& status) {
  auto payload = status.GetPayload(kProviderErrorPayloadUrl);
  if (!payload) return std::nullopt;
  auto j = nlohmann::json::parse(std::string(*payload), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  ProviderError e;
  e.code = j.value("code", "");
  e.message = j.value("message", "");
  e.request_id = j.value("request_id", "");
  e.http_status = j.value("http_status", 0);
  return e;
}

}  // namespace resetd::clients
