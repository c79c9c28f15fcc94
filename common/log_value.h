// Formatting of values in structured key=value log lines.
#pragma once

#include <string>
#include <string_view>

namespace resetd {

// `value` as a log field value: bare when it is a plain token, otherwise
// double-quoted with quotes, backslashes and control bytes escaped; clipped
// to 200 bytes; "-" when empty. Keeps one event on one line.
std::string LogValue(std::string_view value);

}  // namespace resetd
