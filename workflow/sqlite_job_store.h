// The durable JobStore: one SQLite file in WAL mode, passwords sealed with
// AES-256-GCM under a Keyring.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "workflow/job_store.h"
#include "workflow/keyring.h"
#include "workflow/sqlite_db.h"

namespace resetd::workflow {

// Opens (creating if needed) the store at `path` and brings its schema up
// to date, each pending migration in its own transaction. Every write is
// committed with synchronous=FULL: on disk, surviving power loss, when the
// call returns. The file is locked for this process until the store is
// destroyed (locking_mode=EXCLUSIVE): a second store on the same file, in
// this or another process, fails to open rather than run the same jobs
// twice.
//
// Passwords are sealed under the keyring's current key with the job id as
// associated data; only ciphertext and key id reach the file. Reading a
// password sealed under a key the keyring lacks, or that does not
// authenticate, is kDataLoss naming the job and key id.
//
// Errors: kFailedPrecondition if the file's schema is newer than this
// build knows or the file is locked by another store; kInternal (with
// SQLite's message) if it cannot be opened or migrated. The returned store
// is thread-safe (one connection behind a mutex).
absl::StatusOr<std::unique_ptr<JobStore>> NewSqliteJobStore(
    const std::string& path, std::shared_ptr<const Keyring> keyring);

namespace internal {
// One step of the schema's history. Versions are 1, 2, ... in order; a
// released migration is never edited, only followed by new ones.
struct SqliteMigration {
  int version;
  const char* description;
  const char* sql;
  // Run after `sql` in the same transaction, for what SQL cannot do (e.g.
  // read protobuf blobs); null = none.
  absl::Status (*backfill)(sqlite::Db& db) = nullptr;
};
// Every migration, oldest first (exposed for tests that build old files).
absl::Span<const SqliteMigration> SqliteMigrations();
}  // namespace internal

}  // namespace resetd::workflow
