#include "fakecloud/action_params.h"

#include "fakecloud/text.h"

namespace resetd::fakecloud::params {

using nlohmann::json;

ApiError Missing(const std::string& name) {
  return {codes::kMissingParameter,
          "The request is missing a required parameter `" + name + "`."};
}

ApiError BadType(const std::string& name, const char* type) {
  return {codes::kInvalidParameter,
          "The value of parameter `" + name + "` must be " + type + "."};
}

ApiError BadValue(const std::string& name, const std::string& why) {
  return {codes::kInvalidParameterValue,
          "The value of parameter `" + name + "` is invalid: " + why + "."};
}

std::optional<ApiError> ReadInt(const json& p, const std::string& name,
                                int64_t min, int64_t max, int64_t* out) {
  if (!p.contains(name)) return std::nullopt;
  const json& v = p[name];
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
  } else if (!v.is_string() || v.get<std::string>().empty() ||
             v.get<std::string>().find_first_not_of("-0123456789") !=
                 std::string::npos) {
    return BadType(name, "an integer");
  } else {
    *out = std::stoll(v.get<std::string>());
  }
  if (*out < min || *out > max) {
    return BadValue(name, "must be between " + std::to_string(min) + " and " +
                              std::to_string(max));
  }
  return std::nullopt;
}

std::optional<ApiError> ReadBool(const json& p, const std::string& name,
                                 bool* out) {
  if (!p.contains(name)) return std::nullopt;
  const json& v = p[name];
  if (v.is_boolean())
    *out = v.get<bool>();
  else if (v == "true" || v == "TRUE" || v == "True")
    *out = true;
  else if (v == "false" || v == "FALSE" || v == "False")
    *out = false;
  else
    return BadType(name, "a boolean");
  return std::nullopt;
}

std::optional<ApiError> ReadEnum(const json& p, const std::string& name,
                                 const std::vector<std::string>& allowed) {
  if (!p.contains(name)) return std::nullopt;
  if (!p[name].is_string()) return BadType(name, "a string");
  const std::string v = p[name].get<std::string>();
  for (const std::string& a : allowed) {
    if (v == a) return std::nullopt;
  }
  return BadValue(name, "must be one of " + Join(allowed, ", "));
}

std::optional<ApiError> ReadIdArray(const json& p, bool required,
                                    std::vector<std::string>* ids) {
  if (!p.contains("InstanceIds") ||
      (p["InstanceIds"].is_array() && p["InstanceIds"].empty())) {
    if (required) return Missing("InstanceIds");
    return std::nullopt;
  }
  const json& v = p["InstanceIds"];
  if (!v.is_array()) return BadType("InstanceIds", "an array of strings");
  for (const json& id : v) {
    if (!id.is_string()) return BadType("InstanceIds", "an array of strings");
    ids->push_back(id.get<std::string>());
  }
  return std::nullopt;
}

std::optional<ApiError> TakePassword(json& p, Secret* password) {
  if (!p.contains("Password")) return Missing("Password");
  if (!p["Password"].is_string()) return BadType("Password", "a string");
  std::string& held = p["Password"].get_ref<std::string&>();
  *password = Secret(held);
  WipeString(held);
  p.erase("Password");
  return std::nullopt;
}

}  // namespace resetd::fakecloud::params
