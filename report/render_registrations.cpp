// Renders `sipscope registrations` rows as a table, JSON or CSV.
#include "report/render_registrations.hpp"

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/listing.hpp"

namespace sipscope::report {

std::string render_registrations_table(const std::vector<correlate::RegistrationRecord>& rows) {
  std::string out =
      "START                     USER             REGISTRANT       REGISTRAR        RESULT       "
      " CODE  EXPIRES  TRIES  401/407\n";
  for (const auto& r : rows) {
    out += format::shown_time(r.start_us) + "  ";
    out += listing::cell(r.user, 16) + " ";
    out += listing::cell(r.registrant_ip, 16) + " ";
    out += listing::cell(r.registrar_ip, 16) + " ";
    out += listing::cell(r.result, 12) + " ";
    out += listing::cell(r.final_code ? std::optional(std::to_string(*r.final_code)) : std::nullopt,
                         5) +
           " ";
    out += listing::cell(r.expires ? std::optional(std::to_string(*r.expires)) : std::nullopt, 8) +
           " ";
    out += listing::cell(std::to_string(r.attempts), 6) + " ";
    out += std::to_string(r.challenges) + "\n";
  }
  out += std::to_string(rows.size()) + " registration" + (rows.size() == 1 ? "" : "s") + "\n";
  return out;
}

std::string render_registrations_json(const std::vector<correlate::RegistrationRecord>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rows) {
    a.push_back({{"sip_call_id", r.sip_call_id},
                 {"user", listing::json_opt(r.user)},
                 {"aor", listing::json_opt(r.aor)},
                 {"contact", listing::json_opt(r.contact)},
                 {"registrant_ip", listing::json_opt(r.registrant_ip)},
                 {"registrar_ip", listing::json_opt(r.registrar_ip)},
                 {"transport", decode::transport_name(r.transport)},
                 {"start_us", r.start_us},
                 {"end_us", listing::json_opt(r.end_us)},
                 {"requested_expires", listing::json_opt(r.requested_expires)},
                 {"expires", listing::json_opt(r.expires)},
                 {"result", r.result},
                 {"final_code", listing::json_opt(r.final_code)},
                 {"final_reason", listing::json_opt(r.final_reason)},
                 {"attempts", r.attempts},
                 {"challenges", r.challenges},
                 {"response_ms", listing::json_opt(r.response_ms)}});
  }
  return listing::json_dump(a);
}

std::string render_registrations_csv(const std::vector<correlate::RegistrationRecord>& rows) {
  std::string out =
      "sip_call_id,user,aor,contact,registrant_ip,registrar_ip,transport,start_us,end_us,"
      "requested_expires,expires,result,final_code,final_reason,attempts,challenges,"
      "response_ms\r\n";
  for (const auto& r : rows) {
    listing::field(out, r.sip_call_id), out += ',';
    listing::opt(out, r.user), out += ',';
    listing::opt(out, r.aor), out += ',';
    listing::opt(out, r.contact), out += ',';
    listing::opt(out, r.registrant_ip), out += ',';
    listing::opt(out, r.registrar_ip), out += ',';
    listing::field(out, decode::transport_name(r.transport)), out += ',';
    out += std::to_string(r.start_us) + ',';
    listing::opt(out, r.end_us), out += ',';
    listing::opt(out, r.requested_expires), out += ',';
    listing::opt(out, r.expires), out += ',';
    listing::field(out, r.result), out += ',';
    listing::opt(out, r.final_code), out += ',';
    listing::opt(out, r.final_reason), out += ',';
    out += std::to_string(r.attempts) + ',' + std::to_string(r.challenges) + ',';
    listing::opt(out, r.response_ms);
    out += "\r\n";
  }
  return out;
}

}  // namespace sipscope::report
