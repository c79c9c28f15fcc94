#include "fakecloud/request_params.h"

#include "gtest/gtest.h"

namespace resetd::fakecloud {
namespace {

TEST(RequestParamsTest, JsonBody) {
  nlohmann::json p;
  EXPECT_FALSE(ParseRequestParams("POST", "application/json", "",
                                  R"({"InstanceIds":["ins-a"],"Limit":5})",
                                  &p));
  EXPECT_EQ(p["Limit"], 5);
  EXPECT_EQ(p["InstanceIds"][0], "ins-a");
}

TEST(RequestParamsTest, EmptyBodyIsNoParameters) {
  nlohmann::json p;
  EXPECT_FALSE(ParseRequestParams("POST", "application/json", "", "", &p));
  EXPECT_TRUE(p.is_object());
  EXPECT_TRUE(p.empty());
}

TEST(RequestParamsTest, BadJsonIsInvalidParameter) {
  nlohmann::json p;
  auto e = ParseRequestParams("POST", "application/json", "", "[1]", &p);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "InvalidParameter");
  EXPECT_TRUE(ParseRequestParams("POST", "application/json", "", "{", &p));
}

TEST(RequestParamsTest, GetQueryWithZeroBasedArrays) {
  nlohmann::json p;
  EXPECT_FALSE(ParseRequestParams(
      "GET", "application/x-www-form-urlencoded",
      "InstanceIds.0=ins-a&InstanceIds.1=ins-b&Limit=100&Filters.0.Name=zone&"
      "UserName=a%20b+c",
      "", &p));
  EXPECT_EQ(p["InstanceIds"], nlohmann::json({"ins-a", "ins-b"}));
  EXPECT_EQ(p["Limit"], "100");
  EXPECT_EQ(p["Filters"][0]["Name"], "zone");
  EXPECT_EQ(p["UserName"], "a b c");
}

TEST(RequestParamsTest, FormDecode) {
  EXPECT_EQ(FormDecode("a%2Fb%3d"), "a/b=");
  EXPECT_EQ(FormDecode("100%"), "100%");
  EXPECT_EQ(FormDecode("%zz"), "%zz");
}

}  // namespace
}  // namespace resetd::fakecloud
