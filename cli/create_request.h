// Building the CreateResetJobRequest of `resetctl create` from its flags or
// a job file. The password is not part of this: it is added right before
// sending. Thread-safe (reads files only).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::cli {

// The flags of `resetctl create`, as given (unset = not given).
struct CreateFlags {
  std::optional<std::string> file;            // --file job.yaml|job.json
  std::optional<std::string> provider;        // --provider
  std::optional<std::string> region;          // --region
  std::optional<std::string> instances;       // --instances id1,id2
  std::optional<std::string> instances_file;  // --instances-file FILE
  std::optional<std::string> os;              // --os linux|windows
  std::optional<std::string> username;        // --username
  std::optional<std::string> stop_mode;       // --stop-mode
  std::optional<std::string> power_policy;    // --power-policy
  std::optional<std::string> password_kind;   // --password-kind login|vnc
  std::optional<std::string> on_conflict;     // --on-conflict reject|wait|skip
  std::optional<int> max_unavailable;         // --max-unavailable
  bool dry_run = false;                       // --dry-run
  std::optional<std::string> request_id;      // --request-id
};

// Builds the request. With `file`, the targets come from the job file and the
// target flags (--provider, --region, --instances, --instances-file, --os) are
// refused; the option flags (--username, --stop-mode, --power-policy,
// --password-kind, --max-unavailable, --dry-run, --request-id) override the
// file's values.
// Without `file`, --provider, --region and exactly one of --instances /
// --instances-file are required. A missing request id gets NewRequestId().
// Returns INVALID_ARGUMENT with an operator-facing message on bad input.
absl::StatusOr<resetd::v1::CreateResetJobRequest> BuildCreateRequest(
    const CreateFlags& flags);

}  // namespace resetd::cli
