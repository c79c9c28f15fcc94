#include "service/logging.h"

#include "gtest/gtest.h"
#include "service/rpc_log.h"

namespace resetd::service {
namespace {

TEST(LoggingTest, ParsesKnownLevels) {
  EXPECT_EQ(*ParseLogLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(*ParseLogLevel("warn"), spdlog::level::warn);
  EXPECT_EQ(*ParseLogLevel("off"), spdlog::level::off);
  EXPECT_EQ(ParseLogLevel("loud").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LoggingTest, LogValueKeepsOneEventOnOneLine) {
  EXPECT_EQ(LogValue(""), "-");
  EXPECT_EQ(LogValue("job-1"), "job-1");
  EXPECT_EQ(LogValue("ipv4:127.0.0.1:5000"), "ipv4:127.0.0.1:5000");
  EXPECT_EQ(LogValue("a b"), "\"a b\"");
  EXPECT_EQ(LogValue("x\ncode=OK \"y\""), "\"x\\x0acode=OK \\\"y\\\"\"");
  EXPECT_EQ(LogValue(std::string(300, 'a')).size(), 200u + 2 + 3);
}

}  // namespace
}  // namespace resetd::service
