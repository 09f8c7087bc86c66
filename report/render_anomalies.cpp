// Renders `sipscope anomalies` rows as a table, JSON or CSV (report/render_anomalies.hpp).
#include "report/render_anomalies.hpp"

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/listing.hpp"

namespace sipscope::report {

void write_anomalies_table(std::ostream& out, const RowSource<store::AnomalyRow>& rows, bool wide) {
  std::vector<listing::TableColumn> columns = {
      {format::local_display() ? "time (local)" : "time (UTC)", 30, false},
      {"kind", 32, false},
      {"capture", 7, true},
      {"frame", 10, true},
      {"call", 10, true},
      {"flow", 48, false},
      {"detail", 0, false},
  };
  const size_t n = listing::write_table(out, std::move(columns), wide, rows, [](const auto& r) {
    return std::vector<std::string>{r.ts_us ? format::shown_time(*r.ts_us) : "-",
                                    format::terminal_safe(r.kind),
                                    std::to_string(r.capture_id),
                                    r.frame ? std::to_string(*r.frame) : "-",
                                    r.call_id ? std::to_string(*r.call_id) : "-",
                                    r.flow ? format::terminal_safe(*r.flow) : "-",
                                    r.detail.empty() ? "-" : format::terminal_safe(r.detail)};
  });
  out << n << " anomal" << (n == 1 ? "y" : "ies") << "\n";
}

void write_anomalies_json(std::ostream& out, const RowSource<store::AnomalyRow>& rows) {
  listing::write_json_array(out, rows, [](const store::AnomalyRow& r) {
    return nlohmann::json{
        {"id", r.id},
        {"capture_id", r.capture_id},
        {"frame", listing::json_opt(r.frame)},
        {"ts_us", listing::json_opt(r.ts_us)},
        {"time", r.ts_us ? nlohmann::json(format::iso_utc_ms(*r.ts_us)) : nullptr},
        {"call_id", listing::json_opt(r.call_id)},
        {"kind", r.kind},
        {"flow", listing::json_opt(r.flow)},
        {"detail", r.detail}};
  });
}

void write_anomalies_csv(std::ostream& out, const RowSource<store::AnomalyRow>& rows) {
  out << "id,capture_id,frame,ts_us,call_id,kind,flow,detail\r\n";
  std::string line;
  rows([&](const store::AnomalyRow& r) {
    line = std::to_string(r.id) + ',' + std::to_string(r.capture_id) + ',';
    listing::opt(line, r.frame), line += ',';
    listing::opt(line, r.ts_us), line += ',';
    listing::opt(line, r.call_id), line += ',';
    listing::field(line, r.kind), line += ',';
    listing::opt(line, r.flow), line += ',';
    listing::field(line, r.detail);
    line += "\r\n";
    out << line;
  });
}

std::string render_anomalies_table(const std::vector<store::AnomalyRow>& rows, bool wide) {
  return listing::rendered(write_anomalies_table, rows, wide);
}

std::string render_anomalies_json(const std::vector<store::AnomalyRow>& rows) {
  return listing::rendered(write_anomalies_json, rows);
}

std::string render_anomalies_csv(const std::vector<store::AnomalyRow>& rows) {
  return listing::rendered(write_anomalies_csv, rows);
}

}  // namespace sipscope::report
