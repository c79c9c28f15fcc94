#include "fakecloud/request_params.h"

#include <cctype>
#include <string>

#include "fakecloud/text.h"

namespace resetd::fakecloud {

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Stores `value` under a dotted key: "A" -> A, "A.N" -> A[N], "A.N.B" ->
// A[N].B (N is a 0-based index as the SDKs flatten arrays).
void Store(nlohmann::json& params, std::string_view key, std::string value) {
  std::vector<std::string_view> parts = Split(key, '.');
  if (parts.size() >= 2 && AllDigits(parts[1])) {
    nlohmann::json& slot =
        params[std::string(parts[0])][std::stoul(std::string(parts[1]))];
    if (parts.size() == 2)
      slot = std::move(value);
    else
      slot[std::string(parts[2])] = std::move(value);
    return;
  }
  params[std::string(key)] = std::move(value);
}

void ParseForm(std::string_view form, nlohmann::json* params) {
  for (std::string_view pair : Split(form, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = FormDecode(pair.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? "" : FormDecode(pair.substr(eq + 1));
    Store(*params, key, std::move(value));
  }
}

}  // namespace

std::string FormDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(
          std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<ApiError> ParseRequestParams(std::string_view method,
                                           std::string_view content_type,
                                           std::string_view query,
                                           std::string_view body,
                                           nlohmann::json* params) {
  *params = nlohmann::json::object();
  ParseForm(query, params);
  if (method != "POST" || Trim(body).empty()) return std::nullopt;
  if (Lower(content_type).find("application/x-www-form-urlencoded") !=
      std::string::npos) {
    ParseForm(body, params);
    return std::nullopt;
  }
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return ApiError{codes::kInvalidParameter,
                    "The request body is not a JSON object."};
  }
  params->update(parsed);
  return std::nullopt;
}

}  // namespace resetd::fakecloud
