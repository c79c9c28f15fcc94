#include "workflow/sqlite_db.h"

namespace resetd::workflow::sqlite {

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::BindInt(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                      SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view value) {
  // A zero-length blob must still be a blob, not NULL.
  sqlite3_bind_blob64(stmt_, index, value.empty() ? "" : value.data(),
                      value.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return absl::InternalError(std::string("sqlite: ") +
                             sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

absl::Status Statement::Run() {
  while (true) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text), n);
}

std::string Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr) return std::string();
  return std::string(static_cast<const char*>(blob), n);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int Statement::ExtendedErrorCode() const {
  return sqlite3_extended_errcode(sqlite3_db_handle(stmt_));
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  // NOMUTEX: the owner serialises every use of the connection.
  const int rc = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return absl::InternalError("sqlite: cannot open " + path + ": " + message);
  }
  sqlite3_extended_result_codes(raw, 1);
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

absl::StatusOr<Statement> Db::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Statement(it->second);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt,
                         nullptr) != SQLITE_OK) {
    return Error("prepare");
  }
  cache_.emplace(sql, stmt);
  return Statement(stmt);
}

absl::Status Db::Exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) {
    return absl::OkStatus();
  }
  std::string text = message ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  return absl::InternalError("sqlite: " + text);
}

absl::StatusOr<std::string> Db::QueryText(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::string();
  return stmt->Text(0);
}

absl::Status Db::Error(std::string_view what) const {
  return absl::InternalError("sqlite: " + std::string(what) + ": " +
                             sqlite3_errmsg(db_));
}

Transaction::Transaction(Db& db) : db_(db) {
  begun_ = db_.Exec("BEGIN IMMEDIATE");
  open_ = begun_.ok();
}

Transaction::~Transaction() {
  if (open_) db_.Exec("ROLLBACK").IgnoreError();
}

absl::Status Transaction::Commit() {
  if (!open_) return begun_.ok() ? absl::InternalError("not open") : begun_;
  absl::Status s = db_.Exec("COMMIT");
  // A failed COMMIT (e.g. SQLITE_FULL) may leave the transaction open:
  // let the destructor roll it back.
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace resetd::workflow::sqlite
