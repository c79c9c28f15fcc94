// Turns the parameters of an API 3.0 request into one JSON object: the JSON
// body of a POST, or the form-encoded query of a GET (or form body of a POST),
// where "InstanceIds.0=a&InstanceIds.1=b" becomes {"InstanceIds":["a","b"]}.
#pragma once

#include <optional>
#include <string_view>

#include "fakecloud/api_error.h"
#include "nlohmann/json.hpp"

namespace resetd::fakecloud {

// Parses the parameters of a request. Returns InvalidParameter if a JSON body
// is not a JSON object. Form values stay strings (actions accept "100" for
// 100 and "true" for true).
std::optional<ApiError> ParseRequestParams(std::string_view method,
                                           std::string_view content_type,
                                           std::string_view query,
                                           std::string_view body,
                                           nlohmann::json* params);

// Decodes one application/x-www-form-urlencoded component ('+' is a space).
std::string FormDecode(std::string_view s);

}  // namespace resetd::fakecloud
