// Renders `sipscope anomalies` rows as a table, JSON or CSV (report/render_anomalies.hpp).
#include "report/render_anomalies.hpp"

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/listing.hpp"

namespace sipscope::report {

std::string render_anomalies_table(const std::vector<store::AnomalyRow>& rows, bool wide) {
  const std::vector<listing::TableColumn> columns = {
      {format::local_display() ? "time (local)" : "time (UTC)", 30, false},
      {"kind", 32, false},
      {"capture", 7, true},
      {"frame", 10, true},
      {"call", 10, true},
      {"flow", 48, false},
      {"detail", 0, false},
  };
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const auto& r : rows) {
    cells.push_back({r.ts_us ? format::shown_time(*r.ts_us) : "-", format::terminal_safe(r.kind),
                     std::to_string(r.capture_id), r.frame ? std::to_string(*r.frame) : "-",
                     r.call_id ? std::to_string(*r.call_id) : "-",
                     r.flow ? format::terminal_safe(*r.flow) : "-",
                     r.detail.empty() ? "-" : format::terminal_safe(r.detail)});
  }
  std::string out = listing::table(columns, std::move(cells), wide);
  out += std::to_string(rows.size()) + " anomal" + (rows.size() == 1 ? "y" : "ies") + "\n";
  return out;
}

std::string render_anomalies_json(const std::vector<store::AnomalyRow>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : rows) {
    a.push_back({{"id", r.id},
                 {"capture_id", r.capture_id},
                 {"frame", listing::json_opt(r.frame)},
                 {"ts_us", listing::json_opt(r.ts_us)},
                 {"time", r.ts_us ? nlohmann::json(format::iso_utc_ms(*r.ts_us)) : nullptr},
                 {"call_id", listing::json_opt(r.call_id)},
                 {"kind", r.kind},
                 {"flow", listing::json_opt(r.flow)},
                 {"detail", r.detail}});
  }
  return listing::json_dump(a);
}

std::string render_anomalies_csv(const std::vector<store::AnomalyRow>& rows) {
  std::string out = "id,capture_id,frame,ts_us,call_id,kind,flow,detail\r\n";
  for (const auto& r : rows) {
    out += std::to_string(r.id) + ',' + std::to_string(r.capture_id) + ',';
    listing::opt(out, r.frame), out += ',';
    listing::opt(out, r.ts_us), out += ',';
    listing::opt(out, r.call_id), out += ',';
    listing::field(out, r.kind), out += ',';
    listing::opt(out, r.flow), out += ',';
    listing::field(out, r.detail);
    out += "\r\n";
  }
  return out;
}

}  // namespace sipscope::report
