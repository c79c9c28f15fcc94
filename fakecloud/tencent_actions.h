// The CVM actions fakecloud implements: parameter validation and the JSON
// payload of each, on top of a Fleet. Stateless functions; thread-safe as the
// Fleet is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fakecloud/action_params.h"
#include "fakecloud/api_error.h"
#include "fakecloud/fleet.h"
#include "nlohmann/json.hpp"

namespace resetd::fakecloud {

// The action named `name` (e.g. "StopInstances"), or nullptr if fakecloud
// does not implement it.
ActionFn FindAction(const std::string& name);

// Names of all implemented actions.
std::vector<std::string> ActionNames();

// The CVM InstanceState of a canonical state: the fleet's words are CVM's,
// except Lighthouse's DELETING (-> TERMINATING) and FREEZING (-> SHUTDOWN).
std::string CvmState(const std::string& canonical);

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
