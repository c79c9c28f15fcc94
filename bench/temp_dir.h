// A fresh temporary directory for a benchmark's files (aborts if it cannot
// be made: a benchmark without its store measures nothing).
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace resetd::bench {

inline std::filesystem::path MakeBenchDir() {
  std::string templ =
      (std::filesystem::temp_directory_path() / "resetd-bench-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) std::abort();
  return templ;
}

}  // namespace resetd::bench
