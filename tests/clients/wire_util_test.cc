#include "clients/wire_util.h"

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/cord.h"
#include "clients/provider_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::clients {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using C = absl::StatusCode;

TEST(WireUtilTest, StringFieldsReadStringsAndOptionallyIntegers) {
  const nlohmann::json j = nlohmann::json::parse(
      R"({"s":"text","n":200,"m":-3,"f":1.5,"z":null,"o":{},"a":[]})");
  struct Case {
    const char* key;
    const char* string;             // StringField
    const char* string_or_integer;  // StringOrIntegerField
  };
  for (const Case& c :
       {Case{"s", "text", "text"}, Case{"n", "", "200"}, Case{"m", "", "-3"},
        Case{"f", "", ""}, Case{"z", "", ""}, Case{"o", "", ""},
        Case{"a", "", ""}, Case{"missing", "", ""}}) {
    EXPECT_EQ(StringField(j, c.key), c.string) << c.key;
    EXPECT_EQ(StringOrIntegerField(j, c.key), c.string_or_integer) << c.key;
  }
  for (const nlohmann::json& not_object :
       {nlohmann::json(), nlohmann::json("s"), nlohmann::json::array()}) {
    EXPECT_EQ(StringField(not_object, "s"), "") << not_object;
    EXPECT_EQ(StringOrIntegerField(not_object, "s"), "") << not_object;
  }
}

TEST(WireUtilTest, WithMessageAndWithCodeKeepEveryPayload) {
  ProviderError error{"Code.X", "provider says", "req-1", 200};
  absl::Status s = MakeProviderStatus(C::kUnavailable, error);
  s.SetPayload("other", absl::Cord("kept"));

  absl::Status m = WithMessage(s, "Action: new text");
  EXPECT_EQ(m.code(), C::kUnavailable);
  EXPECT_EQ(m.message(), "Action: new text");
  EXPECT_EQ(GetProviderError(m)->request_id, "req-1");
  EXPECT_EQ(m.GetPayload("other").value_or(absl::Cord()), "kept");

  absl::Status c = WithCode(s, C::kNotFound);
  EXPECT_EQ(c.code(), C::kNotFound);
  EXPECT_EQ(c.message(), s.message());
  EXPECT_EQ(GetProviderError(c)->code, "Code.X");
  EXPECT_EQ(c.GetPayload("other").value_or(absl::Cord()), "kept");

  EXPECT_TRUE(WithMessage(absl::OkStatus(), "ignored").ok());
}

TEST(WireUtilTest, RedactStatusScrubsMessageAndPayload) {
  ProviderError error{"InvalidPassword", "bad pw hunter2!", "req-1", 200};
  absl::Status s =
      MakeProviderStatus(absl::StatusCode::kInvalidArgument, error);
  s.SetPayload("other", absl::Cord("kept"));
  absl::Status r = RedactStatus(s, {"hunter2!"});
  EXPECT_EQ(r.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.message(), "InvalidPassword: bad pw ***");
  EXPECT_EQ(GetProviderError(r)->message, "bad pw ***");
  EXPECT_EQ(GetProviderError(r)->request_id, "req-1");
  EXPECT_EQ(r.GetPayload("other").value_or(absl::Cord()), "kept");
  EXPECT_THAT(r.ToString(), Not(HasSubstr("hunter2!")));
  EXPECT_EQ(RedactStatus(absl::OkStatus(), {"x"}), absl::OkStatus());
}

TEST(WireUtilTest, RedactStatusReplacesEverySecretEverywhere) {
  ProviderError error;
  error.code = "InvalidPassword.Malformed";
  error.message = "Password pa ss is bad (pa%20ss)";
  absl::Status s = MakeProviderStatus(C::kInvalidArgument, error);
  const std::string_view secrets[] = {"pa ss", "pa%20ss", ""};
  absl::Status redacted = RedactStatus(s, secrets);
  EXPECT_EQ(redacted.code(), C::kInvalidArgument);
  EXPECT_THAT(redacted.ToString(), Not(HasSubstr("pa ss")));
  EXPECT_THAT(redacted.ToString(), Not(HasSubstr("pa%20ss")));
  EXPECT_EQ(GetProviderError(redacted)->message, "Password *** is bad (***)");
  EXPECT_EQ(GetProviderError(redacted)->code, "InvalidPassword.Malformed");
}

TEST(WireUtilTest, RedactStatusRemovesSecretFromMessageAndPayload) {
  ProviderError error;
  error.code = "Ecs.0011";
  error.message = "password Secret-Pw1! is too weak";
  absl::Status status = MakeProviderStatus(C::kInvalidArgument, error);
  absl::Status redacted =
      RedactStatus(status, {"Secret-Pw1!"}, RedactScope::kMessagesAndCode);
  EXPECT_EQ(redacted.code(), C::kInvalidArgument);
  EXPECT_THAT(redacted.message(), Not(HasSubstr("Secret-Pw1!")));
  std::optional<ProviderError> e = GetProviderError(redacted);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->message, "password *** is too weak");
  EXPECT_EQ(RedactStatus(status, {""}, RedactScope::kMessagesAndCode), status);
}

