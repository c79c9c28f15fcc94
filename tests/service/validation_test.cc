#include "service/validation.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/config.h"
#include "service/status_mapping.h"

namespace resetd::service {
namespace {

using resetd::v1::CreateResetJobRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPassword[] = "Zq7!vWx9#kLm";  // valid for Linux and Windows

resetd::v1::Config TestConfig() {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "tencent", "kind": "tencent_cvm",
       "regions": ["ap-guangzhou", "ap-shanghai"]},
      {"name": "tencent2", "kind": "tencent_cvm"}]})",
                            "test");
  EXPECT_TRUE(config.ok()) << config.status();
  return *config;
}

CreateResetJobRequest ValidRequest() {
  CreateResetJobRequest r;
  r.set_request_id("req-2024.05:01_a");
  auto* t = r.add_targets();
  t->set_provider("tencent");
  t->set_region("ap-guangzhou");
  t->add_instance_ids("ins-abcd1234");
  t->add_instance_ids("ins-0000zzzz");
  t->set_os_type(resetd::v1::OS_TYPE_LINUX);
  r.set_password(kPassword);
  return r;
}

std::vector<std::string> Fields(const std::vector<FieldViolation>& vs) {
  std::vector<std::string> out;
  for (const auto& v : vs) out.push_back(v.field());
  return out;
}

class ValidationTest : public ::testing::Test {
 protected:
  std::vector<FieldViolation> Check(
      const std::function<void(CreateResetJobRequest&)>& mutate) {
    CreateResetJobRequest r = ValidRequest();
    mutate(r);
    return validator_.CreateViolations(r);
  }
  RequestValidator validator_{TestConfig()};
};

TEST_F(ValidationTest, ValidRequestPasses) {
  EXPECT_THAT(validator_.CreateViolations(ValidRequest()), IsEmpty());
  EXPECT_TRUE(validator_.ValidateCreate(ValidRequest()).ok());
}

struct Case {
  std::string name;
  std::function<void(CreateResetJobRequest&)> mutate;
  std::vector<std::string> fields;
  std::string description_part;
};

