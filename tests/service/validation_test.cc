#include "service/validation.h"

#include <functional>
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
  auto config = ParseConfig(R"({"providers": [
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
