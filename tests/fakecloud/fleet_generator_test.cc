#include "fakecloud/fleet_generator.h"

#include <map>
#include <set>

#include "gtest/gtest.h"

namespace resetd::fakecloud {
namespace {

TEST(FleetGeneratorTest, DeterministicForASeed) {
  GeneratorOptions o;
  o.instances = 50;
  std::vector<InstanceSpec> a = GenerateFleet(o), b = GenerateFleet(o);
  ASSERT_EQ(a.size(), 50u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].instance_id, b[i].instance_id);
    EXPECT_EQ(a[i].state, b[i].state);
    EXPECT_EQ(a[i].os_type, b[i].os_type);
  }
  o.seed = 2;
  EXPECT_NE(GenerateFleet(o)[0].instance_id, a[0].instance_id);
}

TEST(FleetGeneratorTest, ExactCountsAndWellFormedUniqueIds) {
  GeneratorOptions o;
  o.instances = 100;
  o.running_fraction = 0.5;
  o.windows_fraction = 0.25;
  o.forbidden = 8;
  o.stuck = 3;
  o.reset_fail = 5;
  o.regions = {"ap-guangzhou", "ap-shanghai"};
  std::map<std::string, int> states, regions;
  std::set<std::string> ids;
  int windows = 0, stuck = 0, failing = 0;
  for (const InstanceSpec& s : GenerateFleet(o)) {
    EXPECT_TRUE(IsWellFormedInstanceId(s.instance_id)) << s.instance_id;
    ids.insert(s.instance_id);
    ++states[s.state];
    ++regions[s.region];
    windows += s.os_type == OsType::kWindows;
    stuck += s.stuck;
    failing += s.reset_fails;
    if (s.reset_fails) {
      EXPECT_TRUE(s.state == "RUNNING" || s.state == "STOPPED");
    }
  }
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(windows, 25);
  EXPECT_EQ(stuck, 3);
  EXPECT_EQ(failing, 5);
  EXPECT_EQ(states["TERMINATING"] + states["SHUTDOWN"] +
                states["LAUNCH_FAILED"] + states["RESCUE_MODE"],
            8);
  EXPECT_EQ(states["RUNNING"], 45);  // half of the 89 ordinary ones, rounded
  EXPECT_EQ(states["STOPPED"], 44);
  EXPECT_EQ(regions["ap-guangzhou"], 50);
  EXPECT_EQ(regions["ap-shanghai"], 50);
}

TEST(FleetGeneratorTest, ParsesAFleetFile) {
  auto fleet = ParseFleetJson(R"({"instances": [
      {"instance_id": "ins-aaaaaaaa", "state": "STOPPED", "os_type": "WINDOWS"},
      {"instance_id": "ins-bbbbbbbb", "region": "ap-shanghai", "stuck": true}]})");
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  ASSERT_EQ(fleet->size(), 2u);
  EXPECT_EQ((*fleet)[0].os_type, OsType::kWindows);
  EXPECT_EQ((*fleet)[0].region, "ap-guangzhou");
  EXPECT_EQ((*fleet)[1].state, "RUNNING");
  EXPECT_TRUE((*fleet)[1].stuck);
}

TEST(FleetGeneratorTest, RejectsBadFleetFiles) {
  EXPECT_FALSE(ParseFleetJson("not json").ok());
  EXPECT_FALSE(ParseFleetJson(R"([{"instance_id": "ins-BAD"}])").ok());
  EXPECT_FALSE(
      ParseFleetJson(R"([{"instance_id": "ins-aaaaaaaa", "state": "NAPPING"}])")
          .ok());
  EXPECT_FALSE(
      ParseFleetJson(
          R"([{"instance_id": "ins-aaaaaaaa"}, {"instance_id": "ins-aaaaaaaa"}])")
          .ok());
  EXPECT_FALSE(
      ParseFleetJson(R"([{"instance_id": "ins-aaaaaaaa", "stuck": "yes"}])")
          .ok());
}

TEST(InstanceIdTest, Form) {
  EXPECT_TRUE(IsWellFormedInstanceId("ins-r8hr2upy"));
  EXPECT_FALSE(IsWellFormedInstanceId("ins-R8hr2upy"));
  EXPECT_FALSE(IsWellFormedInstanceId("ins-r8hr2up"));
  EXPECT_FALSE(IsWellFormedInstanceId("ins-r8hr2upyy"));
  EXPECT_FALSE(IsWellFormedInstanceId("inz-r8hr2upy"));
  EXPECT_FALSE(IsWellFormedInstanceId("ins-r8hr-upy"));
}

}  // namespace
}  // namespace resetd::fakecloud
