// The first detail of type Detail (google.rpc.BadRequest, ErrorInfo, ...)
// in a failed gRPC status's google.rpc.Status details; a default Detail when
// there is none. For tests.
#pragma once

#include <grpcpp/support/status.h>

#include "google/rpc/status.pb.h"

namespace resetd::testing {

template <typename Detail>
Detail DetailOf(const grpc::Status& status) {
  google::rpc::Status details;
  Detail detail;
  if (!details.ParseFromString(status.error_details())) return detail;
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&detail)) break;
  }
  return detail;
}

}  // namespace resetd::testing
