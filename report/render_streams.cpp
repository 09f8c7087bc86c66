// Renders `sipscope streams` rows as a table, JSON or CSV.
#include "report/render_streams.hpp"

#include <optional>

#include <nlohmann/json.hpp>

#include "report/format.hpp"
#include "report/listing.hpp"

namespace sipscope::report {

namespace {

// lost / expected in percent; nullopt when either is unknown or nothing was expected.
std::optional<double> loss_pct(const store::StreamRow& s) {
  if (!s.lost || !s.expected || *s.expected <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(*s.lost) / static_cast<double>(*s.expected);
}

std::optional<std::string> fixed_or_null(const std::optional<double>& v, int decimals) {
  return v ? std::optional(format::fixed(*v, decimals)) : std::nullopt;
}

}  // namespace

void write_streams_table(std::ostream& out, const RowSource<store::StreamRow>& rows) {
  out << "SOURCE                 DESTINATION            SSRC        CODEC     PACKETS   LOST  "
         "LOSS%  JIT ms  MAX ms  MOS   CALL\n";
  size_t n = 0;
  std::string line;
  rows([&](const store::StreamRow& s) {
    line.clear();
    line += listing::cell(format::endpoint(s.src_ip, s.src_port), 22) + " ";
    line += listing::cell(format::endpoint(s.dst_ip, s.dst_port), 22) + " ";
    line += format::ssrc_hex(s.ssrc) + "  ";
    line += listing::cell(s.codec, 9) + " ";
    line += listing::cell(std::to_string(s.packets), 8) + " ";
    line += listing::cell(listing::text(s.lost), 6) + " ";
    line += listing::cell(fixed_or_null(loss_pct(s), 2), 6) + " ";
    line += listing::cell(fixed_or_null(s.jitter_mean_ms, 2), 7) + " ";
    line += listing::cell(fixed_or_null(s.jitter_max_ms, 2), 7) + " ";
    line += listing::cell(fixed_or_null(s.mos, 2), 5) + " ";
    line += (s.call_id ? std::to_string(*s.call_id) : "orphan") + "\n";
    out << line;
    ++n;
  });
  out << n << " stream" << (n == 1 ? "" : "s") << "\n";
}

void write_streams_json(std::ostream& out, const RowSource<store::StreamRow>& rows) {
  listing::write_json_array(out, rows, [](const store::StreamRow& s) {
    return nlohmann::json{{"id", s.id},
                          {"call_id", listing::json_opt(s.call_id)},
                          {"src_ip", s.src_ip},
                          {"src_port", s.src_port},
                          {"dst_ip", s.dst_ip},
                          {"dst_port", s.dst_port},
                          {"ssrc", format::ssrc_hex(s.ssrc)},
                          {"payload_type", listing::json_opt(s.payload_type)},
                          {"codec", listing::json_opt(s.codec)},
                          {"first_us", listing::json_opt(s.first_us)},
                          {"last_us", listing::json_opt(s.last_us)},
                          {"packets", s.packets},
                          {"expected", listing::json_opt(s.expected)},
                          {"lost", listing::json_opt(s.lost)},
                          {"loss_pct", listing::json_opt(loss_pct(s))},
                          {"jitter_mean_ms", listing::json_opt(s.jitter_mean_ms)},
                          {"jitter_max_ms", listing::json_opt(s.jitter_max_ms)},
                          {"mos", listing::json_opt(s.mos)},
                          {"mos_limited_by", listing::json_opt(s.mos_limited_by)}};
  });
}

void write_streams_csv(std::ostream& out, const RowSource<store::StreamRow>& rows) {
  out << "id,call_id,src_ip,src_port,dst_ip,dst_port,ssrc,payload_type,codec,first_us,last_us,"
         "packets,expected,lost,loss_pct,jitter_mean_ms,jitter_max_ms,mos,mos_limited_by\r\n";
  std::string line;
  rows([&](const store::StreamRow& s) {
    line = std::to_string(s.id) + ',';
    listing::opt(line, s.call_id), line += ',';
    listing::field(line, s.src_ip), line += ',' + std::to_string(s.src_port) + ',';
    listing::field(line, s.dst_ip), line += ',' + std::to_string(s.dst_port) + ',';
    line += format::ssrc_hex(s.ssrc) + ',';
    listing::opt(line, s.payload_type), line += ',';
    listing::opt(line, s.codec), line += ',';
    listing::opt(line, s.first_us), line += ',';
    listing::opt(line, s.last_us), line += ',';
    line += std::to_string(s.packets) + ',';
    listing::opt(line, s.expected), line += ',';
    listing::opt(line, s.lost), line += ',';
    listing::opt(line, loss_pct(s)), line += ',';
    listing::opt(line, s.jitter_mean_ms), line += ',';
    listing::opt(line, s.jitter_max_ms), line += ',';
    listing::opt(line, s.mos), line += ',';
    listing::opt(line, s.mos_limited_by);
    line += "\r\n";
    out << line;
  });
}

std::string render_streams_table(const std::vector<store::StreamRow>& rows) {
  return listing::rendered(write_streams_table, rows);
}

std::string render_streams_json(const std::vector<store::StreamRow>& rows) {
  return listing::rendered(write_streams_json, rows);
}

std::string render_streams_csv(const std::vector<store::StreamRow>& rows) {
  return listing::rendered(write_streams_csv, rows);
}

}  // namespace sipscope::report
