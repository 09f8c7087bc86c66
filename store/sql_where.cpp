// WHERE clauses of the filters that are set, bound in order (sql_where.hpp).
#include "store/sql_where.hpp"

#include <utility>

#include "store/sql.hpp"

namespace sipscope::store::sql {

void Where::add(std::string_view condition, std::vector<Value> values) {
  text_ += text_.empty() ? " WHERE (" : " AND (";
  text_ += condition;
  text_ += ')';
  for (auto& v : values) values_.push_back(std::move(v));
}

int Where::bind(Statement& st) const {
  int index = 0;
  for (const auto& v : values_) {
    std::visit([&](const auto& x) { st.bind(++index, x); }, v);
  }
  return index + 1;
}

}  // namespace sipscope::store::sql
