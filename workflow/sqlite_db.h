// A small RAII layer over one SQLite connection: cached prepared statements,
// typed binding and reading, transactions. Used by the SQLite job store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace resetd::workflow::sqlite {

// A prepared statement borrowed from a Db's cache. Binding indexes and
// column indexes are as in SQLite (bind from 1, columns from 0). Resets the
// statement and clears its bindings when destroyed, ready for reuse.
// Not thread-safe: used under the Db owner's lock.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  ~Statement();

  // Bind the parameter ?`index` (from 1) and return *this for chaining. A
  // bad index or value is not reported here: the next Step() fails.
  // Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& BindInt(int index, int64_t value);
  Statement& BindText(int index, std::string_view value);
  Statement& BindBlob(int index, std::string_view value);
  Statement& BindNull(int index);

  // Advances: true if a row is available, false when done. kInternal with
  // SQLite's message on failure; constraint violations keep their extended
  // code retrievable through ExtendedErrorCode().
  absl::StatusOr<bool> Step();
  // Steps to completion (for statements without result rows).
  absl::Status Run();

  // Column `column` (from 0) of the current row, after Step() returned
  // true. NULL reads as 0 or empty; IsNull tells them apart.
  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;
  bool IsNull(int column) const;

  // The extended result code of the last failed Step.
  int ExtendedErrorCode() const;

 private:
  sqlite3_stmt* stmt_;
};

// One connection. Not thread-safe: its owner serialises access.
class Db {
 public:
  // Opens (creating if needed) the file at `path`. kInternal on failure.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // The statement for `sql`, compiled once and cached for the Db's life.
  // kInternal (with SQLite's message) if it does not compile.
  absl::StatusOr<Statement> Prepare(const std::string& sql);

  // Runs one or more statements that return no rows of interest.
  absl::Status Exec(const std::string& sql);

  // The single-value result of `sql` (e.g. a PRAGMA) as text.
  absl::StatusOr<std::string> QueryText(const std::string& sql);

  // kInternal: "`what`: <sqlite3_errmsg>".
  absl::Status Error(std::string_view what) const;

  // Rows changed by the last INSERT/UPDATE/DELETE.
  int Changes() const { return sqlite3_changes(db_); }

  // The connection, for SQLite calls this class does not wrap (pragmas,
  // error codes). Owned by this Db.
  sqlite3* raw() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE on construction (so a writer takes the lock up front and
// never fails midway on a busy database); ROLLBACK on destruction unless
// Commit() succeeded. Check status() before use.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // OK if BEGIN IMMEDIATE succeeded; otherwise the transaction is not open
  // and nothing must be written under it.
  const absl::Status& status() const { return begun_; }
  // COMMIT. On failure (kInternal) the destructor rolls back.
  absl::Status Commit();

 private:
  Db& db_;
  absl::Status begun_;
  bool open_ = false;
};

}  // namespace resetd::workflow::sqlite
