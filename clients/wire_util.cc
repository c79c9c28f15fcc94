#include "clients/wire_util.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <streambuf>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "common/secret.h"

namespace resetd::clients {
namespace {

// An ostream buffer that appends to a string whose capacity the caller
// reserved, so serialising a password leaves no reallocated copies behind.
class AppendBuf final : public std::streambuf {
 public:
  explicit AppendBuf(std::string& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) out_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<size_t>(n));
    return n;
  }

 private:
  std::string& out_;
};

// The field `key` of `object`, or nullptr.
const nlohmann::json* FindField(const nlohmann::json& object,
                                std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// Replaces `secret` in place; absl::StrReplaceAll does not rescan what it
// put in, so "***" is never matched again.
void Redact(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  absl::StrReplaceAll({{AbslView(secret), "***"}}, &text);
}

// `error` as the ProviderError payload of `status` (replacing any).
void SetProviderError(absl::Status& status, const ProviderError& error) {
  status.SetPayload(kProviderErrorPayloadUrl,
                    *MakeProviderStatus(status.code(), error)
                         .GetPayload(kProviderErrorPayloadUrl));
}

absl::Status Rebuild(const absl::Status& status, absl::StatusCode code,
                     absl::string_view message) {
  absl::Status out(code, message);
  status.ForEachPayload([&out](auto type_url, const absl::Cord& payload) {
    out.SetPayload(type_url, payload);
  });
  return out;
}

}  // namespace

std::string StringField(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* field = FindField(object, key);
  if (field == nullptr || !field->is_string()) return "";
  return field->get<std::string>();
}

std::string StringOrIntegerField(const nlohmann::json& object,
                                 std::string_view key) {
  const nlohmann::json* field = FindField(object, key);
  if (field != nullptr && field->is_number_integer()) {
    return std::to_string(field->get<int64_t>());
  }
  return StringField(object, key);
}

absl::Status WithMessage(const absl::Status& status, std::string_view message) {
  return Rebuild(status, status.code(), AbslView(message));
}

absl::Status WithCode(const absl::Status& status, absl::StatusCode code) {
  return Rebuild(status, code, status.message());
}

absl::Status RedactStatus(const absl::Status& status,
                          absl::Span<const std::string_view> secrets,
                          RedactScope scope) {
  const bool any_secret =
      std::any_of(secrets.begin(), secrets.end(),
                  [](std::string_view secret) { return !secret.empty(); });
  if (status.ok() || !any_secret) return status;
  std::string message(status.message());
  std::optional<ProviderError> error = GetProviderError(status);
  for (std::string_view secret : secrets) {
    Redact(message, secret);
    if (!error.has_value()) continue;
    Redact(error->message, secret);
    if (scope == RedactScope::kMessagesAndCode) Redact(error->code, secret);
  }
  absl::Status out = WithMessage(status, message);
  if (error.has_value()) SetProviderError(out, *error);
  return out;
}

absl::Status HttpError(std::string_view action, absl::StatusCode code,
                       ProviderError error, std::string_view request_id_label) {
  const std::string http = "HTTP " + std::to_string(error.http_status);
  std::string message = std::string(action) + ": " + http;
  if (!error.code.empty()) message += " " + error.code + ": " + error.message;
  if (!request_id_label.empty() && !error.request_id.empty()) {
    message +=
        " (" + std::string(request_id_label) + " " + error.request_id + ")";
  }
  if (error.message.empty()) error.message = http;
  return WithMessage(MakeProviderStatus(code, error), message);
}

absl::Status UnparseableError(std::string_view action,
                              const http::HttpResponse& response,
                              std::string_view request_id_header) {
  ProviderError error;
  error.http_status = response.status;
  error.message = "unparseable response";
  if (!request_id_header.empty()) {
    if (const std::string* id = response.Header(request_id_header)) {
      error.request_id = *id;
    }
  }
  return WithMessage(MakeProviderStatus(absl::StatusCode::kInternal, error),
                     std::string(action) + ": unparseable response (HTTP " +
                         std::to_string(response.status) + ", " +
                         std::to_string(response.body.size()) + " bytes)");
}

absl::StatusOr<std::string> SerializeBody(const nlohmann::ordered_json& body,
                                          size_t reserve) {
  std::string out;
  try {
    if (reserve == 0) return body.dump();
    out.reserve(reserve);
    AppendBuf buf(out);
    std::ostream stream(&buf);
    stream << body;
  } catch (const nlohmann::ordered_json::exception&) {
    // nlohmann's message would quote the offending bytes; keep them out.
    WipeString(out);
    return absl::InvalidArgumentError("request parameters are not valid UTF-8");
  }
  return out;
}

}  // namespace resetd::clients
