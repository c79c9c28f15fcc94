// Job files and instance lists: turning operator input into a
// CreateResetJobRequest. Pure functions of their input (apart from the *File
// variants, which read one file); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::cli {

enum class JobFileFormat { kJson, kYaml };

// The format a job file's name implies: ".json" → kJson, anything else
// (".yaml", ".yml", no extension) → kYaml. YAML is a superset of JSON, so a
// JSON document in a ".yaml" file still parses.
JobFileFormat FormatForPath(std::string_view path);

// Parses a job file: a CreateResetJobRequest in the protobuf JSON mapping
// (field names as in the .proto or lowerCamelCase, enums by name, e.g.
// "STOP_MODE_SOFT"). YAML is converted to JSON first and parsed the same way,
// so both formats share one schema. Unknown fields are errors. A file that
// names a `password` (at any value) is rejected: passwords never live in
// files. Returns INVALID_ARGUMENT with a message naming the problem.
absl::StatusOr<resetd::v1::CreateResetJobRequest> ParseJobFile(
    std::string_view contents, JobFileFormat format);

// Reads `path` and parses it with ParseJobFile in the format its name implies.
// NOT_FOUND / PERMISSION_DENIED-like errors come back as a status naming the
// path.
absl::StatusOr<resetd::v1::CreateResetJobRequest> LoadJobFile(
    const std::string& path);

// Converts a YAML document to JSON text. Scalars become JSON strings
// (protobuf's JSON parser accepts "5" for integers, "true" for bools and enum
// names for enums, and this keeps numeric-looking instance ids as strings);
// `~`/`null` becomes null. Returns INVALID_ARGUMENT on YAML syntax errors.
absl::StatusOr<std::string> YamlToJson(std::string_view yaml);

// Splits an instance list: one id per line; surrounding blanks trimmed; empty
// lines and lines starting with '#' skipped. Returns INVALID_ARGUMENT if no id
// remains or an id contains inner whitespace or a comma.
absl::StatusOr<std::vector<std::string>> ParseInstanceList(
    std::string_view text);

// Reads `path` and parses it with ParseInstanceList.
absl::StatusOr<std::vector<std::string>> LoadInstanceFile(
    const std::string& path);

// Splits "id1,id2,..." (blanks around ids trimmed, empty items skipped).
std::vector<std::string> SplitCommaList(std::string_view list);

// Reads a whole file. Returns NOT_FOUND if it cannot be opened.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace resetd::cli
