#include "workflow/sqlite_list_query.h"

#include <algorithm>
#include <utility>

#include "workflow/sqlite_records.h"

namespace resetd::workflow::sqlite {

namespace {

// Accumulates " AND "-joined conditions and numbered parameters.
class Where {
 public:
  explicit Where(JobQuery& q) : q_(q) {}

  std::string Param(std::variant<int64_t, std::string> value) {
    q_.args.push_back(std::move(value));
    return "?" + std::to_string(q_.args.size());
  }
  void Add(const std::string& condition) {
    text_ += (text_.empty() ? "" : " AND ") + condition;
  }
  // "column IN (?a, ?b, ...)" over `values` (not empty).
  template <typename T>
  std::string In(const std::string& column, const std::vector<T>& values) {
    std::string out = column + " IN (";
    for (size_t i = 0; i < values.size(); ++i) {
      out += (i ? ", " : "") + Param(values[i]);
    }
    return out + ")";
  }
  const std::string& text() const { return text_; }

 private:
  JobQuery& q_;
  std::string text_;
};

// A target row t covered by `grant`.
std::string GrantSql(const ScopeGrant& grant, Where& where) {
  std::string out = "1";
  if (!grant.providers.empty())
    out += " AND " + where.In("t.provider", grant.providers);
  if (!grant.regions.empty())
    out += " AND " + where.In("t.region", grant.regions);
  return "(" + out + ")";
}

std::string ScopeSql(const std::vector<ScopeGrant>& grants, Where& where) {
  std::string any = "0";
  for (const ScopeGrant& g : grants) any += " OR " + GrantSql(g, where);
  return "NOT EXISTS (SELECT 1 FROM job_targets t WHERE t.job_id = "
         "jobs.job_id AND NOT (" +
         any + "))";
}

}  // namespace

void JobQuery::Bind(Statement& q) const {
  for (size_t i = 0; i < args.size(); ++i) {
    if (const auto* n = std::get_if<int64_t>(&args[i])) {
      q.BindInt(static_cast<int>(i + 1), *n);
    } else {
      q.BindText(static_cast<int>(i + 1), std::get<std::string>(args[i]));
    }
  }
}

JobQuery ListJobsQuery(const JobFilter& filter) {
  JobQuery query;
  Where where(query);
  if (!filter.states.empty()) {
    std::vector<int64_t> states(filter.states.begin(), filter.states.end());
    where.Add(where.In("state", states));
  }
  if (filter.created_after) {
    where.Add("create_time_ns >= " + where.Param(Nanos(*filter.created_after)));
  }
  if (filter.created_before) {
    where.Add("create_time_ns < " + where.Param(Nanos(*filter.created_before)));
  }
  if (!filter.creator.empty()) {
    where.Add("creator = " + where.Param(filter.creator));
  }
  if (filter.scope) where.Add(ScopeSql(*filter.scope, where));
  query.sql = std::string("SELECT ") + kJobColumns + " FROM jobs";
  if (!where.text().empty()) query.sql += " WHERE " + where.text();
  query.sql += " ORDER BY create_time_ns DESC, job_id DESC LIMIT " +
               where.Param(int64_t{filter.limit});
  query.sql += " OFFSET " + where.Param(int64_t{std::max(0, filter.offset)});
  return query;
}

}  // namespace resetd::workflow::sqlite
