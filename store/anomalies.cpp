// Reads `anomalies` back for `sipscope anomalies` (store/anomalies.hpp).
#include "store/anomalies.hpp"

#include <algorithm>

#include "store/sql.hpp"

namespace sipscope::store {

void for_each_anomaly(const Database& db, const AnomalyFilter& f,
                      const std::function<void(const AnomalyRow&)>& visit) {
  sql::Statement st(db.handle(), db.path(),
                    "SELECT id, capture_id, call_id, ts_us, kind, detail, frame, flow"
                    " FROM anomalies WHERE (?1 IS NULL OR kind = ?1)"
                    " AND (?2 IS NULL OR ts_us >= ?2) AND (?3 IS NULL OR ts_us < ?3)"
                    " ORDER BY ts_us IS NULL, ts_us, id");
  st.bind_all(f.kind, f.since_us, f.until_us);
  const int64_t limit = f.limit && *f.limit >= 0 ? *f.limit : int64_t{-1};
  int64_t count = 0;
  while (st.step()) {
    if (limit >= 0 && count >= limit) break;
    AnomalyRow r;
    r.id = st.column_int64(0);
    r.capture_id = static_cast<uint32_t>(st.column_int64(1));
    r.call_id = st.column_opt_int64(2);
    if (f.call_ids && (!r.call_id || std::find(f.call_ids->begin(), f.call_ids->end(),
                                               *r.call_id) == f.call_ids->end())) {
      continue;
    }
    r.ts_us = st.column_opt_int64(3);
    r.kind = st.column_text(4);
    r.detail = st.column_text(5);
    r.frame = st.column_opt_int64(6);
    r.flow = st.column_opt_text(7);
    ++count;
    visit(r);
  }
}

std::vector<AnomalyRow> list_anomalies(const Database& db, const AnomalyFilter& f) {
  std::vector<AnomalyRow> out;
  for_each_anomaly(db, f, [&out](const AnomalyRow& r) { out.push_back(r); });
  return out;
}

}  // namespace sipscope::store
