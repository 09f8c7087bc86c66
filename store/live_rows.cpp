// Live capture's write-then-replace rows: the transactions, dialogs and diagnostics of open
// calls, stored each tick and replaced by the next tick's or by the call's final rows.
#include <sqlite3.h>

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace sipscope::store {

struct Store::LiveRows {
  enum Table : uint8_t { kTransactions, kDialogs, kDiagnostics };
  explicit LiveRows(const Impl& s)
      : remove{sql::Statement(s.db, s.path, "DELETE FROM transactions WHERE id = ?1"),
               sql::Statement(s.db, s.path, "DELETE FROM dialogs WHERE id = ?1"),
               sql::Statement(s.db, s.path, "DELETE FROM diagnostics WHERE id = ?1")} {}
  sql::Statement remove[3];
  // Open call -> the rows stored for it (table, id); gone with its final rows.
  std::unordered_map<int64_t, std::vector<std::pair<Table, int64_t>>> rows;
};

void Store::forget_open_call_rows(int64_t call_id) {
  if (!live_rows_) return;
  const auto it = live_rows_->rows.find(call_id);
  if (it == live_rows_->rows.end()) return;
  Impl& s = *impl_;
  s.check_open();
  s.begin_if_needed();
  for (const auto& [table, id] : it->second) {
    sql::Statement& st = live_rows_->remove[table];
    st.bind(1, id);
    st.run();
  }
  live_rows_->rows.erase(it);
}

void Store::replace_open_call_rows(const correlate::OpenCallRows& open) {
  impl_->check_open();
  if (!live_rows_) live_rows_ = std::make_shared<LiveRows>(*impl_);
  const int64_t call_id = open.row.id;
  forget_open_call_rows(call_id);
  if (open.transactions.empty() && open.dialogs.empty() && open.diagnostics.empty()) return;
  auto& ids = live_rows_->rows[call_id];
  const auto stored = [&](LiveRows::Table table) {
    ids.emplace_back(table, sqlite3_last_insert_rowid(impl_->db));
  };
  for (const auto& t : open.transactions) {
    on_transaction(t);
    stored(LiveRows::kTransactions);
  }
  for (const auto& d : open.dialogs) {
    on_dialog(d);
    stored(LiveRows::kDialogs);
  }
  for (const auto& d : open.diagnostics) {
    on_diagnostic(d);
    stored(LiveRows::kDiagnostics);
  }
}

}  // namespace sipscope::store
