#include "cli/create_request.h"

#include <fstream>
#include <regex>

#include "cli/flag_values.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace resetd::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string WriteTemp(const std::string& name, const std::string& contents) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << contents;
  return path;
}

CreateFlags TargetFlags() {
  CreateFlags f;
  f.provider = "tencent";
  f.region = "ap-guangzhou";
  f.instances = "ins-1,ins-2";
  return f;
}

TEST(CreateRequestTest, FromFlags) {
  CreateFlags f = TargetFlags();
  f.os = "windows";
  f.username = "Administrator";
  f.stop_mode = "force";
  f.power_policy = "always-start";
  f.max_unavailable = 7;
  f.dry_run = true;
  f.request_id = "rid-1";
  auto r = BuildCreateRequest(f);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->targets_size(), 1);
  EXPECT_EQ(r->targets(0).provider(), "tencent");
  EXPECT_EQ(r->targets(0).region(), "ap-guangzhou");
  EXPECT_THAT(r->targets(0).instance_ids(), ElementsAre("ins-1", "ins-2"));
  EXPECT_EQ(r->targets(0).os_type(), resetd::v1::OS_TYPE_WINDOWS);
  EXPECT_EQ(r->username(), "Administrator");
  EXPECT_EQ(r->stop_mode(), resetd::v1::STOP_MODE_FORCE);
  EXPECT_EQ(r->power_policy(), resetd::v1::POWER_POLICY_ALWAYS_START);
  EXPECT_EQ(r->max_unavailable(), 7);
  EXPECT_TRUE(r->dry_run());
  EXPECT_EQ(r->request_id(), "rid-1");
}

TEST(CreateRequestTest, InstancesFromFile) {
  CreateFlags f = TargetFlags();
  f.instances.reset();
  f.instances_file = WriteTemp("ids.txt", "ins-a\nins-b\n");
  auto r = BuildCreateRequest(f);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->targets(0).instance_ids(), ElementsAre("ins-a", "ins-b"));
}

TEST(CreateRequestTest, DefaultRequestIdIsRandomUuidLike) {
  auto a = BuildCreateRequest(TargetFlags());
  auto b = BuildCreateRequest(TargetFlags());
  ASSERT_TRUE(a.ok() && b.ok());
  std::regex uuid(
      "resetctl-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]"
      "{12}");
  EXPECT_TRUE(std::regex_match(a->request_id(), uuid)) << a->request_id();
  EXPECT_NE(a->request_id(), b->request_id());
}

TEST(CreateRequestTest, UsageErrors) {
  CreateFlags both = TargetFlags();
  both.instances_file = "x";
  EXPECT_THAT(std::string(BuildCreateRequest(both).status().message()),
              HasSubstr("exactly one of --instances and --instances-file"));
  CreateFlags no_region = TargetFlags();
  no_region.region.reset();
  EXPECT_FALSE(BuildCreateRequest(no_region).ok());
  CreateFlags bad_mode = TargetFlags();
  bad_mode.stop_mode = "gently";
  EXPECT_THAT(std::string(BuildCreateRequest(bad_mode).status().message()),
              HasSubstr("soft|soft-then-force|force"));
  CreateFlags negative = TargetFlags();
  negative.max_unavailable = -1;
  EXPECT_FALSE(BuildCreateRequest(negative).ok());
}

TEST(CreateRequestTest, FileWithOverrides) {
  CreateFlags f;
  f.file = WriteTemp("job.yaml",
                     "request_id: from-file\nstop_mode: STOP_MODE_SOFT\n"
                     "targets:\n  - {provider: huawei, region: cn-north-4, "
                     "instance_ids: [a]}\n");
  f.stop_mode = "force";
  f.dry_run = true;
  auto r = BuildCreateRequest(f);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->request_id(), "from-file");
  EXPECT_EQ(r->targets(0).provider(), "huawei");
  EXPECT_EQ(r->stop_mode(), resetd::v1::STOP_MODE_FORCE);
  EXPECT_TRUE(r->dry_run());
}

TEST(CreateRequestTest, FileRefusesTargetFlags) {
  CreateFlags f = TargetFlags();
  f.file = WriteTemp("job2.yaml", "targets: []\n");
  auto r = BuildCreateRequest(f);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("--file"));
}

