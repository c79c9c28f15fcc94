// Machine-readable output: the protobuf JSON mapping of API messages. Pure;
// thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace resetd::cli {

enum class OutputFormat { kText, kJson };

// `message` in the protobuf JSON mapping (lowerCamelCase names, enums by
// name, fields at their default value included so scripts can rely on them)
// as one line ending in '\n' — one document per line for streams.
std::string ToJsonLine(const google::protobuf::Message& message);

}  // namespace resetd::cli
