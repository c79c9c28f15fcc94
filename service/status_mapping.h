// The one mapping from absl::Status (what the workflow layer and validation
// return) to grpc::Status (what clients see), with google.rpc details.
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/support/status.h"

namespace resetd::service {

// Type URL under which a google.rpc.BadRequest travels as an absl payload.
inline constexpr char kBadRequestPayloadUrl[] =
    "type.googleapis.com/google.rpc.BadRequest";

// Domain of the google.rpc.ErrorInfo that carries a provider error.
inline constexpr char kErrorInfoDomain[] = "resetd";

// Type URL under which a google.rpc.ErrorInfo (e.g. authorization's) travels
// as an absl payload.
inline constexpr char kErrorInfoPayloadUrl[] =
    "type.googleapis.com/google.rpc.ErrorInfo";

// `status` with `info` attached as payload (ToGrpcStatus sends it).
absl::Status WithErrorInfo(absl::Status status,
                           const google::rpc::ErrorInfo& info);

// Serialized google.rpc.Status details above this size are trimmed (field
// violations dropped from the end, replaced by one summary entry) so the
// trailers stay below gRPC's default 8 KiB metadata limit after base64.
inline constexpr size_t kMaxStatusDetailsBytes = 4096;

// kInvalidArgument with `message` and `bad_request` attached as payload.
absl::Status InvalidArgumentWithViolations(
    std::string_view message, const google::rpc::BadRequest& bad_request);

// The BadRequest attached by InvalidArgumentWithViolations, if any.
std::optional<google::rpc::BadRequest> GetBadRequest(
    const absl::Status& status);

// Maps `status` to a grpc::Status with the same canonical code and message.
// Unless OK, error_details() is a serialized google.rpc.Status {code,
// message, details} whose details hold the BadRequest payload (if any), a
// google.rpc.PreconditionFailure payload (under its type URL, if any) and,
// when the status carries a provider error (clients/provider_error.h), an
// ErrorInfo{reason = provider code, domain = "resetd", metadata =
// {request_id}}, else the ErrorInfo payload (WithErrorInfo), if any.
// Thread-safe.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace resetd::service
