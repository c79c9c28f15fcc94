#include "service/status_mapping.h"

#include <string>

#include "absl/strings/cord.h"
#include "clients/provider_error.h"
#include "google/rpc/status.pb.h"

namespace resetd::service {
namespace {

// grpc-message travels in the trailers too; keep it well below their limit.
constexpr size_t kMaxMessageBytes = 1024;

// Keeps the leading violations that fit in `budget` bytes and summarises
// the rest in one final entry.
google::rpc::BadRequest Trimmed(const google::rpc::BadRequest& in,
                                size_t budget) {
  if (in.ByteSizeLong() <= budget) return in;
  google::rpc::BadRequest out;
  constexpr size_t kSummaryReserve = 96;
  int kept = 0;
  for (const auto& v : in.field_violations()) {
    *out.add_field_violations() = v;
    if (out.ByteSizeLong() + kSummaryReserve > budget) {
      out.mutable_field_violations()->RemoveLast();
      break;
    }
    ++kept;
  }
  auto* summary = out.add_field_violations();
  summary->set_field("*");
  summary->set_description("and " +
                           std::to_string(in.field_violations_size() - kept) +
                           " more field violations not shown");
  return out;
}

std::optional<google::rpc::ErrorInfo> ErrorInfoOf(
    const absl::Status& status) {
  auto error = clients::GetProviderError(status);
  if (!error) {
    auto payload = status.GetPayload(kErrorInfoPayloadUrl);
    google::rpc::ErrorInfo attached;
    if (payload && attached.ParseFromString(std::string(*payload))) {
      return attached;
    }
    return std::nullopt;
  }
  google::rpc::ErrorInfo info;
  info.set_reason(error->code);
  info.set_domain(kErrorInfoDomain);
  if (!error->request_id.empty()) {
    (*info.mutable_metadata())["request_id"] = error->request_id;
  }
  return info;
}

}  // namespace

absl::Status WithErrorInfo(absl::Status status,
                           const google::rpc::ErrorInfo& info) {
  status.SetPayload(kErrorInfoPayloadUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status InvalidArgumentWithViolations(
    std::string_view message, const google::rpc::BadRequest& bad_request) {
  absl::Status status = absl::InvalidArgumentError(std::string(message));
  status.SetPayload(kBadRequestPayloadUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return status;
}

std::optional<google::rpc::BadRequest> GetBadRequest(
    const absl::Status& status) {
  auto payload = status.GetPayload(kBadRequestPayloadUrl);
  if (!payload) return std::nullopt;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return std::nullopt;
  return bad_request;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const int raw = static_cast<int>(status.code());
  // Both enums share the canonical numbering 0..16.
  const auto code = raw >= 1 && raw <= 16 ? static_cast<grpc::StatusCode>(raw)
                                          : grpc::StatusCode::UNKNOWN;
  std::string message(status.message());
  if (message.size() > kMaxMessageBytes) {
    message.resize(kMaxMessageBytes - 3);
    message += "...";
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  auto info = ErrorInfoOf(status);
  if (info) details.add_details()->PackFrom(*info);
  if (auto bad_request = GetBadRequest(status)) {
    // The Any wrapper adds its type URL and a few tag/length bytes.
    constexpr size_t kAnyOverhead = 64;
    const size_t used = details.ByteSizeLong() + kAnyOverhead;
    const size_t budget =
        used < kMaxStatusDetailsBytes ? kMaxStatusDetailsBytes - used : 0;
    details.add_details()->PackFrom(Trimmed(*bad_request, budget));
  }
  // A PreconditionFailure (e.g. instances other jobs hold) travels under its
  // type URL; its producer bounds its length.
  if (auto payload = status.GetPayload(
          "type.googleapis.com/" +
          google::rpc::PreconditionFailure::descriptor()->full_name())) {
    google::rpc::PreconditionFailure failure;
    if (failure.ParseFromString(std::string(*payload))) {
      details.add_details()->PackFrom(failure);
    }
  }
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace resetd::service
