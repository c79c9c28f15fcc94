// Mixed fleets: --mix parsing, generation and fleet files with providers.
#include <map>
#include <string>

#include "fakecloud/fleet_generator.h"
#include "gtest/gtest.h"

namespace resetd::fakecloud {
namespace {

TEST(MixTest, ParsesWeights) {
  auto mix = ParseMix("tencent_cvm=0.5, tencent_lighthouse=0.5");
  ASSERT_TRUE(mix.ok()) << mix.status();
  ASSERT_EQ(mix->size(), 2u);
  EXPECT_EQ((*mix)[1].first, Provider::kTencentLighthouse);
  EXPECT_DOUBLE_EQ((*mix)[1].second, 0.5);
  EXPECT_TRUE(ParseMix("tencent_lighthouse").ok());  // weight 1
  EXPECT_FALSE(ParseMix("gcp=1").ok());
  EXPECT_FALSE(ParseMix("tencent_cvm=x").ok());
  EXPECT_FALSE(ParseMix("tencent_cvm=-1").ok());
  EXPECT_FALSE(ParseMix("tencent_cvm=0").ok());
  EXPECT_FALSE(ParseMix("tencent_cvm=1,tencent_cvm=1").ok());
}

TEST(MixTest, DefaultFleetIsUnchangedByTheMixFeature) {
  GeneratorOptions o;
  o.instances = 50;
  o.seed = 7;
  std::vector<InstanceSpec> plain = GenerateFleet(o);
  o.mix = {{Provider::kTencentCvm, 1}};
  std::vector<InstanceSpec> all_cvm = GenerateFleet(o);
  ASSERT_EQ(plain.size(), all_cvm.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    EXPECT_EQ(plain[i].instance_id, all_cvm[i].instance_id);
    EXPECT_EQ(plain[i].state, all_cvm[i].state);
    EXPECT_EQ(plain[i].provider, Provider::kTencentCvm);
  }
}

TEST(MixTest, CountsAreExactAndIdsHaveTheProvidersForm) {
  GeneratorOptions o;
  o.instances = 11;
  o.mix = {{Provider::kTencentCvm, 0.5}, {Provider::kTencentLighthouse, 0.5}};
  std::map<Provider, int> counts;
  for (const InstanceSpec& s : GenerateFleet(o)) {
    ++counts[s.provider];
    EXPECT_TRUE(IsWellFormedId(s.provider, s.instance_id)) << s.instance_id;
  }
  EXPECT_EQ(
      counts[Provider::kTencentCvm] + counts[Provider::kTencentLighthouse], 11);
  EXPECT_GE(counts[Provider::kTencentLighthouse], 5);
  EXPECT_GE(counts[Provider::kTencentCvm], 5);
  o.mix = {{Provider::kTencentLighthouse, 1}};
  for (const InstanceSpec& s : GenerateFleet(o)) {
    EXPECT_EQ(s.instance_id.rfind("lhins-", 0), 0u) << s.instance_id;
  }
}

TEST(MixTest, FutureProvidersGetTheirIdForms) {
  GeneratorOptions o;
  o.instances = 4;
  o.mix = {{Provider::kAliyunEcs, 1}, {Provider::kHuaweiEcs, 1}};
  for (const InstanceSpec& s : GenerateFleet(o)) {
    EXPECT_TRUE(IsWellFormedId(s.provider, s.instance_id)) << s.instance_id;
  }
}

TEST(MixTest, FleetFileNamesProviders) {
  auto fleet = ParseFleetJson(
      R"([{"instance_id":"lhins-abcd1234","provider":"tencent_lighthouse",
           "state":"DELETING"},
          {"instance_id":"ins-abcd1234"}])");
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  EXPECT_EQ((*fleet)[0].provider, Provider::kTencentLighthouse);
  EXPECT_EQ((*fleet)[1].provider, Provider::kTencentCvm);
  EXPECT_FALSE(ParseFleetJson(R"([{"instance_id":"lhins-abcd1234"}])").ok());
  EXPECT_FALSE(
      ParseFleetJson(R"([{"instance_id":"ins-abcd1234","provider":"nope"}])")
          .ok());
}

}  // namespace
}  // namespace resetd::fakecloud
