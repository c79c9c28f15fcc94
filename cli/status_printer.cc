#include "cli/status_printer.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace resetd::cli {
namespace {

using google::protobuf::Any;

std::string Describe(const google::rpc::BadRequest& d) {
  std::string out;
  for (const auto& v : d.field_violations()) {
    absl::StrAppend(&out, "  ", v.field().empty() ? "(request)" : v.field(),
                    ": ", v.description(), "\n");
  }
  return out;
}

std::string Describe(const google::rpc::ErrorInfo& d) {
  std::string out = absl::StrCat("  reason: ", d.reason());
  if (!d.domain().empty()) absl::StrAppend(&out, " (", d.domain(), ")");
  for (const auto& [k, v] : d.metadata()) absl::StrAppend(&out, " ", k, "=", v);
  return out + "\n";
}

std::string Describe(const google::rpc::RetryInfo& d) {
  const auto& delay = d.retry_delay();
  return absl::StrCat("  retry after: ", delay.seconds() + delay.nanos() / 1e9,
                      " s\n");
}

std::string Describe(const google::rpc::PreconditionFailure& d) {
  std::string out;
  for (const auto& v : d.violations()) {
    absl::StrAppend(&out, "  precondition ", v.type(), " ", v.subject(), ": ",
                    v.description(), "\n");
  }
  return out;
}

std::string Describe(const google::rpc::QuotaFailure& d) {
  std::string out;
  for (const auto& v : d.violations()) {
    absl::StrAppend(&out, "  quota ", v.subject(), ": ", v.description(), "\n");
  }
  return out;
}

std::string Describe(const google::rpc::RequestInfo& d) {
  return absl::StrCat("  request id: ", d.request_id(), "\n");
}

std::string Describe(const google::rpc::ResourceInfo& d) {
  return absl::StrCat("  resource: ", d.resource_type(), " ", d.resource_name(),
                      d.description().empty() ? "" : ": ", d.description(),
                      "\n");
}

// Unpacks `any` as T and describes it; false if it holds another type.
template <typename T>
bool TryDescribe(const Any& any, std::string* out) {
  if (!any.Is<T>()) return false;
  T detail;
  if (!any.UnpackTo(&detail)) {
    absl::StrAppend(out, "  (undecodable ", any.type_url(), ")\n");
  } else {
    absl::StrAppend(out, Describe(detail));
  }
  return true;
}

std::string DescribeDetail(const Any& any) {
  std::string out;
  if (TryDescribe<google::rpc::BadRequest>(any, &out) ||
      TryDescribe<google::rpc::ErrorInfo>(any, &out) ||
      TryDescribe<google::rpc::RetryInfo>(any, &out) ||
      TryDescribe<google::rpc::PreconditionFailure>(any, &out) ||
      TryDescribe<google::rpc::QuotaFailure>(any, &out) ||
      TryDescribe<google::rpc::RequestInfo>(any, &out) ||
      TryDescribe<google::rpc::ResourceInfo>(any, &out)) {
    return out;
  }
  return absl::StrCat("  (detail of type ", any.type_url(), ")\n");
}

}  // namespace

std::string StatusCodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  int n = static_cast<int>(code);
  if (n >= 0 && n < static_cast<int>(std::size(kNames))) return kNames[n];
  return absl::StrCat("CODE(", n, ")");
}

std::string FormatRpcError(const grpc::Status& status,
                           const std::string& hint) {
  std::string out =
      absl::StrCat("error: ", StatusCodeName(status.error_code()), ": ",
                   hint.empty() ? status.error_message() : hint, "\n");
  if (status.error_details().empty()) return out;
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) {
    return out + "  (undecodable error details)\n";
  }
  for (const Any& detail : rich.details()) out += DescribeDetail(detail);
  return out;
}

}  // namespace resetd::cli
