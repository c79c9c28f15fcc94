// The CVM actions fakecloud implements: parameter validation and the JSON
// payload of each, on top of a Fleet. Stateless functions; thread-safe as the
// Fleet is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fakecloud/api_error.h"
#include "fakecloud/fleet.h"
#include "nlohmann/json.hpp"

namespace resetd::fakecloud {

// Per call facts an action needs.
struct ActionContext {
  std::string region;
  std::string request_id;
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

// The action named `name` (e.g. "StopInstances"), or nullptr if fakecloud
// does not implement it.
ActionFn FindAction(const std::string& name);

// Names of all implemented actions.
std::vector<std::string> ActionNames();

// Most instance ids one call may name.
inline constexpr size_t kMaxInstanceIds = 100;

// Reads InstanceIds from `params`: an array of strings. Returns
// MissingParameter if `required` and absent or empty, InvalidParameter if not
// an array of strings, InvalidParameterValue.LimitExceeded above 100 ids,
// InvalidInstanceId.Malformed naming every malformed id.
std::optional<ApiError> ReadInstanceIds(const nlohmann::json& params,
                                        bool required,
                                        std::vector<std::string>* ids);

}  // namespace resetd::fakecloud
