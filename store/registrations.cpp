// Reads `registrations` back for `sipscope registrations` (docs/schema.md).
#include "store/registrations.hpp"

#include "store/sql.hpp"

namespace sipscope::store {

std::vector<correlate::RegistrationRecord> list_registrations(const Database& db,
                                                              const RegistrationFilter& f) {
  static constexpr const char* kSql =
      "SELECT sip_call_id, user, aor, contact, registrant_ip, registrar_ip, transport, "
      "start_us, end_us, requested_expires, expires, result, final_code, final_reason, "
      "attempts, challenges, response_ms FROM registrations WHERE (?1 IS NULL OR result = ?1)"
      " AND (?2 IS NULL OR instr(lower(user), lower(?2)) > 0)"
      " AND (?3 IS NULL OR sip_call_id = ?3)"
      " AND (?4 IS NULL OR start_us >= ?4) AND (?5 IS NULL OR start_us < ?5)"
      " ORDER BY start_us, id LIMIT ?6";
  sql::Statement st(db.handle(), db.path(), kSql);
  st.bind_all(f.result, f.user, f.call_id, f.since_us, f.until_us,
              f.limit && *f.limit >= 0 ? *f.limit : int64_t{-1});
  std::vector<correlate::RegistrationRecord> out;
  while (st.step()) {
    correlate::RegistrationRecord r;
    r.sip_call_id = st.column_text(0);
    r.user = st.column_opt_text(1);
    r.aor = st.column_opt_text(2);
    r.contact = st.column_opt_text(3);
    r.registrant_ip = st.column_opt_text(4);
    r.registrar_ip = st.column_opt_text(5);
    r.transport = st.column_enum(6, decode::parse_transport);
    r.start_us = st.column_int64(7);
    r.end_us = st.column_opt_int64(8);
    r.requested_expires = st.column_opt_int64(9);
    r.expires = st.column_opt_int64(10);
    r.result = st.column_text(11);
    r.final_code = st.column_opt_int(12);
    r.final_reason = st.column_opt_text(13);
    r.attempts = st.column_int64(14);
    r.challenges = st.column_int64(15);
    r.response_ms = st.column_opt_double(16);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sipscope::store
