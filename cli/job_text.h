// Human-readable text for jobs, instances and their enums. Pure; thread-safe.
#pragma once

#include <string>

#include "google/protobuf/timestamp.pb.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::cli {

// Enum names without their type prefix: JOB_STATE_PARTIALLY_FAILED →
// "PARTIALLY_FAILED". Unknown numbers render as the number.
std::string ShortName(resetd::v1::JobState state);
std::string ShortName(resetd::v1::InstanceState state);
std::string ShortName(resetd::v1::PowerState state);
std::string ShortName(resetd::v1::StopMode mode);
std::string ShortName(resetd::v1::PowerPolicy policy);
std::string ShortName(resetd::v1::OsType os);
std::string ShortName(resetd::v1::PasswordKind kind);
std::string ShortName(resetd::v1::OnConflict mode);

// What is known of an instance's reset: "verified", "applied, unverifiable"
// (the provider neither checks nor reports it: Huawei ECS), or "-" when no
// reset was accepted (yet).
std::string VerificationText(resetd::v1::ResetVerification verification);

// True for SUCCEEDED, PARTIALLY_FAILED, FAILED and CANCELLED.
bool IsTerminal(resetd::v1::JobState state);

// RFC 3339 in UTC, or "-" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);

// A job as "key  value" lines: id, request id, state, times, options
// (password kind included), counts, and (when present) targets with their
// instance counts.
std::string RenderJob(const resetd::v1::ResetJob& job);

// One line per instance: id, provider, region, state, original and final
// power state, reset verification (VerificationText), phase, provider error
// code. Starts with a header row when `header` (a page after the first of
// a listing has none).
std::string RenderInstances(
    const google::protobuf::RepeatedPtrField<resetd::v1::InstanceResult>&
        instances,
    bool header = true);

// The FULL view's failures by provider and error code, most frequent
// first; "" when there are none.
std::string RenderFailureCounts(const resetd::v1::ResetJob& job);

// A table of jobs (id, state, total, ok, failed, created, dry run), with a
// header row; "no jobs\n" if empty.
std::string RenderJobList(const resetd::v1::ListResetJobsResponse& page);

}  // namespace resetd::cli