TEST_F(ValidationTest, EachViolationHasItsPath) {
  const std::vector<Case> cases = {
      {"empty request id",
       [](auto& r) { r.clear_request_id(); },
       {"request_id"},
       "1 to 128"},
      {"long request id",
       [](auto& r) { r.set_request_id(std::string(129, 'a')); },
       {"request_id"},
       "1 to 128"},
      {"bad request id char",
       [](auto& r) { r.set_request_id("a b"); },
       {"request_id"},
       "only"},
      {"no targets",
       [](auto& r) { r.clear_targets(); },
       {"targets"},
       "at least one target"},
      {"no provider",
       [](auto& r) { r.mutable_targets(0)->clear_provider(); },
       {"targets[0].provider"},
       "must be set"},
      {"unknown provider",
       [](auto& r) { r.mutable_targets(0)->set_provider("aws"); },
       {"targets[0].provider"},
       "unknown provider \"aws\""},
      {"no region",
       [](auto& r) { r.mutable_targets(0)->clear_region(); },
       {"targets[0].region"},
       "must be set"},
      {"region not allowed",
       [](auto& r) { r.mutable_targets(0)->set_region("eu-frankfurt"); },
       {"targets[0].region"},
       "not allowed"},
      {"no ids",
       [](auto& r) { r.mutable_targets(0)->clear_instance_ids(); },
       {"targets[0].instance_ids"},
       "at least one instance id"},
      {"bad id",
       [](auto& r) { r.mutable_targets(0)->set_instance_ids(1, "i-123"); },
       {"targets[0].instance_ids[1]"},
       "\"ins-\" followed by 8"},
      {"uppercase id",
       [](auto& r) {
         r.mutable_targets(0)->set_instance_ids(0, "ins-ABCD1234");
       },
       {"targets[0].instance_ids[0]"},
       "not a valid tencent_cvm instance id"},
      {"short id",
       [](auto& r) {
         r.mutable_targets(0)->set_instance_ids(0, "ins-abcd123");
       },
       {"targets[0].instance_ids[0]"},
       "not a valid"},
      {"duplicate id",
       [](auto& r) { r.mutable_targets(0)->add_instance_ids("ins-abcd1234"); },
       {"targets[0].instance_ids[2]"},
       "duplicate of targets[0].instance_ids[0]"},
      {"duplicate across targets",
       [](auto& r) { *r.add_targets() = r.targets(0); },
       {"targets[1].instance_ids[0]", "targets[1].instance_ids[1]"},
       "duplicate of targets[0].instance_ids[0]"},
      {"bad os",
       [](auto& r) {
         r.mutable_targets(0)->set_os_type(static_cast<resetd::v1::OsType>(9));
       },
       {"targets[0].os_type"},
       "unknown value 9"},
      {"long username",
       [](auto& r) { r.set_username(std::string(65, 'u')); },
       {"username"},
       "at most 64"},
      {"empty password",
       [](auto& r) { r.clear_password(); },
       {"password"},
       "must be set"},
      {"short password",
       [](auto& r) { r.set_password("Ab1!"); },
       {"password"},
       "target targets[0] (tencent_cvm, linux): must be 8 to 30"},
      {"bad stop mode",
       [](auto& r) { r.set_stop_mode(static_cast<resetd::v1::StopMode>(7)); },
       {"stop_mode"},
       "unknown value 7"},
      {"bad power policy",
       [](auto& r) {
         r.set_power_policy(static_cast<resetd::v1::PowerPolicy>(-1));
       },
       {"power_policy"},
       "unknown value -1"},
      {"negative max unavailable",
       [](auto& r) { r.set_max_unavailable(-1); },
       {"max_unavailable"},
       ">= 0"},
      {"bad on_conflict",
       [](auto& r) {
         r.set_on_conflict(static_cast<resetd::v1::OnConflict>(4));
       },
       {"on_conflict"},
       "unknown value 4 (REJECT, WAIT or SKIP)"},
  };
  for (const Case& c : cases) {
    auto violations = Check(c.mutate);
    EXPECT_EQ(Fields(violations), c.fields) << c.name;
    ASSERT_FALSE(violations.empty()) << c.name;
    EXPECT_THAT(violations.front().description(), HasSubstr(c.description_part))
        << c.name;
  }
}

TEST_F(ValidationTest, SameIdInAnotherRegionOrProviderIsNoDuplicate) {
  auto violations = Check([](auto& r) {
    *r.add_targets() = r.targets(0);
    r.mutable_targets(1)->set_region("ap-shanghai");
    *r.add_targets() = r.targets(0);
    r.mutable_targets(2)->set_provider("tencent2");
  });
  EXPECT_THAT(violations, IsEmpty());
}

TEST_F(ValidationTest, ProviderWithoutRegionListAllowsAnyRegion) {
  EXPECT_THAT(Check([](auto& r) {
                r.mutable_targets(0)->set_provider("tencent2");
                r.mutable_targets(0)->set_region("eu-frankfurt");
              }),
              IsEmpty());
}

TEST_F(ValidationTest, TooManyInstances) {
  auto violations = Check([](auto& r) {
    auto* ids = r.mutable_targets(0)->mutable_instance_ids();
    ids->Clear();
    char id[16];
    for (int i = 0; i <= kMaxInstancesPerJob; ++i) {
      std::snprintf(id, sizeof id, "ins-%08x", i);
      ids->Add(id);
    }
  });
  ASSERT_THAT(Fields(violations), ElementsAre("targets"));
  EXPECT_THAT(violations[0].description(), HasSubstr("at most 100000"));
}

TEST_F(ValidationTest, WindowsTargetAppliesWindowsRules) {
  auto violations = Check([](auto& r) {
    r.set_password("Abcdef123!x");  // 11 chars: fine for Linux only
    *r.add_targets() = r.targets(0);
    r.mutable_targets(1)->set_region("ap-shanghai");
    r.mutable_targets(1)->set_os_type(resetd::v1::OS_TYPE_WINDOWS);
  });
  ASSERT_THAT(Fields(violations), ElementsAre("password"));
  EXPECT_EQ(violations[0].description(),
            "target targets[1] (tencent_cvm, windows): must be 12 to 30 "
            "characters");
}

