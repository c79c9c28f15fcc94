// The SQL of JobStore::ListJobs for the SQLite store: a SELECT of
// sqlite::kJobColumns matching a JobFilter, with its parameters.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "workflow/job_store.h"
#include "workflow/sqlite_db.h"

namespace resetd::workflow::sqlite {

struct JobQuery {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> args;  // ?1, ?2, ...

  // Binds every argument to `q` (prepared from `sql`).
  void Bind(Statement& q) const;
};

// Jobs matching `filter` (states, create time window, creator, scope: no
// target of the job, in table job_targets, outside every grant), newest
// first, one page.
JobQuery ListJobsQuery(const JobFilter& filter);

}  // namespace resetd::workflow::sqlite
