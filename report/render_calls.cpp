// The calls listing as a terminal table, JSON and CSV (report/render_calls.hpp).
#include "report/render_calls.hpp"

#include <charconv>

#include "report/format.hpp"
#include "report/json.hpp"
#include "report/listing.hpp"

namespace sipscope::report {

namespace {

std::string or_dash(const std::optional<std::string>& v) {
  return v && !v->empty() ? format::terminal_safe(*v) : std::string("-");
}

// "ip:port", or the address alone when no message of the call gave its port.
std::string party(const std::optional<std::string>& ip, const std::optional<int>& port) {
  if (!ip) return "-";
  return format::terminal_safe(port ? format::endpoint(*ip, *port) : *ip);
}

}  // namespace

std::vector<store::CallListRow> call_rows(const std::vector<correlate::CallRecord>& calls) {
  std::vector<store::CallListRow> rows;
  rows.reserve(calls.size());
  for (const auto& c : calls) rows.push_back({c, {}, {}, {}, {}, {}});
  return rows;
}

void write_calls_table(std::ostream& out, const RowSource<store::CallListRow>& rows, bool wide) {
  // Local times carry their offset: "2026-12-07T19:00:00.000+01:00*" is 30 columns.
  std::vector<listing::TableColumn> columns = {
      {"id", 12, true},      {format::local_display() ? "start (local)" : "start (UTC)", 30, false},
      {"from", 24, false},   {"to", 24, false},
      {"caller", 24, false}, {"callee", 24, false},
      {"state", 12, false},  {"code", 4, true},
      {"pdd ms", 8, true},   {"dur s", 10, true},
      {"msgs", 6, true},     {"MOS", 5, true},
      {"loss %", 7, true},   {"Call-ID", 40, false},
  };
  bool mid_dialog = false;
  auto cells = [&mid_dialog](const store::CallListRow& r) {
    const auto& c = r.call;
    std::string start = "-";
    if (c.start_us) {
      start = format::shown_time(*c.start_us);
    } else if (r.first_seen_us) {
      start = format::shown_time(*r.first_seen_us) + "*";
      mid_dialog = true;
    }
    return std::vector<std::string>{
        std::to_string(c.id),
        start,
        or_dash(c.from_user ? c.from_user : c.from_uri),
        or_dash(c.to_user ? c.to_user : c.to_uri),
        party(c.caller_ip, r.caller_port),
        party(c.callee_ip, r.callee_port),
        std::string(correlate::call_state_name(c.state)),
        c.final_code ? std::to_string(*c.final_code) : "-",
        c.pdd_ms ? format::fixed(*c.pdd_ms, 0) : "-",
        c.duration_ms ? format::fixed(*c.duration_ms / 1000.0, 3) : "-",
        std::to_string(c.message_count),
        r.worst_mos ? format::fixed(*r.worst_mos, 2) : "-",
        r.loss_pct ? format::fixed(*r.loss_pct, 2) : "-",
        format::terminal_safe(c.sip_call_id),
    };
  };
  (void)listing::write_table(out, std::move(columns), wide, rows, cells);
  if (mid_dialog) out << "* first seen mid-dialog: the capture holds no initial INVITE\n";
}

std::string render_calls_table(const std::vector<store::CallListRow>& list, bool wide) {
  return listing::rendered(write_calls_table, list, wide);
}

void write_calls_json(std::ostream& out, const RowSource<store::CallListRow>& rows) {
  listing::write_json_array(out, rows, [](const store::CallListRow& r) {
    nlohmann::json j = r.call;
    j["caller_port"] = listing::json_opt(r.caller_port);
    j["callee_port"] = listing::json_opt(r.callee_port);
    j["first_seen_us"] = listing::json_opt(r.first_seen_us);
    j["mid_dialog"] = !r.call.start_us.has_value();
    j["worst_mos"] = listing::json_opt(r.worst_mos);
    j["loss_pct"] = listing::json_opt(r.loss_pct);
    return j;
  });
}

std::string render_calls_json(const std::vector<store::CallListRow>& rows) {
  return listing::rendered(write_calls_json, rows);
}

namespace {

template <typename T>
void csv_value(std::string& out, const std::optional<T>& v) {
  if (!v) return;  // NULL is the empty field
  if constexpr (std::is_same_v<T, std::string>) {
    listing::field(out, *v);
  } else {
    char buf[32];
    // Shortest text that reads back to the same value (also for the REAL columns).
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
    out.append(buf, ec == std::errc() ? end : buf);
  }
}

}  // namespace

void write_calls_csv(std::ostream& out, const RowSource<store::CallListRow>& rows) {
  out << "id,sip_call_id,group_id,from_user,to_user,from_uri,to_uri,caller_ip,callee_ip,"
         "transport,start_us,ring_us,answer_us,end_us,state,final_code,final_reason,hangup_by,"
         "pdd_ms,duration_ms,message_count,caller_port,callee_port,first_seen_us,worst_mos,"
         "loss_pct\r\n";
  std::string line;
  rows([&](const store::CallListRow& r) {
    const auto& c = r.call;
    line.clear();
    auto sep = [&line] { line += ','; };
    csv_value(line, std::optional<int64_t>(c.id)), sep();
    listing::field(line, c.sip_call_id), sep();
    csv_value(line, c.group_id), sep();
    csv_value(line, c.from_user), sep();
    csv_value(line, c.to_user), sep();
    csv_value(line, c.from_uri), sep();
    csv_value(line, c.to_uri), sep();
    csv_value(line, c.caller_ip), sep();
    csv_value(line, c.callee_ip), sep();
    listing::field(line, decode::transport_name(c.transport)), sep();
    csv_value(line, c.start_us), sep();
    csv_value(line, c.ring_us), sep();
    csv_value(line, c.answer_us), sep();
    csv_value(line, c.end_us), sep();
    listing::field(line, correlate::call_state_name(c.state)), sep();
    csv_value(line, c.final_code), sep();
    csv_value(line, c.final_reason), sep();
    csv_value(line, c.hangup_by ? std::optional(std::string(correlate::party_name(*c.hangup_by)))
                                : std::nullopt),
        sep();
    csv_value(line, c.pdd_ms), sep();
    csv_value(line, c.duration_ms), sep();
    csv_value(line, std::optional<int64_t>(c.message_count)), sep();
    csv_value(line, r.caller_port), sep();
    csv_value(line, r.callee_port), sep();
    csv_value(line, r.first_seen_us), sep();
    csv_value(line, r.worst_mos), sep();
    csv_value(line, r.loss_pct);
    line += "\r\n";
    out << line;
  });
}

std::string render_calls_csv(const std::vector<store::CallListRow>& rows) {
  return listing::rendered(write_calls_csv, rows);
}

}  // namespace sipscope::report