TEST(CreateRequestTest, PasswordKindFlag) {
  CreateFlags none = TargetFlags();
  auto r = BuildCreateRequest(none);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->password_kind(), resetd::v1::PASSWORD_KIND_UNSPECIFIED);
  CreateFlags vnc = TargetFlags();
  vnc.password_kind = "vnc";
  r = BuildCreateRequest(vnc);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->password_kind(), resetd::v1::PASSWORD_KIND_VNC);
  CreateFlags bad = TargetFlags();
  bad.password_kind = "VNC";
  EXPECT_THAT(std::string(BuildCreateRequest(bad).status().message()),
              HasSubstr("invalid password kind 'VNC' (expected login|vnc)"));
}

TEST(CreateRequestTest, PasswordKindFromFileAndFlagOverride) {
  CreateFlags f;
  f.file = WriteTemp("job-vnc.yaml",
                     "password_kind: PASSWORD_KIND_VNC\n"
                     "targets:\n  - {provider: aliyun, region: cn-hangzhou, "
                     "instance_ids: [i-bp13izg0l4s3abcdefgh]}\n");
  auto r = BuildCreateRequest(f);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->password_kind(), resetd::v1::PASSWORD_KIND_VNC);
  f.password_kind = "login";
  r = BuildCreateRequest(f);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->password_kind(), resetd::v1::PASSWORD_KIND_LOGIN);
}

TEST(CreateRequestTest, OnConflictFlag) {
  auto r = BuildCreateRequest(TargetFlags());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->on_conflict(), resetd::v1::ON_CONFLICT_UNSPECIFIED);
  for (const auto& [flag, want] :
       std::vector<std::pair<std::string, resetd::v1::OnConflict>>{
           {"reject", resetd::v1::ON_CONFLICT_REJECT},
           {"wait", resetd::v1::ON_CONFLICT_WAIT},
           {"skip", resetd::v1::ON_CONFLICT_SKIP}}) {
    CreateFlags f = TargetFlags();
    f.on_conflict = flag;
    r = BuildCreateRequest(f);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->on_conflict(), want) << flag;
  }
  CreateFlags bad = TargetFlags();
  bad.on_conflict = "queue";
  EXPECT_THAT(
      std::string(BuildCreateRequest(bad).status().message()),
      HasSubstr("invalid on-conflict mode 'queue' (expected reject|wait|skip)"));
}

TEST(CreateRequestTest, OnConflictFromFile) {
  CreateFlags f;
  f.file = WriteTemp("job-wait.yaml",
                     "on_conflict: ON_CONFLICT_WAIT\n"
                     "targets:\n  - {provider: tencent, region: ap-guangzhou, "
                     "instance_ids: [ins-abcdefgh]}\n");
  auto r = BuildCreateRequest(f);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->on_conflict(), resetd::v1::ON_CONFLICT_WAIT);
}

TEST(FlagValuesTest, JobStates) {
  auto s = ParseJobStates("running, PARTIALLY-failed,succeeded");
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(*s, ElementsAre(resetd::v1::JOB_STATE_RUNNING,
                              resetd::v1::JOB_STATE_PARTIALLY_FAILED,
                              resetd::v1::JOB_STATE_SUCCEEDED));
  EXPECT_TRUE(ParseJobStates("")->empty());
  EXPECT_FALSE(ParseJobStates("unspecified").ok());
  EXPECT_FALSE(ParseJobStates("runing").ok());
}

TEST(FlagValuesTest, Enums) {
  EXPECT_EQ(*ParseStopMode("soft-then-force"),
            resetd::v1::STOP_MODE_SOFT_THEN_FORCE);
  EXPECT_EQ(*ParsePowerPolicy("leave-stopped"),
            resetd::v1::POWER_POLICY_LEAVE_STOPPED);
  EXPECT_EQ(*ParseOsType("linux"), resetd::v1::OS_TYPE_LINUX);
  EXPECT_EQ(*ParsePasswordKind("login"), resetd::v1::PASSWORD_KIND_LOGIN);
  EXPECT_EQ(*ParsePasswordKind("vnc"), resetd::v1::PASSWORD_KIND_VNC);
  EXPECT_FALSE(ParsePasswordKind("console").ok());
  EXPECT_FALSE(ParseOsType("bsd").ok());
}

}  // namespace
}  // namespace resetd::cli
