#include "fakecloud/provider.h"

#include <algorithm>

namespace resetd::fakecloud {

namespace {

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool IsLowerHex(char c) {
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

bool PrefixedAlnum(std::string_view id, std::string_view prefix, size_t n) {
  if (id.size() != prefix.size() + n || id.substr(0, prefix.size()) != prefix)
    return false;
  return std::all_of(id.begin() + prefix.size(), id.end(), IsLowerAlnum);
}

bool IsUuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !IsLowerHex(id[i])) return false;
  }
  return true;
}

}  // namespace

const std::vector<Provider>& AllProviders() {
  static const auto* all = new std::vector<Provider>{
      Provider::kTencentCvm, Provider::kTencentLighthouse, Provider::kAliyunEcs,
      Provider::kHuaweiEcs};
  return *all;
}

std::string_view ProviderName(Provider provider) {
  switch (provider) {
    case Provider::kTencentCvm:
      return "tencent_cvm";
    case Provider::kTencentLighthouse:
      return "tencent_lighthouse";
    case Provider::kAliyunEcs:
      return "aliyun_ecs";
    case Provider::kHuaweiEcs:
      return "huawei_ecs";
  }
  return "";
}

std::optional<Provider> ParseProvider(std::string_view name) {
  for (Provider p : AllProviders()) {
    if (ProviderName(p) == name) return p;
  }
  return std::nullopt;
}

bool IsWellFormedId(Provider provider, std::string_view id) {
  switch (provider) {
    case Provider::kTencentCvm:
      return PrefixedAlnum(id, "ins-", 8);
    case Provider::kTencentLighthouse:
      return PrefixedAlnum(id, "lhins-", 8);
    case Provider::kAliyunEcs:
      return PrefixedAlnum(id, "i-", 20);
    case Provider::kHuaweiEcs:
      return IsUuid(id);
  }
  return false;
}

namespace internal {

std::string_view IdPrefix(Provider provider) {
  switch (provider) {
    case Provider::kTencentCvm:
      return "ins-";
    case Provider::kTencentLighthouse:
      return "lhins-";
    case Provider::kAliyunEcs:
      return "i-";
    case Provider::kHuaweiEcs:
      return "";
  }
  return "";
}

int IdRandomChars(Provider provider) {
  switch (provider) {
    case Provider::kTencentCvm:
    case Provider::kTencentLighthouse:
      return 8;
    case Provider::kAliyunEcs:
      return 20;
    case Provider::kHuaweiEcs:
      return 32;
  }
  return 8;
}

// Hex digits come from [a-z0-9] draws folded onto [0-9a-f].
std::string FormatHuaweiId(std::string_view chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < chars.size() && i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += kHex[static_cast<unsigned char>(chars[i]) % 16];
  }
  return out;
}

}  // namespace internal

}  // namespace resetd::fakecloud
