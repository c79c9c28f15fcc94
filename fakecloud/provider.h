// The providers fakecloud serves, and what the fleet knows of each: its name
// on the admin API and in flags, and the form of its instance ids. Pure,
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resetd::fakecloud {

// Which cloud API an instance belongs to. Each instance is reachable through
// its provider's API only; the power state machine behind them is shared.
enum class Provider {
  kTencentCvm,
  kTencentLighthouse,
  kAliyunEcs,  // API layer not written yet
  kHuaweiEcs,  // API layer not written yet
};

// Every provider, in declaration order.
const std::vector<Provider>& AllProviders();

// "tencent_cvm", "tencent_lighthouse", "aliyun_ecs", "huawei_ecs".
std::string_view ProviderName(Provider provider);

// The provider named `name` (as ProviderName() spells it), or nullopt.
std::optional<Provider> ParseProvider(std::string_view name);

// Whether `id` has the form of `provider`'s instance ids: CVM "ins-" and
// Lighthouse "lhins-" followed by 8 of [a-z0-9]; Alibaba "i-" and 20 of
// [a-z0-9]; Huawei a lower-case UUID (8-4-4-4-12 hex).
bool IsWellFormedId(Provider provider, std::string_view id);

// A new id for `provider` from `draw`, a source of uniformly random
// characters of [a-z0-9] (called once per random character).
template <typename Draw>
std::string MakeInstanceId(Provider provider, Draw&& draw);

// Implementation details of MakeInstanceId.
namespace internal {
std::string_view IdPrefix(Provider provider);
int IdRandomChars(Provider provider);
std::string FormatHuaweiId(std::string_view hex32);
}  // namespace internal

template <typename Draw>
std::string MakeInstanceId(Provider provider, Draw&& draw) {
  std::string id(internal::IdPrefix(provider));
  const int n = internal::IdRandomChars(provider);
  std::string random;
  for (int i = 0; i < n; ++i) random += draw();
  if (provider == Provider::kHuaweiEcs) return internal::FormatHuaweiId(random);
  return id + random;
}

}  // namespace resetd::fakecloud
