#include "cli/output.h"

#include <google/protobuf/util/json_util.h>

namespace resetd::cli {

std::string ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = true;
  std::string json;
  // Only fails for messages that cannot be represented (e.g. bad Any types);
  // API responses always can.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  json += '\n';
  return json;
}

}  // namespace resetd::cli
