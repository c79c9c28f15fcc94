// Turning a failed RPC into text an operator can act on. Pure; thread-safe.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

namespace resetd::cli {

// The canonical name of a gRPC status code ("INVALID_ARGUMENT"), or
// "CODE(n)" for a number outside the canonical set.
std::string StatusCodeName(grpc::StatusCode code);

// Renders a failed status as "error: CODE: message\n", followed by one
// indented line per detail found in its google.rpc.Status details:
// each google.rpc.BadRequest field violation as "  field: description",
// and ErrorInfo, RetryInfo, PreconditionFailure, QuotaFailure, RequestInfo
// and ResourceInfo in short forms. Undecodable details are named by type.
// With a non-empty `hint` (cli/connection.h ConnectionHint: the call never
// reached resetd), the hint replaces gRPC's low-level message.
std::string FormatRpcError(const grpc::Status& status,
                           const std::string& hint = "");

}  // namespace resetd::cli
