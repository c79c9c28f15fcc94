// The SQLite store's file format: its pragmas and its versioned schema.
// Opening a store applies the pragmas, then every pending migration in one
// transaction. Released migrations are never edited; a change is a new one.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "workflow/sqlite_db.h"

namespace resetd::workflow {

// Applies the store's pragmas (exclusive locking, WAL, synchronous=FULL,
// foreign keys, secure_delete) and migrates `db` to the latest schema.
// kFailedPrecondition when another process holds the file or its schema is
// newer than this resetd's; kInternal when a migration fails.
absl::Status PrepareSqliteSchema(sqlite::Db& db, const std::string& path);

}  // namespace resetd::workflow
