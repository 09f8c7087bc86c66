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

std::string render_streams_table(const std::vector<store::StreamRow>& rows) {
  std::string out =
      "SOURCE                 DESTINATION            SSRC        CODEC     PACKETS   LOST  "
      "LOSS%  JIT ms  MAX ms  MOS   CALL\n";
  for (const auto& s : rows) {
    out += listing::cell(format::endpoint(s.src_ip, s.src_port), 22) + " ";
    out += listing::cell(format::endpoint(s.dst_ip, s.dst_port), 22) + " ";
    out += format::ssrc_hex(s.ssrc) + "  ";
    out += listing::cell(s.codec, 9) + " ";
    out += listing::cell(std::to_string(s.packets), 8) + " ";
    out += listing::cell(listing::text(s.lost), 6) + " ";
    out += listing::cell(fixed_or_null(loss_pct(s), 2), 6) + " ";
    out += listing::cell(fixed_or_null(s.jitter_mean_ms, 2), 7) + " ";
    out += listing::cell(fixed_or_null(s.jitter_max_ms, 2), 7) + " ";
    out += listing::cell(fixed_or_null(s.mos, 2), 5) + " ";
    out += (s.call_id ? std::to_string(*s.call_id) : "orphan") + "\n";
  }
  out += std::to_string(rows.size()) + " stream" + (rows.size() == 1 ? "" : "s") + "\n";
  return out;
}

std::string render_streams_json(const std::vector<store::StreamRow>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& s : rows) {
    a.push_back({{"id", s.id},
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
                 {"mos_limited_by", listing::json_opt(s.mos_limited_by)}});
  }
  return listing::json_dump(a);
}

std::string render_streams_csv(const std::vector<store::StreamRow>& rows) {
  std::string out =
      "id,call_id,src_ip,src_port,dst_ip,dst_port,ssrc,payload_type,codec,first_us,last_us,"
      "packets,expected,lost,loss_pct,jitter_mean_ms,jitter_max_ms,mos,mos_limited_by\r\n";
  for (const auto& s : rows) {
    out += std::to_string(s.id) + ',';
    listing::opt(out, s.call_id), out += ',';
    listing::field(out, s.src_ip), out += ',' + std::to_string(s.src_port) + ',';
    listing::field(out, s.dst_ip), out += ',' + std::to_string(s.dst_port) + ',';
    out += format::ssrc_hex(s.ssrc) + ',';
    listing::opt(out, s.payload_type), out += ',';
    listing::opt(out, s.codec), out += ',';
    listing::opt(out, s.first_us), out += ',';
    listing::opt(out, s.last_us), out += ',';
    out += std::to_string(s.packets) + ',';
    listing::opt(out, s.expected), out += ',';
    listing::opt(out, s.lost), out += ',';
    listing::opt(out, loss_pct(s)), out += ',';
    listing::opt(out, s.jitter_mean_ms), out += ',';
    listing::opt(out, s.jitter_max_ms), out += ',';
    listing::opt(out, s.mos), out += ',';
    listing::opt(out, s.mos_limited_by);
    out += "\r\n";
  }
  return out;
}

}  // namespace sipscope::report
