#include "clients/http/paced_transport.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/clients/http/counting_gate.h"
#include "tests/clients/http/scripted_transport.h"

namespace resetd::clients::http {
namespace {

HttpRequest Post(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:1/";
  request.headers = {{"X-TC-Action", "DescribeInstances"}};
  request.body = std::move(body);
  return request;
}

TEST(PacedTransportTest, EachSendPassesTheGateOnceBeforeItGoes) {
  auto inner = std::make_shared<ScriptedTransport>();
  std::vector<std::string> order;
  inner->SetHandler([&order](const HttpRequest& r) {
    order.push_back("send " + r.body);
    return absl::StatusOr<HttpResponse>(JsonResponse("{}"));
  });
  CountingGate gate([&order] { order.push_back("gate"); });
  ScopedAttemptGate scope(&gate);
  auto paced = MakePacedTransport(inner);
  ASSERT_TRUE(paced->Send(Post("1")).ok());
  ASSERT_TRUE(paced->Send(Post("2")).ok());
  EXPECT_EQ(gate.attempts(), 2);
  EXPECT_EQ(order,
            (std::vector<std::string>{"gate", "send 1", "gate", "send 2"}));
}

TEST(PacedTransportTest, RequestsAndResultsPassUnchanged) {
  auto inner = std::make_shared<ScriptedTransport>();
  inner->Push(JsonResponse(R"({"Response":{}})", 503));
  inner->Push(absl::UnavailableError("may have been applied"));
  CountingGate gate;
  ScopedAttemptGate scope(&gate);
  auto paced = MakePacedTransport(inner);
  auto response = paced->Send(Post("a"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, R"({"Response":{}})");
  const absl::Status error = paced->Send(Post("b")).status();
  EXPECT_EQ(error, absl::UnavailableError("may have been applied"));
  ASSERT_EQ(inner->request_count(), 2u);
  const HttpRequest sent = inner->requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "http://127.0.0.1:1/");
  EXPECT_EQ(sent.headers, Post("a").headers);
  EXPECT_EQ(sent.body, "a");
  EXPECT_EQ(gate.attempts(), 2);  // a failed attempt was paced too
}

TEST(PacedTransportTest, WithoutAGateSendsAtOnce) {
  auto inner = std::make_shared<ScriptedTransport>();
  inner->Push(JsonResponse("{}"));
  inner->Push(JsonResponse("{}"));
  auto paced = MakePacedTransport(inner);
  ASSERT_EQ(CurrentAttemptGate(), nullptr);
  EXPECT_TRUE(paced->Send(Post("x")).ok());
  // An outer gate hidden by a null scope is not asked either.
  CountingGate outer;
  ScopedAttemptGate outer_scope(&outer);
  {
    ScopedAttemptGate none(nullptr);
    EXPECT_TRUE(paced->Send(Post("y")).ok());
  }
  EXPECT_EQ(outer.attempts(), 0);
  EXPECT_EQ(inner->request_count(), 2u);
}

}  // namespace
}  // namespace resetd::clients::http
