// What every API 3.0 action of fakecloud (CVM, Lighthouse) shares: the call
// context, the result, and the readers of request parameters with their
// common error codes. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/secret.h"
#include "fakecloud/api_error.h"
#include "fakecloud/fleet.h"
#include "nlohmann/json.hpp"

namespace resetd::fakecloud {

// Per call facts an action needs.
struct ActionContext {
  std::string region;
  std::string request_id;
  Provider provider = Provider::kTencentCvm;

  Scope scope() const { return Scope{provider, region}; }
};

// What an action returns: an error, or the fields of Response besides
// RequestId.
struct ActionResult {
  std::optional<ApiError> error;
  nlohmann::json payload = nlohmann::json::object();
};

// Signature of every action. `params` is the request's parameter object; an
// action may wipe secrets (Password) from it.
using ActionFn = ActionResult (*)(Fleet& fleet, const ActionContext& context,
                                  nlohmann::json& params);

namespace params {

// MissingParameter naming `name`.
ApiError Missing(const std::string& name);
// InvalidParameter: `name` is not of `type`.
ApiError BadType(const std::string& name, const char* type);
// InvalidParameterValue: `name` is invalid because `why`.
ApiError BadValue(const std::string& name, const std::string& why);

// Reads an integer in [min, max] that may arrive as a JSON number or (GET) a
// string; leaves `*out` alone if absent.
std::optional<ApiError> ReadInt(const nlohmann::json& p,
                                const std::string& name, int64_t min,
                                int64_t max, int64_t* out);
// Reads a boolean (JSON or "true"/"false"); leaves `*out` alone if absent.
std::optional<ApiError> ReadBool(const nlohmann::json& p,
                                 const std::string& name, bool* out);
// Checks that `name`, if present, is one of `allowed`.
std::optional<ApiError> ReadEnum(const nlohmann::json& p,
                                 const std::string& name,
                                 const std::vector<std::string>& allowed);
// Reads InstanceIds as an array of strings (nothing else is checked).
// MissingParameter if `required` and absent or empty; InvalidParameter if not
// an array of strings.
std::optional<ApiError> ReadIdArray(const nlohmann::json& p, bool required,
                                    std::vector<std::string>* ids);
// Moves Password out of `p` into `*password`, wiping the JSON's copy.
std::optional<ApiError> TakePassword(nlohmann::json& p, Secret* password);
// Keeps the page of `views` that Offset and Limit (default 20, max 100)
// select.
template <typename T>
std::optional<ApiError> Page(const nlohmann::json& p, std::vector<T>* views) {
  int64_t offset = 0, limit = 20;
  if (auto e = ReadInt(p, "Offset", 0, INT32_MAX, &offset)) return e;
  if (auto e = ReadInt(p, "Limit", 0, 100, &limit)) return e;
  if (offset >= static_cast<int64_t>(views->size())) {
    views->clear();
    return std::nullopt;
  }
  views->erase(views->begin(), views->begin() + offset);
  if (static_cast<int64_t>(views->size()) > limit) views->resize(limit);
  return std::nullopt;
}

}  // namespace params

}  // namespace resetd::fakecloud