TEST_F(ValidationTest, CollectsAllViolations) {
  CreateResetJobRequest r = ValidRequest();
  r.set_request_id("");
  r.mutable_targets(0)->set_region("");
  r.mutable_targets(0)->set_instance_ids(0, "bogus");
  r.set_password("/short");
  r.set_max_unavailable(-3);
  auto violations = validator_.CreateViolations(r);
  EXPECT_THAT(Fields(violations),
              ElementsAre("request_id", "targets[0].region",
                          "targets[0].instance_ids[0]", "password", "password",
                          "password", "max_unavailable"));
  absl::Status status = validator_.ValidateCreate(r);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("7 field violations; first: request_id"));
  auto bad_request = GetBadRequest(status);
  ASSERT_TRUE(bad_request.has_value());
  EXPECT_EQ(bad_request->field_violations_size(), 7);
}

// Passwords that break every rule in turn never show up in any output.
TEST_F(ValidationTest, PasswordIsNeverEchoed) {
  for (std::string password :
       {"Qz", "/QzXjK9wv", "QzXjKwvQzXjKwvQzXjKwvQzXjKwvQzXjKwv", "QzXj K9wv!",
        "qzxjk9wv", "adminQzXj9!xyzw"}) {
    CreateResetJobRequest r = ValidRequest();
    r.set_password(password);
    r.set_username("admin");
    r.mutable_targets(0)->set_os_type(resetd::v1::OS_TYPE_WINDOWS);
    r.mutable_targets(0)->set_instance_ids(0, "bad-id");
    absl::Status status = validator_.ValidateCreate(r);
    ASSERT_FALSE(status.ok()) << password;
    const std::string everything =
        std::string(status.message()) + GetBadRequest(status)->DebugString();
    EXPECT_EQ(everything.find(password), std::string::npos) << everything;
    EXPECT_EQ(everything.find("QzXj"), std::string::npos) << everything;
  }
}

// A server with every provider kind.
resetd::v1::Config MultiConfig() {
  auto config = ParseConfig(R"({"insecure": true, "providers": [
      {"name": "cvm", "kind": "tencent_cvm"},
      {"name": "lh", "kind": "tencent_lighthouse"},
      {"name": "ali", "kind": "aliyun_ecs"},
      {"name": "hw", "kind": "huawei_ecs", "regions": ["cn-north-4"],
       "projectIds": {"cn-north-4": "0a1b2c3d4e5f40718293a4b5c6d7e8f9"}},
      {"name": "hw-any", "kind": "huawei_ecs",
       "projectIds": {"ap-southeast-1": "9f8e7d6c5b4a40312f1e0d9c8b7a6958"}}]})",
                            "multi");
  EXPECT_TRUE(config.ok()) << config.status();
  return *config;
}

constexpr char kCvmId[] = "ins-abcd1234";
constexpr char kLighthouseId[] = "lhins-abcd1234";
constexpr char kAliyunId[] = "i-bp13izg0l4s3abcdefgh";
constexpr char kHuaweiId[] = "0c9e2b1a-3f4d-4e5f-8a7b-6c5d4e3f2a1b";
// Valid for every provider's login rule, Linux and Windows: only specials
// all four accept, no piece of "root" or "Administrator".
constexpr char kEveryonePassword[] = "Zq7!vWx9@kLm";
constexpr char kAliyunVncPassword[] = "Ab3dE6";

void AddTarget(CreateResetJobRequest& r, const std::string& provider,
               const std::string& region, const std::string& id,
               resetd::v1::OsType os = resetd::v1::OS_TYPE_LINUX) {
  auto* t = r.add_targets();
  t->set_provider(provider);
  t->set_region(region);
  t->add_instance_ids(id);
  t->set_os_type(os);
}