TEST(WireUtilTest, RedactStatusScopeDecidesAboutTheProviderCode) {
  ProviderError error{"Echo.Secret-Pw1!", "Secret-Pw1!", "req-1", 400};
  absl::Status s = MakeProviderStatus(C::kInvalidArgument, error);
  std::optional<ProviderError> messages =
      GetProviderError(RedactStatus(s, {"Secret-Pw1!"}));
  EXPECT_EQ(messages->code, "Echo.Secret-Pw1!");
  EXPECT_EQ(messages->message, "***");
  std::optional<ProviderError> code = GetProviderError(
      RedactStatus(s, {"Secret-Pw1!"}, RedactScope::kMessagesAndCode));
  EXPECT_EQ(code->code, "Echo.***");
  EXPECT_EQ(code->message, "***");
  EXPECT_EQ(code->request_id, "req-1");
  EXPECT_EQ(code->http_status, 400);
}

TEST(WireUtilTest, RedactStatusDoesNotRescanItsReplacement) {
  absl::Status s = absl::InvalidArgumentError("aaa and *a*");
  EXPECT_EQ(RedactStatus(s, {"aa"}).message(), "***a and *a*");
  absl::Status plain = absl::UnavailableError("no payload pw1");
  EXPECT_EQ(RedactStatus(plain, {"pw1"}),
            absl::UnavailableError("no payload ***"));
}

TEST(WireUtilTest, HttpErrorMessageAndPayload) {
  ProviderError error;
  error.http_status = 503;
  error.code = "InternalError";
  error.message = "boom";
  error.request_id = "req-5xx";
  absl::Status s = HttpError("StartInstances", C::kUnavailable, error);
  EXPECT_EQ(s.code(), C::kUnavailable);
  EXPECT_EQ(s.message(), "StartInstances: HTTP 503 InternalError: boom");
  EXPECT_EQ(GetProviderError(s)->request_id, "req-5xx");
  EXPECT_EQ(GetProviderError(s)->http_status, 503);

  absl::Status labelled =
      HttpError("BatchStopServers", C::kUnavailable, error, "X-Request-Id");
  EXPECT_EQ(labelled.message(),
            "BatchStopServers: HTTP 503 InternalError: boom "
            "(X-Request-Id req-5xx)");

  ProviderError bare;
  bare.http_status = 502;
  absl::Status gateway = HttpError("Act", C::kUnavailable, bare, "X-Id");
  EXPECT_EQ(gateway.message(), "Act: HTTP 502");
  EXPECT_EQ(GetProviderError(gateway)->message, "HTTP 502");
  EXPECT_EQ(GetProviderError(gateway)->code, "");
}

TEST(WireUtilTest, UnparseableErrorNeverQuotesTheBody) {
  http::HttpResponse response;
  response.status = 200;
  response.body = "secret-looking-garbage";
  response.headers = {{"x-request-id", "req-h"}};
  absl::Status s = UnparseableError("DescribeInstances", response);
  EXPECT_EQ(s.code(), C::kInternal);
  EXPECT_EQ(s.message(),
            "DescribeInstances: unparseable response (HTTP 200, 22 bytes)");
  EXPECT_THAT(s.ToString(), Not(HasSubstr("garbage")));
  EXPECT_EQ(GetProviderError(s)->message, "unparseable response");
  EXPECT_EQ(GetProviderError(s)->request_id, "");
  EXPECT_EQ(GetProviderError(s)->http_status, 200);
  EXPECT_EQ(GetProviderError(UnparseableError("A", response, "x-request-id"))
                ->request_id,
            "req-h");
  EXPECT_EQ(
      GetProviderError(UnparseableError("A", response, "x-other"))->request_id,
      "");
}

TEST(WireUtilTest, SerializeBodyIsCompactAndOrdered) {
  nlohmann::ordered_json body;
  body["InstanceIds"] = {"lhins-1"};
  body["Password"] = "p\"\\\x01\n\xc3\xa9";
  body["UserName"] = "root";
  const std::string expected =
      "{\"InstanceIds\":[\"lhins-1\"],\"Password\":\"p\\\"\\\\\\u0001\\n"
      "\xc3\xa9\",\"UserName\":\"root\"}";
  EXPECT_EQ(*SerializeBody(body), expected);
  EXPECT_EQ(*SerializeBody(body, 256), expected);
}

TEST(WireUtilTest, SerializeBodyNeverQuotesInvalidBytes) {
  nlohmann::ordered_json body;
  body["Password"] = "Secret-\xff-1";
  for (size_t reserve : {size_t{0}, size_t{128}}) {
    absl::StatusOr<std::string> text = SerializeBody(body, reserve);
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(text.status().ToString(), Not(HasSubstr("Secret")));
  }
}

TEST(WireUtilTest, SerializeBodyWritesIntoTheReservedBuffer) {
  nlohmann::ordered_json body;
  body["Password"] = "Fake-Passw0rd!2024";
  absl::StatusOr<std::string> text = SerializeBody(body, 64);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, R"({"Password":"Fake-Passw0rd!2024"})");
  EXPECT_GE(text->capacity(), 64u);  // the caller's buffer, not a regrown one
}

}  // namespace
}  // namespace resetd::clients
