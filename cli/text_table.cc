#include "cli/text_table.h"

#include <algorithm>

namespace resetd::cli {

std::string RenderTable(const std::vector<std::vector<std::string>>& cells,
                        const std::string& indent) {
  std::vector<std::vector<std::string>> rows = cells;
  for (auto& row : rows) {
    for (auto& cell : row) {
      if (cell.empty()) cell.push_back('-');
    }
  }
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace resetd::cli