// One target per kind: cvm, lh, ali, hw (targets[0..3]).
CreateResetJobRequest FourKinds(
    resetd::v1::OsType os = resetd::v1::OS_TYPE_LINUX) {
  CreateResetJobRequest r;
  r.set_request_id("multi-1");
  AddTarget(r, "cvm", "ap-guangzhou", kCvmId, os);
  AddTarget(r, "lh", "ap-guangzhou", kLighthouseId, os);
  AddTarget(r, "ali", "cn-hangzhou", kAliyunId, os);
  AddTarget(r, "hw", "cn-north-4", kHuaweiId, os);
  r.set_password(kEveryonePassword);
  return r;
}

std::vector<std::string> Descriptions(const std::vector<FieldViolation>& vs) {
  std::vector<std::string> out;
  for (const auto& v : vs) out.push_back(v.description());
  return out;
}

class MultiProviderValidationTest : public ::testing::Test {
 protected:
  RequestValidator validator_{MultiConfig()};
};

TEST_F(MultiProviderValidationTest, EveryKindTogetherPasses) {
  EXPECT_THAT(validator_.CreateViolations(FourKinds()), IsEmpty());
  EXPECT_THAT(
      validator_.CreateViolations(FourKinds(resetd::v1::OS_TYPE_WINDOWS)),
      IsEmpty());
}

TEST_F(MultiProviderValidationTest, InstanceIdFormatPerKind) {
  struct Row {
    const char* provider;
    const char* region;
    std::string id;
    bool valid;
  };
  const std::vector<Row> rows = {
      {"cvm", "ap-guangzhou", kCvmId, true},
      {"cvm", "ap-guangzhou", kLighthouseId, false},
      {"lh", "ap-guangzhou", kLighthouseId, true},
      {"lh", "ap-guangzhou", "lhins-0000zzzz", true},
      {"lh", "ap-guangzhou", kCvmId, false},
      {"lh", "ap-guangzhou", "lhins-ABCD1234", false},
      {"lh", "ap-guangzhou", "lhins-abcd123", false},
      {"lh", "ap-guangzhou", "lhins-abcd12345", false},
      {"ali", "cn-hangzhou", kAliyunId, true},
      {"ali", "cn-hangzhou", "i-25abcdefg", true},  // an older, shorter id
      {"ali", "cn-hangzhou", "i-" + std::string(32, 'a'), true},
      {"ali", "cn-hangzhou", "i-" + std::string(33, 'a'), false},
      {"ali", "cn-hangzhou", "i-abc1234", false},
      {"ali", "cn-hangzhou", "i-bp13izg0l4s3ABCDEFGH", false},
      {"ali", "cn-hangzhou", "i-bp13izg0/../abcdefgh", false},
      {"ali", "cn-hangzhou", "i-bp13izg0l4s3abcdefgh&Password=x", false},
      {"ali", "cn-hangzhou", kCvmId, false},
      {"hw", "cn-north-4", kHuaweiId, true},
      {"hw", "cn-north-4", "0C9E2B1A-3F4D-4E5F-8A7B-6C5D4E3F2A1B", false},
      {"hw", "cn-north-4", "0c9e2b1a3f4d4e5f8a7b6c5d4e3f2a1b", false},
      {"hw", "cn-north-4", "0c9e2b1a-3f4d-4e5f-8a7b-6c5d4e3f2a1", false},
      {"hw", "cn-north-4", "0c9e2b1a-3f4d-4e5f-8a7b-6c5d4e3f2a1g", false},
      {"hw", "cn-north-4", kAliyunId, false},
  };
  const std::map<std::string, std::string> formats = {
      {"cvm", "\"ins-\" followed by 8"},
      {"lh", "\"lhins-\" followed by 8"},
      {"ali", "\"i-\" followed by 8 to 32"},
      {"hw", "UUID"}};
  for (const Row& row : rows) {
    CreateResetJobRequest r;
    r.set_request_id("ids");
    AddTarget(r, row.provider, row.region, row.id);
    r.set_password(kEveryonePassword);
    auto violations = validator_.CreateViolations(r);
    if (row.valid) {
      EXPECT_THAT(violations, IsEmpty()) << row.id;
      continue;
    }
    ASSERT_THAT(Fields(violations), ElementsAre("targets[0].instance_ids[0]"))
        << row.id;
    EXPECT_THAT(violations[0].description(),
                HasSubstr(formats.at(row.provider)))
        << row.id;
  }
}

