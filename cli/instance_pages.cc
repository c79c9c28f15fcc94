#include "cli/instance_pages.h"

namespace resetd::cli {

grpc::Status ForEachInstancePage(
    Stub& stub, const CommonOptions& common,
    resetd::v1::ListResetJobInstancesRequest request,
    const std::function<void(const resetd::v1::ListResetJobInstancesResponse&)>&
        on_page,
    int max_pages) {
  for (int pages = 0; max_pages == 0 || pages < max_pages; ++pages) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + common.timeout);
    resetd::v1::ListResetJobInstancesResponse page;
    grpc::Status status =
        stub.ListResetJobInstances(&context, request, &page);
    if (!status.ok()) return status;
    on_page(page);
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return grpc::Status::OK;
}

}  // namespace resetd::cli
