// Plain-text tables for terminal output. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace resetd::cli {

// Renders rows as left-aligned columns separated by two spaces, each line
// prefixed by `indent` and ending in '\n'; trailing blanks are trimmed. Empty
// cells render as "-" so columns stay readable. Rows may have different
// lengths.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows,
                        const std::string& indent = "");

}  // namespace resetd::cli
