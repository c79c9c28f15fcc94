// Paging through a job's instance results (ListResetJobInstances).
#pragma once

#include <functional>

#include <grpcpp/grpcpp.h>

#include "cli/commands.h"

namespace resetd::cli {

// Fetches the pages of `request` one by one (each call with the common
// deadline) and hands each to `on_page` as it arrives; stops after
// `max_pages` pages (0: every page) or at the first failure, returning it.
grpc::Status ForEachInstancePage(
    Stub& stub, const CommonOptions& common,
    resetd::v1::ListResetJobInstancesRequest request,
    const std::function<void(const resetd::v1::ListResetJobInstancesResponse&)>&
        on_page,
    int max_pages = 0);

}  // namespace resetd::cli
