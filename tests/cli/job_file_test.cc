#include "cli/job_file.h"

#include <google/protobuf/util/message_differencer.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string TestData(const std::string& name) {
  return std::string(RESETD_CLI_TESTDATA) + "/" + name;
}

TEST(JobFileTest, YamlAndJsonFilesGiveTheSameRequest) {
  auto yaml = LoadJobFile(TestData("job.yaml"));
  auto json = LoadJobFile(TestData("job.json"));
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*yaml, *json))
      << yaml->DebugString() << "\nvs\n"
      << json->DebugString();
}

TEST(JobFileTest, YamlFieldsLandWhereTheyBelong) {
  auto r = LoadJobFile(TestData("job.yaml"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->request_id(), "ops-2024-06-01");
  ASSERT_EQ(r->targets_size(), 2);
  EXPECT_EQ(r->targets(0).provider(), "tencent");
  EXPECT_EQ(r->targets(0).os_type(), resetd::v1::OS_TYPE_LINUX);
  EXPECT_THAT(r->targets(1).instance_ids(), ElementsAre("i-bp1abc", "12345"));
  EXPECT_EQ(r->stop_mode(), resetd::v1::STOP_MODE_SOFT_THEN_FORCE);
  EXPECT_EQ(r->max_unavailable(), 50);
  EXPECT_TRUE(r->dry_run());
  EXPECT_TRUE(r->password().empty());
}

TEST(JobFileTest, UnquotedNumericInstanceIdStaysAString) {
  auto r = ParseJobFile("targets:\n  - instance_ids: [12345, 007]\n",
                        JobFileFormat::kYaml);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->targets(0).instance_ids(), ElementsAre("12345", "007"));
}

TEST(JobFileTest, UnknownFieldIsAClearError) {
  auto yaml =
      ParseJobFile("targets:\n  - provder: tencent\n", JobFileFormat::kYaml);
  ASSERT_FALSE(yaml.ok());
  EXPECT_EQ(yaml.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(yaml.status().message()), HasSubstr("provder"));
  auto json = ParseJobFile(R"({"dryrun": true})", JobFileFormat::kJson);
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(std::string(json.status().message()), HasSubstr("dryrun"));
}

TEST(JobFileTest, WrongTypeIsAnError) {
  auto r = ParseJobFile("max_unavailable: lots\n", JobFileFormat::kYaml);
  EXPECT_FALSE(r.ok());
  auto bad_enum = ParseJobFile("stop_mode: gently\n", JobFileFormat::kYaml);
  EXPECT_FALSE(bad_enum.ok());
}

TEST(JobFileTest, PasswordInFileIsRejectedWithoutEchoingIt) {
  for (auto [text, format] :
       {std::pair{"password: S3cret-Pw!\n", JobFileFormat::kYaml},
        std::pair{R"({"password": "S3cret-Pw!"})", JobFileFormat::kJson},
        std::pair{"password: 12345678\n", JobFileFormat::kYaml},
        std::pair{R"({"password": ""})", JobFileFormat::kJson}}) {
    auto r = ParseJobFile(text, format);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    std::string message(r.status().message());
    EXPECT_THAT(message, HasSubstr("must not contain a password"));
    EXPECT_THAT(message, Not(HasSubstr("S3cret")));
    EXPECT_THAT(message, Not(HasSubstr("12345678")));
  }
}

TEST(JobFileTest, SyntaxErrorsAreReported) {
  EXPECT_FALSE(ParseJobFile("targets: [\n", JobFileFormat::kYaml).ok());
  EXPECT_FALSE(ParseJobFile("{\"targets\": ", JobFileFormat::kJson).ok());
  EXPECT_FALSE(ParseJobFile("[1, 2]", JobFileFormat::kJson).ok());
}

TEST(JobFileTest, FormatFollowsTheExtension) {
  EXPECT_EQ(FormatForPath("a/job.json"), JobFileFormat::kJson);
  EXPECT_EQ(FormatForPath("job.yaml"), JobFileFormat::kYaml);
  EXPECT_EQ(FormatForPath("job.yml"), JobFileFormat::kYaml);
  EXPECT_EQ(FormatForPath("job"), JobFileFormat::kYaml);
}

TEST(JobFileTest, MissingFileNamesThePath) {
  auto r = LoadJobFile("/nonexistent/job.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("/nonexistent/job.yaml"));
}

TEST(InstanceListTest, OneIdPerLineBlanksAndCommentsSkipped) {
  auto ids = LoadInstanceFile(TestData("instances.txt"));
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids,
              ElementsAre("ins-1a2b3c4d", "ins-5e6f7a8b", "ins-9c0d1e2f"));
}

TEST(InstanceListTest, CrLfLinesAreTrimmed) {
  auto ids = ParseInstanceList("a\r\nb\r\n");
  ASSERT_TRUE(ids.ok());
  EXPECT_THAT(*ids, ElementsAre("a", "b"));
}

TEST(InstanceListTest, EmptyOrMalformedIsRejected) {
  EXPECT_FALSE(ParseInstanceList("").ok());
  EXPECT_FALSE(ParseInstanceList("# only a comment\n\n").ok());
  auto two = ParseInstanceList("a b\n");
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(std::string(two.status().message()), HasSubstr("line 1"));
  EXPECT_FALSE(ParseInstanceList("a,b\n").ok());
}

TEST(InstanceListTest, CommaListSplitsAndTrims) {
  EXPECT_THAT(SplitCommaList(" a, b,,c ,"), ElementsAre("a", "b", "c"));
  EXPECT_TRUE(SplitCommaList("").empty());
}

}  // namespace
}  // namespace resetd::cli
