#include "cli/job_file.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/secret.h"

namespace resetd::cli {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using resetd::v1::CreateResetJobRequest;

constexpr char kPasswordInFile[] =
    "the job file must not contain a password (field 'password'): give it "
    "at the prompt, with --password-stdin or with --password-file";

std::string ToStd(const google::protobuf::util::Status& s) {
  auto m = s.message();
  return std::string(m.data(), m.size());
}

absl::Status ConvertYaml(const YAML::Node& node, Value* out) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out->set_null_value(google::protobuf::NULL_VALUE);
      return absl::OkStatus();
    case YAML::NodeType::Scalar:
      out->set_string_value(node.Scalar());
      return absl::OkStatus();
    case YAML::NodeType::Sequence:
      for (const YAML::Node& item : node) {
        absl::Status s =
            ConvertYaml(item, out->mutable_list_value()->add_values());
        if (!s.ok()) return s;
      }
      out->mutable_list_value();  // an empty sequence is still a list
      return absl::OkStatus();
    case YAML::NodeType::Map: {
      Struct* fields = out->mutable_struct_value();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return absl::InvalidArgumentError(
              "YAML map keys must be plain names");
        }
        Value& v = (*fields->mutable_fields())[kv.first.Scalar()];
        absl::Status s = ConvertYaml(kv.second, &v);
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError("unsupported YAML node");
}

// Rejects (and wipes) a top-level password, whatever its value.
absl::Status RejectPassword(Struct& doc) {
  auto it = doc.mutable_fields()->find("password");
  if (it == doc.mutable_fields()->end()) return absl::OkStatus();
  if (it->second.has_string_value()) {
    WipeString(*it->second.mutable_string_value());
  }
  return absl::InvalidArgumentError(kPasswordInFile);
}

absl::StatusOr<CreateResetJobRequest> ParseJson(const std::string& json) {
  Struct doc;
  auto s = google::protobuf::util::JsonStringToMessage(json, &doc);
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("job file is not a JSON object: ", ToStd(s)));
  }
  if (absl::Status p = RejectPassword(doc); !p.ok()) return p;
  CreateResetJobRequest request;
  s = google::protobuf::util::JsonStringToMessage(json, &request);
  if (!s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("job file: ", ToStd(s)));
  }
  return request;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

JobFileFormat FormatForPath(std::string_view path) {
  constexpr std::string_view kJson = ".json";
  if (path.size() >= kJson.size() &&
      path.substr(path.size() - kJson.size()) == kJson) {
    return JobFileFormat::kJson;
  }
  return JobFileFormat::kYaml;
}

absl::StatusOr<std::string> YamlToJson(std::string_view yaml) {
  Value root;
  try {
    YAML::Node node = YAML::Load(std::string(yaml));
    absl::Status s = ConvertYaml(node, &root);
    if (!s.ok()) return s;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("job file is not valid YAML: ", e.what()));
  }
  std::string json;
  auto s = google::protobuf::util::MessageToJsonString(root, &json);
  if (!s.ok()) return absl::InvalidArgumentError(ToStd(s));
  return json;
}

absl::StatusOr<CreateResetJobRequest> ParseJobFile(std::string_view contents,
                                                   JobFileFormat format) {
  if (format == JobFileFormat::kJson) return ParseJson(std::string(contents));
  absl::StatusOr<std::string> json = YamlToJson(contents);
  if (!json.ok()) return json.status();
  absl::StatusOr<CreateResetJobRequest> request = ParseJson(*json);
  WipeString(*json);  // it may hold a rejected password
  return request;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

absl::StatusOr<CreateResetJobRequest> LoadJobFile(const std::string& path) {
  absl::StatusOr<std::string> contents = ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  absl::StatusOr<CreateResetJobRequest> request =
      ParseJobFile(*contents, FormatForPath(path));
  WipeString(*contents);
  if (!request.ok()) {
    return absl::Status(request.status().code(),
                        absl::StrCat(path, ": ", request.status().message()));
  }
  return request;
}

absl::StatusOr<std::vector<std::string>> ParseInstanceList(
    std::string_view text) {
  std::vector<std::string> ids;
  int line_number = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    for (char c : line) {
      if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", line_number, ": expected one instance id per line"));
      }
    }
    ids.emplace_back(line);
  }
  if (ids.empty()) return absl::InvalidArgumentError("no instance ids");
  return ids;
}

absl::StatusOr<std::vector<std::string>> LoadInstanceFile(
    const std::string& path) {
  absl::StatusOr<std::string> contents = ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  absl::StatusOr<std::vector<std::string>> ids = ParseInstanceList(*contents);
  if (!ids.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", ids.status().message()));
  }
  return ids;
}

std::vector<std::string> SplitCommaList(std::string_view list) {
  std::vector<std::string> items;
  for (size_t start = 0; start <= list.size();) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = Trim(list.substr(start, end - start));
    if (!item.empty()) items.emplace_back(item);
    start = end + 1;
  }
  return items;
}

}  // namespace resetd::cli
