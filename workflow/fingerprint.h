// Request fingerprints for idempotency: "same request_id, same content"
// must be recognised across restarts, password included, without storing
// anything from which the password could be recovered offline.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/secret.h"
#include "resetd/v1/reset_service.pb.h"

namespace resetd::workflow {

// Thread-safe.
class Fingerprinter {
 public:
  virtual ~Fingerprinter() = default;
  // The fingerprint of `spec` (its password field empty) with `password`.
  virtual absl::StatusOr<std::string> Fingerprint(
      const resetd::v1::CreateResetJobRequest& spec,
      const Secret& password) const = 0;
  // Whether `fingerprint` (from Fingerprint, possibly under an older key)
  // is that of `spec` with `password`. kDataLoss if its key is unknown.
  virtual absl::StatusOr<bool> Matches(
      const std::string& fingerprint,
      const resetd::v1::CreateResetJobRequest& spec,
      const Secret& password) const = 0;
};

// mac(key_id, data): HMAC-SHA256 under the key `key_id` (kDataLoss when
// unknown). Fingerprints are "key_id:hex", made under `current_key_id`.
using MacFunction =
    std::function<absl::StatusOr<std::string>(const std::string& key_id,
                                              const std::string& data)>;
std::shared_ptr<const Fingerprinter> NewMacFingerprinter(
    std::string current_key_id, MacFunction mac);

// Under a random key that lives as long as the process (in-memory stores).
std::shared_ptr<const Fingerprinter> NewEphemeralFingerprinter();

}  // namespace resetd::workflow
