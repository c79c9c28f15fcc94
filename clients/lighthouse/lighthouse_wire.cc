#include "clients/lighthouse/lighthouse_wire.h"

#include <optional>
#include <ostream>
#include <streambuf>
#include <utility>

#include "clients/provider_error.h"
#include "clients/tencent/tencent_wire.h"
#include "common/secret.h"

namespace resetd::clients::lighthouse {
namespace {

// An ostream that appends to a string whose capacity the caller reserved,
// so serialising a password leaves no reallocated copies behind.
class AppendBuf final : public std::streambuf {
 public:
  explicit AppendBuf(std::string& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) out_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<size_t>(n));
    return n;
  }

 private:
  std::string& out_;
};

}  // namespace

PowerState LighthousePowerState(std::string_view s) {
  if (s == "DELETING") return PowerState::kTerminating;
  if (s == "FREEZING") return PowerState::kShutdown;
  return tencent::TencentPowerState(s);
}

absl::StatusCode LighthouseErrorCode(std::string_view c) {
  using C = absl::StatusCode;
  if (c == "ResourceNotFound.InstanceIdNotFound" ||
      c == "ResourceNotFound.InstanceNotFound") {
    return C::kNotFound;
  }
  // Transient: the previous operation or the creation is still running, or
  // Lighthouse could not read the instance's state ("please retry later").
  if (c == "UnsupportedOperation.LatestOperationUnfinished" ||
      c == "OperationDenied.InstanceCreating" ||
      c == "FailedOperation.DescribeInstanceStatus") {
    return C::kUnavailable;
  }
  return tencent::TencentErrorCode(c);
}

absl::Status ToLighthouseStatus(const absl::Status& status) {
  std::optional<ProviderError> error = GetProviderError(status);
  if (!error.has_value() || error->code.empty() || error->http_status != 200) {
    return status;
  }
  const absl::StatusCode code = LighthouseErrorCode(error->code);
  if (code == status.code()) return status;
  absl::Status out(code, status.message());
  status.ForEachPayload([&out](auto type_url, const absl::Cord& payload) {
    out.SetPayload(type_url, payload);
  });
  return out;
}

InstanceStatus ParseLighthouseInstance(const nlohmann::json& instance) {
  InstanceStatus status = tencent::ParseTencentInstance(instance);
  status.state = LighthousePowerState(status.provider_state);
  return status;
}

absl::StatusOr<std::string> SerializeBody(const nlohmann::ordered_json& body,
                                          size_t reserve) {
  std::string out;
  try {
    if (reserve == 0) return body.dump();
    out.reserve(reserve);
    AppendBuf buf(out);
    std::ostream stream(&buf);
    stream << body;
  } catch (const nlohmann::ordered_json::exception&) {
    // nlohmann's message would quote the offending bytes; keep them out.
    WipeString(out);
    return absl::InvalidArgumentError("request parameters are not valid UTF-8");
  }
  return out;
}

}  // namespace resetd::clients::lighthouse
