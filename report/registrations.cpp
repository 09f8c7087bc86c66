#include "report/registrations.hpp"

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/sql.hpp"

namespace sipscope::report {

namespace {

template <typename T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// RFC 4180: quote a field that holds a comma, quote, CR or LF; double inner quotes.
void csv_field(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(v);
    return;
  }
  out += '"';
  for (const char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

template <typename T>
void csv_opt(std::string& out, const std::optional<T>& v) {
  if (!v) return;
  if constexpr (std::is_same_v<T, std::string>) {
    csv_field(out, *v);
  } else if constexpr (std::is_same_v<T, double>) {
    out += format::fixed(*v, 3);
  } else {
    out += std::to_string(*v);
  }
}

std::string cell(const std::optional<std::string>& v, size_t width) {
  std::string s = format::fit(format::terminal_safe(v ? *v : "-"), width);
  s.append(width > format::columns(s) ? width - format::columns(s) : 0, ' ');
  return s;
}

}  // namespace

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
  st.bind(1, f.result);
  st.bind(2, f.user);
  st.bind(3, f.call_id);
  st.bind(4, f.since_us);
  st.bind(5, f.until_us);
  st.bind(6, f.limit && *f.limit >= 0 ? *f.limit : int64_t{-1});
  std::vector<correlate::RegistrationRecord> out;
  while (st.step()) {
    correlate::RegistrationRecord r;
    r.sip_call_id = st.column_text(0);
    r.user = st.column_opt_text(1);
    r.aor = st.column_opt_text(2);
    r.contact = st.column_opt_text(3);
    r.registrant_ip = st.column_opt_text(4);
    r.registrar_ip = st.column_opt_text(5);
    r.transport = st.column_text(6);
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

std::string render_registrations_table(const std::vector<correlate::RegistrationRecord>& rows) {
  std::string out =
      "START                     USER             REGISTRANT       REGISTRAR        RESULT       "
      " CODE  EXPIRES  TRIES  401/407\n";
  for (const auto& r : rows) {
    out += format::iso_utc_ms(r.start_us) + "  ";
    out += cell(r.user, 16) + " ";
    out += cell(r.registrant_ip, 16) + " ";
    out += cell(r.registrar_ip, 16) + " ";
    out += cell(r.result, 12) + " ";
    out +=
        cell(r.final_code ? std::optional(std::to_string(*r.final_code)) : std::nullopt, 5) + " ";
    out += cell(r.expires ? std::optional(std::to_string(*r.expires)) : std::nullopt, 8) + " ";
    out += cell(std::to_string(r.attempts), 6) + " ";
    out += std::to_string(r.challenges) + "\n";
  }
  out += std::to_string(rows.size()) + " registration" + (rows.size() == 1 ? "" : "s") + "\n";
  return out;
}

std::string render_registrations_json(const std::vector<correlate::RegistrationRecord>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rows) {
    a.push_back({{"sip_call_id", r.sip_call_id},
                 {"user", opt(r.user)},
                 {"aor", opt(r.aor)},
                 {"contact", opt(r.contact)},
                 {"registrant_ip", opt(r.registrant_ip)},
                 {"registrar_ip", opt(r.registrar_ip)},
                 {"transport", r.transport},
                 {"start_us", r.start_us},
                 {"end_us", opt(r.end_us)},
                 {"requested_expires", opt(r.requested_expires)},
                 {"expires", opt(r.expires)},
                 {"result", r.result},
                 {"final_code", opt(r.final_code)},
                 {"final_reason", opt(r.final_reason)},
                 {"attempts", r.attempts},
                 {"challenges", r.challenges},
                 {"response_ms", opt(r.response_ms)}});
  }
  // Wire text may hold invalid UTF-8: replace rather than throw.
  return a.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_registrations_csv(const std::vector<correlate::RegistrationRecord>& rows) {
  std::string out =
      "sip_call_id,user,aor,contact,registrant_ip,registrar_ip,transport,start_us,end_us,"
      "requested_expires,expires,result,final_code,final_reason,attempts,challenges,"
      "response_ms\r\n";
  for (const auto& r : rows) {
    csv_field(out, r.sip_call_id), out += ',';
    csv_opt(out, r.user), out += ',';
    csv_opt(out, r.aor), out += ',';
    csv_opt(out, r.contact), out += ',';
    csv_opt(out, r.registrant_ip), out += ',';
    csv_opt(out, r.registrar_ip), out += ',';
    csv_field(out, r.transport), out += ',';
    out += std::to_string(r.start_us) + ',';
    csv_opt(out, r.end_us), out += ',';
    csv_opt(out, r.requested_expires), out += ',';
    csv_opt(out, r.expires), out += ',';
    csv_field(out, r.result), out += ',';
    csv_opt(out, r.final_code), out += ',';
    csv_opt(out, r.final_reason), out += ',';
    out += std::to_string(r.attempts) + ',' + std::to_string(r.challenges) + ',';
    csv_opt(out, r.response_ms);
    out += "\r\n";
  }
  return out;
}

}  // namespace sipscope::report
