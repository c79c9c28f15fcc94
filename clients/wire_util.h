// Wire helpers the provider clients share: reading fields of a JSON answer,
// building and redacting error statuses that carry a ProviderError payload,
// and writing a request body that leaves no copy of a secret behind.
//
// Thread-safety: every function here is pure (no state, no globals) and may
// be called concurrently from any number of threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "clients/http/http_transport.h"
#include "clients/provider_error.h"
#include "nlohmann/json.hpp"

namespace resetd::clients {

// The bytes of `s` as an absl::string_view, without a copy, for the
// absl/strings functions (Debian's Abseil has its own string_view type, which
// does not convert from std::string_view). Valid as long as `s`'s bytes are.
inline absl::string_view AbslView(std::string_view s) {
  return {s.data(), s.size()};
}

// The value of the string field `key` of `object`. Returns "" when `object`
// is not a JSON object or the field is missing, null or not a string. Never
// throws.
std::string StringField(const nlohmann::json& object, std::string_view key);

// As StringField(), except that an integer field is returned in decimal
// ("200" for 200). Other non-string fields give "". Never throws.
std::string StringOrIntegerField(const nlohmann::json& object,
                                 std::string_view key);

// `status` with `message` in place of its message: the same code and every
// payload. An OK `status` gives OK (an OK status has no message).
absl::Status WithMessage(const absl::Status& status, std::string_view message);

// `status` with `code` in place of its code: the same message and every
// payload. `code` must not be kOk (the message and payloads would be lost).
absl::Status WithCode(const absl::Status& status, absl::StatusCode code);

// What RedactStatus() scrubs besides the status message.
enum class RedactScope {
  kMessages,         // the ProviderError message
  kMessagesAndCode,  // the ProviderError message and code
};

// `status` with every occurrence of each non-empty string of `secrets`
// replaced by "***" in its message and in the fields of its ProviderError
// payload that `scope` names; the code and every other payload are kept.
// Occurrences are replaced left to right without overlap, one secret after
// the other. Returns `status` unchanged when it is OK or no secret is
// non-empty.
absl::Status RedactStatus(const absl::Status& status,
                          absl::Span<const std::string_view> secrets,
                          RedactScope scope = RedactScope::kMessages);

// The status of a non-2xx HTTP answer to `action`, for which the caller read
// the provider's error into `error` (http_status set; code, message and
// request_id as the answer had them) and chose the canonical `code`. Its
// message is "<action>: HTTP <status>", then " <error.code>: <error.message>"
// when error.code is non-empty, then " (<request_id_label> <request_id>)"
// when both `request_id_label` and error.request_id are non-empty. The
// ProviderError payload is `error`, with an empty message replaced by
// "HTTP <status>". Nothing of the body is quoted except what `error` holds.
absl::Status HttpError(std::string_view action, absl::StatusCode code,
                       ProviderError error,
                       std::string_view request_id_label = "");

// The kInternal status of an answer to `action` whose body the caller could
// not read, with the message "<action>: unparseable response (HTTP <status>,
// <n> bytes)" and a ProviderError payload: http_status, the message
// "unparseable response" and, when `request_id_header` (lower case) names a
// header the answer has, its value as request_id. The body is never quoted.
absl::Status UnparseableError(std::string_view action,
                              const http::HttpResponse& response,
                              std::string_view request_id_header = "");

// Compact JSON of `body`, keys in insertion order, as the providers' SDKs
// write it (JSON.stringify). With `reserve` > 0 the text is written into a
// buffer of that capacity, which must be enough, so that a secret inside
// `body` leaves no reallocated copy in freed memory. Returns
// kInvalidArgument, without quoting any bytes of `body`, when a string in it
// is not valid UTF-8 (the partial text is wiped).
absl::StatusOr<std::string> SerializeBody(const nlohmann::ordered_json& body,
                                          size_t reserve = 0);

}  // namespace resetd::clients