TEST_F(MultiProviderValidationTest, HuaweiRegionNeedsAProjectId) {
  CreateResetJobRequest r;
  r.set_request_id("hw");
  AddTarget(r, "hw-any", "ap-southeast-1", kHuaweiId);
  r.set_password(kEveryonePassword);
  EXPECT_THAT(validator_.CreateViolations(r), IsEmpty());
  r.mutable_targets(0)->set_region("cn-south-1");
  auto violations = validator_.CreateViolations(r);
  ASSERT_THAT(Fields(violations), ElementsAre("targets[0].region"));
  EXPECT_EQ(violations[0].description(),
            "provider \"hw-any\" has no project id for region \"cn-south-1\" "
            "(add it to the provider's project_ids in the server config)");
  // A provider with a region list says "not allowed" instead.
  r.mutable_targets(0)->set_provider("hw");
  violations = validator_.CreateViolations(r);
  ASSERT_THAT(Fields(violations), ElementsAre("targets[0].region"));
  EXPECT_THAT(violations[0].description(), HasSubstr("is not allowed"));
}

TEST_F(MultiProviderValidationTest, VncOnKindsWithoutOneNamesEachTarget) {
  CreateResetJobRequest r = FourKinds();
  r.set_password_kind(resetd::v1::PASSWORD_KIND_VNC);
  r.set_password(kAliyunVncPassword);
  auto violations = validator_.CreateViolations(r);
  // Only the kind check: no password violation repeats it.
  EXPECT_THAT(Fields(violations),
              ElementsAre("password_kind", "password_kind", "password_kind"));
  EXPECT_THAT(
      Descriptions(violations),
      ElementsAre("target targets[0] (tencent_cvm, vnc): provider kind "
                  "\"tencent_cvm\" has no VNC password",
                  "target targets[1] (tencent_lighthouse, vnc): provider kind "
                  "\"tencent_lighthouse\" has no VNC password",
                  "target targets[3] (huawei_ecs, vnc): provider kind "
                  "\"huawei_ecs\" has no VNC password"));
  absl::Status status = validator_.ValidateCreate(r);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()).find(kAliyunVncPassword),
            std::string::npos);
}

TEST_F(MultiProviderValidationTest, VncOnAliyunUsesItsVncRule) {
  CreateResetJobRequest r;
  r.set_request_id("vnc");
  AddTarget(r, "ali", "cn-hangzhou", kAliyunId, resetd::v1::OS_TYPE_WINDOWS);
  r.set_password_kind(resetd::v1::PASSWORD_KIND_VNC);
  r.set_password(kAliyunVncPassword);
  EXPECT_THAT(validator_.CreateViolations(r), IsEmpty());
  r.set_password(kEveryonePassword);  // a fine login password, not VNC
  auto violations = validator_.CreateViolations(r);
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].field(), "password");
  EXPECT_EQ(violations[0].description(),
            "target targets[0] (aliyun_ecs, vnc): must be exactly 6 "
            "characters");
  const std::string all = testing::PrintToString(Descriptions(violations));
  EXPECT_EQ(all.find(kEveryonePassword), std::string::npos) << all;
}

TEST_F(MultiProviderValidationTest, UnknownPasswordKind) {
  CreateResetJobRequest r = FourKinds();
  r.set_password_kind(static_cast<resetd::v1::PasswordKind>(7));
  EXPECT_THAT(Fields(validator_.CreateViolations(r)),
              ElementsAre("password_kind"));
}

TEST_F(MultiProviderValidationTest, DefaultAccountOnlyKindsRefuseOtherUsers) {
  for (const char* ok : {"", "root", "Administrator"}) {
    CreateResetJobRequest r = FourKinds();
    r.set_username(ok);
    EXPECT_THAT(validator_.CreateViolations(r), IsEmpty()) << ok;
  }
  for (const char* other : {"ubuntu", "administrator", "admin"}) {
    CreateResetJobRequest r = FourKinds();
    r.set_username(other);
    auto violations = validator_.CreateViolations(r);
    EXPECT_THAT(Fields(violations), ElementsAre("username", "username"))
        << other;
    EXPECT_THAT(Descriptions(violations),
                ElementsAre(HasSubstr("target targets[2] (aliyun_ecs): the "
                                      "provider resets only the image's "
                                      "default account"),
                            HasSubstr("target targets[3] (huawei_ecs)")))
        << other;
  }
  // Tencent targets alone may name any user.
  CreateResetJobRequest r = FourKinds();
  r.mutable_targets()->DeleteSubrange(2, 2);
  r.set_username("ubuntu");
  EXPECT_THAT(validator_.CreateViolations(r), IsEmpty());
}

// The password must satisfy every target's provider and OS: each violation
// names the target whose rule it breaks, and only that one.
TEST_F(MultiProviderValidationTest, PasswordRulesOfEveryTargetApply) {
  struct Row {
    std::string password;
    resetd::v1::OsType os;
    std::vector<std::string> descriptions;
  };
  const std::vector<Row> rows = {
      {"Zq7!vWx9@kLmZq7!vWx9@kLmAbc1",  // 28: Huawei allows at most 26
       resetd::v1::OS_TYPE_LINUX,
       {"target targets[3] (huawei_ecs, linux): must be 8 to 26 characters"}},
      {"Zq7!vWx9'kLm",  // a quote: Tencent allows it, Alibaba and Huawei not
       resetd::v1::OS_TYPE_LINUX,
       {"target targets[2] (aliyun_ecs, linux): contains a character",
        "target targets[3] (huawei_ecs, linux): contains a character"}},
      {"Zq7#vWx9$kLm",  // # and $: not Huawei specials
       resetd::v1::OS_TYPE_LINUX,
       {"target targets[3] (huawei_ecs, linux): contains a character"}},
      {"Zq7!Adm9@kLm",  // "Adm": 3 characters of Administrator
       resetd::v1::OS_TYPE_WINDOWS,
       {"target targets[3] (huawei_ecs, windows): must not contain 3 or more "
        "consecutive characters"}},
      {"Zq7!toor@kLm",  // root reversed
       resetd::v1::OS_TYPE_LINUX,
       {"target targets[3] (huawei_ecs, linux): must not contain the user "
        "name spelled backwards"}},
      {"Zq7!vWx9@kL",  // 11: Windows needs 12 on Tencent
       resetd::v1::OS_TYPE_WINDOWS,
       {"target targets[0] (tencent_cvm, windows): must be 12 to 30",
        "target targets[1] (tencent_lighthouse, windows): must be 12 to 30"}},
  };
  for (const Row& row : rows) {
    CreateResetJobRequest r = FourKinds(row.os);
    r.set_password(row.password);
    auto violations = validator_.CreateViolations(r);
    ASSERT_EQ(violations.size(), row.descriptions.size()) << row.password;
    for (size_t i = 0; i < violations.size(); ++i) {
      EXPECT_EQ(violations[i].field(), "password");
      EXPECT_THAT(violations[i].description(), HasSubstr(row.descriptions[i]))
          << row.password;
      EXPECT_EQ(violations[i].description().find(row.password),
                std::string::npos);
    }
  }
}

TEST_F(ValidationTest, OtherRequests) {
  resetd::v1::GetResetJobRequest get;
  EXPECT_EQ(validator_.ValidateGet(get).code(),
            absl::StatusCode::kInvalidArgument);
  get.set_job_id("j1");
  EXPECT_TRUE(validator_.ValidateGet(get).ok());
  resetd::v1::ListResetJobsRequest list;
  list.set_page_size(501);
  list.add_states(static_cast<resetd::v1::JobState>(42));
  auto bad = GetBadRequest(validator_.ValidateList(list));
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "page_size");
  EXPECT_EQ(bad->field_violations(1).field(), "states[0]");
  EXPECT_EQ(validator_.ValidateJobId("").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(validator_.ValidateJobId("j1").ok());
}

}  // namespace
}  // namespace resetd::service
