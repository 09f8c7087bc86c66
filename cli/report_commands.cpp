#include "cli/report_commands.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "capture/pcap_reader.hpp"
#include "cli/evidence.hpp"
#include "cli/output.hpp"
#include "cli/safe_output.hpp"
#include "decode/ip.hpp"
#include "decode/link.hpp"
#include "export/pcap_slice.hpp"
#include "export/redact.hpp"
#include "report/render_stats.hpp"
#include "store/sql.hpp"

namespace sipscope::cli {

namespace {

CommandSpec calls_spec_with_targets(std::string name, std::string usage, std::string description) {
  CommandSpec spec{std::move(name),           std::move(usage),
                   std::move(description),    po::options_description("Options"),
                   po::options_description(), {}};
  spec.hidden.add_options()("call", po::value<std::vector<std::string>>(), "CALL");
  spec.positional.add("call", -1);
  return spec;
}

// CALL arguments -> call ids (docs/cli.md: digits = calls.id, else a Call-ID); with_legs adds
// the linked legs. Empty `missing` when every argument matched.
std::vector<int64_t> resolve_all(const store::Database& db, const std::vector<std::string>& args,
                                 bool with_legs, std::string& missing) {
  std::vector<int64_t> ids;
  for (const auto& a : args) {
    const auto r = store::resolve_call(db, a);
    if (r.empty() && missing.empty()) missing = a;
    for (int64_t id : r) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  if (with_legs) ids = store::with_linked_calls(db, ids);
  return ids;
}

// Calls sharing a group_id (legs of one call) share one ladder; others get their own.
std::vector<report::Ladder> ladders_for(const store::Database& db,
                                        const std::vector<int64_t>& ids) {
  std::vector<std::vector<int64_t>> groups;
  std::map<int64_t, size_t> group_index;
  for (int64_t id : ids) {
    const auto call = store::get_call(db, id);
    if (!call) continue;
    if (call->group_id) {
      auto [it, inserted] = group_index.try_emplace(*call->group_id, groups.size());
      if (inserted) groups.emplace_back();
      groups[it->second].push_back(id);
    } else {
      groups.push_back({id});
    }
  }
  std::vector<report::Ladder> out;
  out.reserve(groups.size());
  for (const auto& g : groups) out.push_back(report::build_ladder(db, g));
  return out;
}

std::optional<double> opt_double(const po::variables_map& vm, const char* name) {
  if (vm.count(name) == 0U) return std::nullopt;
  return vm[name].as<double>();
}

struct Tuple {
  std::string src, dst;
  int sport = 0, dport = 0;
  auto operator<=>(const Tuple&) const = default;
};

struct MediaWindow {
  int64_t from_us = 0, to_us = 0;
};

struct Picked {
  uint32_t capture_id = 0;
  uint64_t number = 0;
  export_::SliceFrame frame;
};

// A messages.frames list that reached decode::kMaxMessageFrames: the pieces between its
// last two entries were not listed (decode/frame.hpp keeps the first pieces and the
// completing frame without allocating). export takes every frame in that range that
// belongs to the completing frame's flow.
struct FrameGap {
  uint32_t capture_id = 0;
  uint64_t after = 0, completing = 0;
};

// Outermost flow of a frame: addresses and protocol, plus the ports of an unfragmented
// UDP/TCP packet or the identification of an IP fragment. "" when it is not IP.
std::string outer_flow(const decode::Frame& f) {
  decode::LinkLayer link;
  decode::IpPacket ip;
  if (decode::decode_link(f.link_type, f.data, link) != decode::LinkError::ok ||
      decode::decode_ip(link.payload, ip) != decode::IpError::ok) {
    return {};
  }
  std::string key =
      ip.src.to_string() + ">" + ip.dst.to_string() + "/" + std::to_string(ip.protocol);
  if (ip.fragment) return key + "#" + std::to_string(ip.fragment_id);
  if ((ip.protocol == 6 || ip.protocol == 17) && ip.payload.size() >= 4) {
    // Appended piece by piece: GCC 12 flags `":" + std::string&&` (-Wrestrict, a false
    // positive of the inlined memcpy), and this builds no temporaries either.
    key += ':';
    key += std::to_string(ip.payload[0] << 8 | ip.payload[1]);
    key += '>';
    key += std::to_string(ip.payload[2] << 8 | ip.payload[3]);
  }
  return key;
}

// The TCP connection of a frame (outermost IP + TCP ports, both directions alike), its
// flags and payload; "" when the frame is not TCP.
std::string tcp_connection(const decode::Frame& f, decode::TcpHeader& tcp) {
  decode::LinkLayer link;
  decode::IpPacket ip;
  if (decode::decode_link(f.link_type, f.data, link) != decode::LinkError::ok ||
      decode::decode_ip(link.payload, ip) != decode::IpError::ok || ip.protocol != 6 ||
      ip.fragment || decode::decode_tcp(ip.payload, tcp) != decode::TransportError::ok) {
    return {};
  }
  std::string a = ip.src.to_string() + ":" + std::to_string(tcp.src_port);
  std::string b = ip.dst.to_string() + ":" + std::to_string(tcp.dst_port);
  return a < b ? a + "|" + b : b + "|" + a;
}

// Frames of a TCP connection that a reader of the slice needs besides the SIP: the
// handshake and teardown (where the stream starts, so reordered first segments are not
// mistaken for a gap) and an HTTP upgrade to WebSocket (RFC 6455 §4, without which
// Wireshark does not see the WebSocket frames).
bool tcp_setup_frame(const decode::TcpHeader& tcp) {
  constexpr uint8_t kSynFinRst = 0x07;
  if ((tcp.flags & kSynFinRst) != 0) return true;
  const std::string_view text(reinterpret_cast<const char*>(tcp.payload.data()),
                              tcp.payload.size());
  return text.rfind("GET ", 0) == 0 || text.rfind("HTTP/1.1 101", 0) == 0;
}

// A WebSocket connection is exported whole once it carries the calls' SIP: its framing
// does not survive a gap (RFC 6455 frames have no resynchronisation point), and it is one
// client's connection (RFC 7118 §5), not a trunk shared by other users' calls.
bool websocket_upgrade(const decode::TcpHeader& tcp) {
  const std::string_view text(reinterpret_cast<const char*>(tcp.payload.data()),
                              tcp.payload.size());
  if (text.rfind("GET ", 0) != 0) return false;
  const std::string_view head = text.substr(0, text.find("\r\n\r\n"));
  std::string lower(head);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("websocket") != std::string::npos;
}

// Every frame of the calls' SIP messages: the completing frame of each (ladder events)
// and, for a message reassembled from several packets (TCP segments, IP or SCTP
// fragments), all of them (messages.frames).
std::set<std::pair<uint32_t, uint64_t>> sip_frames_of(const store::Database& db,
                                                      const report::Ladder& ladder,
                                                      const std::vector<int64_t>& ids,
                                                      std::vector<FrameGap>& gaps) {
  std::set<std::pair<uint32_t, uint64_t>> out;
  for (const auto& e : ladder.events) out.insert({e.capture_id, e.frame});
  store::sql::Statement st(db.handle(), db.path(),
                           "SELECT capture_id, frames FROM messages WHERE call_id = ?1 AND "
                           "frames IS NOT NULL");
  std::vector<uint64_t> numbers;
  for (const int64_t id : ids) {
    st.bind(1, id);
    while (st.step()) {
      const auto capture_id = static_cast<uint32_t>(st.column_int64(0));
      const std::string list = st.column_text(1);
      const char* p = list.data();
      const char* const end = list.data() + list.size();
      numbers.clear();
      while (p < end) {
        uint64_t n = 0;
        const auto [next, ec] = std::from_chars(p, end, n);
        if (ec != std::errc{}) break;
        numbers.push_back(n);
        out.insert({capture_id, n});
        p = next < end && *next == ',' ? next + 1 : end;
      }
      // A full list may hold one entry less: the completing frame, added twice, is
      // deduplicated after the cap overwrote the last slot.
      if (numbers.size() + 1 >= decode::kMaxMessageFrames) {
        gaps.push_back({capture_id, numbers[numbers.size() - 2], numbers.back()});
      }
    }
    st.reset();
  }
  return out;
}

}  // namespace

void add_call_filter_options(po::options_description& options) {
  options.add_options()  //
      ("from-regex", po::value<std::string>(),
       "caller user part matches (RE2 regex, unanchored)")                                        //
      ("to-regex", po::value<std::string>(), "callee user part matches (RE2 regex, unanchored)")  //
      ("min-loss", po::value<double>(), "RTP loss of the call at least this % (docs/stats.md)")   //
      ("max-mos", po::value<double>(), "lowest stream MOS of the call at most this")              //
      ("has-diagnostic", po::value<std::string>()->implicit_value(""),
       "calls with a diagnostic (of this kind when given)")                            //
      ("min-duration", po::value<double>(), "answered duration at least this many s")  //
      ("max-duration", po::value<double>(), "answered duration at most this many s")   //
      ("sort", po::value<std::string>()->default_value("start"),
       "start, id, duration, pdd, loss, mos or messages")  //
      ("desc", "sort in descending order");
}

bool read_call_filter_options(const po::variables_map& vm, store::CallFilter& filter,
                              std::string& error) {
  if (vm.count("from-regex") != 0U) filter.from_regex = vm["from-regex"].as<std::string>();
  if (vm.count("to-regex") != 0U) filter.to_regex = vm["to-regex"].as<std::string>();
  filter.min_loss_pct = opt_double(vm, "min-loss");
  filter.max_mos = opt_double(vm, "max-mos");
  if (vm.count("has-diagnostic") != 0U) filter.diagnostic = vm["has-diagnostic"].as<std::string>();
  if (auto v = opt_double(vm, "min-duration")) filter.min_duration_ms = *v * 1000.0;
  if (auto v = opt_double(vm, "max-duration")) filter.max_duration_ms = *v * 1000.0;
  if (vm.count("sort") != 0U) {
    const auto name = vm["sort"].as<std::string>();
    const auto key = store::parse_call_sort(name);
    if (!key) {
      error = "--sort must be start, id, duration, pdd, loss, mos or messages, not '" + name + "'";
      return false;
    }
    filter.sort = *key;
  }
  filter.descending = vm.count("desc") != 0U;
  return true;
}

int terminal_width() {
  if (const char* env = std::getenv("COLUMNS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != nullptr && *end == '\0' && v > 0 && v < 10000) return static_cast<int>(v);
  }
  winsize ws{};
  if (isatty(STDOUT_FILENO) != 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  return 100;
}

void redact_for_output(report::Ladder& ladder) {
  export_::Redactor r;
  r.learn_ladder(ladder);
  export_::redact_ladder(ladder, r);
}

CommandSpec report_spec() {
  auto spec = calls_spec_with_targets(
      "report", "sipscope report --db FILE CALL... -o FILE.html [--redact]",
      "Writes one self-contained HTML file (no network fetch, opens offline) for a ticket:\n"
      "summary, ladder with RTP bands, raw messages on click, SDP offer/answer, streams,\n"
      "diagnostics and anomalies. CALL is a calls.id or a SIP Call-ID; legs that share a\n"
      "group go in one ladder.");
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("output,o", po::value<std::string>()->required(), "HTML file to write (- = stdout)")   //
      ("legs", "add every call linked to the given ones (call_links, group_id)")              //
      ("capture-dir", po::value<std::string>()->default_value(""),
       "folder holding the original captures, if they moved (they are verified)")  //
      ("redact", "replace numbers, names, addresses and hosts by pseudonyms");
  return spec;
}

CommandSpec export_spec() {
  auto spec = calls_spec_with_targets(
      "export", "sipscope export --db FILE CALL... --pcap OUT.pcap [--redact]",
      "Writes a pcap with exactly the frames of the calls: their SIP messages (by frame\n"
      "number in the original captures, every TCP segment or IP fragment of a reassembled\n"
      "message included) and their RTP/RTCP, with original timestamps.\n"
      "The original capture files are re-read (their paths are in the database).");
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("pcap", po::value<std::string>()->required(), "pcap file to write")                    //
      ("legs", "add every call linked to the given ones (call_links, group_id)")              //
      ("capture-dir", po::value<std::string>()->default_value(""),
       "folder holding the original captures, if they moved")  //
      ("redact", "pseudonymise addresses in IP headers and SIP/SDP, remove credentials");
  return spec;
}

CommandSpec stats_spec() {
  CommandSpec spec{"stats",
                   "sipscope stats --db FILE [--format table|json]",
                   "Method and response counts, ASR, NER, ACD, PDD percentiles, per-peer\n"
                   "breakdown, top failure causes and retransmission rate (docs/stats.md).",
                   po::options_description("Options"),
                   po::options_description(),
                   {}};
  spec.options.add_options()                                                                  //
      ("help,h", "show this help")                                                            //
      ("db", po::value<std::string>()->required(), "database written by 'sipscope analyze'")  //
      ("format", po::value<std::string>()->default_value("table"), "table or json");
  return spec;
}

int run_stats(const Args& args) {
  const CommandSpec spec = stats_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  const std::string format = (*vm)["format"].as<std::string>();
  if (format != "table" && format != "json") {
    return usage_error("stats", "--format must be table or json, not '" + format + "'");
  }
  const auto db = store::Database::open_read_only((*vm)["db"].as<std::string>());
  const auto stats = store::compute_stats(*db);
  std::cout << (format == "json" ? report::render_stats_json(stats)
                                 : report::render_stats_table(stats));
  return kExitOk;
}

int run_report(const Args& args) {
  const CommandSpec spec = report_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (vm->count("call") == 0U) return usage_error("report", "no CALL given");
  const std::string db_path = (*vm)["db"].as<std::string>();
  const std::string out_path = (*vm)["output"].as<std::string>();
  if (auto e = overlap_error({{"--db", db_path}}, {{"--output", out_path}})) {
    return usage_error("report", *e);
  }
  const auto db = store::Database::open_read_only(db_path);
  std::string missing;
  const auto ids = resolve_all(*db, (*vm)["call"].as<std::vector<std::string>>(),
                               vm->count("legs") != 0U, missing);
  if (!missing.empty()) return usage_error("report", "no call '" + missing + "' in " + db_path);
  auto ladders = ladders_for(*db, ids);
  // The report vouches for the captures its frames came from: they must be the analysed ones.
  std::set<uint32_t> used;
  for (const auto& l : ladders) {
    for (const auto& e : l.events) used.insert(e.capture_id);
  }
  for (const auto& cap : store::list_captures(*db)) {
    // Standard input left no file to compare with; the messages are in the database.
    if (used.count(cap.id) == 0U || cap.path == "-") continue;
    const std::string found = verify_capture(cap, (*vm)["capture-dir"].as<std::string>(), db_path);
    if (auto e = overlap_error({{"capture", found}}, {{"--output", out_path}})) {
      return usage_error("report", *e);
    }
  }
  const bool redact = vm->count("redact") != 0U;
  std::string title = "sipscope report";
  if (redact) {
    export_::Redactor r;
    for (const auto& l : ladders) r.learn_ladder(l);
    for (auto& l : ladders) export_::redact_ladder(l, r);
    title += " (redacted)";
  } else {
    title += ": calls";
    for (int64_t id : ids) {
      title += ' ';
      title += std::to_string(id);
    }
  }
  write_file(out_path, report::render_html(ladders, title));
  return kExitOk;
}

int run_export(const Args& args) {
  const CommandSpec spec = export_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (vm->count("call") == 0U) return usage_error("export", "no CALL given");
  const std::string db_path = (*vm)["db"].as<std::string>();
  const std::string out_path = (*vm)["pcap"].as<std::string>();
  if (auto e = overlap_error({{"--db", db_path}}, {{"--pcap", out_path}})) {
    return usage_error("export", *e);
  }
  const auto db = store::Database::open_read_only(db_path);
  std::string missing;
  const auto ids = resolve_all(*db, (*vm)["call"].as<std::vector<std::string>>(),
                               vm->count("legs") != 0U, missing);
  if (!missing.empty()) return usage_error("export", "no call '" + missing + "' in " + db_path);
  auto ladder = report::build_ladder(*db, ids);

  std::vector<FrameGap> gaps;
  const auto sip_frames = sip_frames_of(*db, ladder, ids, gaps);
  // RTCP the analysis tied to the calls (rtcp_reports keeps its frames), whatever its ports.
  std::set<std::pair<uint32_t, uint64_t>> rtcp_frames;
  for (const auto& p : ladder.rtcp) rtcp_frames.insert({p.capture_id, p.frame});
  // RTP: the stream's own 5-tuple during its life (and shortly after, for RTCP-mux);
  // RTCP: the RFC 3550 §11 convention of port + 1, in either direction.
  constexpr int64_t kRtcpSlackUs = 10'000'000;
  std::map<Tuple, std::vector<MediaWindow>> media;
  for (const auto& s : ladder.streams) {
    if (!s.first_us || !s.last_us) continue;
    const MediaWindow rtp{*s.first_us, *s.last_us + kRtcpSlackUs / 2};
    const MediaWindow rtcp{*s.first_us - kRtcpSlackUs, *s.last_us + kRtcpSlackUs};
    media[{s.src_ip, s.dst_ip, s.src_port, s.dst_port}].push_back(rtp);
    media[{s.src_ip, s.dst_ip, s.src_port + 1, s.dst_port + 1}].push_back(rtcp);
    media[{s.dst_ip, s.src_ip, s.dst_port + 1, s.src_port + 1}].push_back(rtcp);
  }

  std::vector<Picked> picked;
  const std::string capture_dir = (*vm)["capture-dir"].as<std::string>();
  for (const auto& cap : store::list_captures(*db)) {
    const bool has_sip = std::any_of(sip_frames.begin(), sip_frames.end(),
                                     [&](const auto& f) { return f.first == cap.id; });
    std::vector<Picked> candidates;  // in a FrameGap, with their outer flow
    std::vector<std::string> candidate_flows;
    std::vector<std::pair<std::string, Picked>> setup;  // tcp_setup_frame()s
    std::set<std::string> sip_connections;
    std::set<std::string> ws_connections;  // upgraded to WebSocket: taken whole
    const bool has_rtcp = std::any_of(rtcp_frames.begin(), rtcp_frames.end(),
                                      [&](const auto& f) { return f.first == cap.id; });
    if (!has_sip && !has_rtcp && media.empty()) continue;
    const std::string found = locate_capture(cap, capture_dir, db_path);
    if (auto e = overlap_error({{"capture", found}}, {{"--pcap", out_path}})) {
      return usage_error("export", *e);
    }
    capture::PcapReader reader(found, cap.id);
    decode::Frame f;
    while (reader.next(f)) {
      bool sip = sip_frames.count({cap.id, f.ref.number}) != 0U;
      bool take = sip || rtcp_frames.count({cap.id, f.ref.number}) != 0U;
      if (!take && !media.empty()) {
        decode::LinkLayer link;
        decode::IpPacket ip;
        decode::UdpHeader udp;
        if (decode::decode_link(f.link_type, f.data, link) == decode::LinkError::ok &&
            decode::decode_ip(link.payload, ip) == decode::IpError::ok && ip.protocol == 17 &&
            !ip.fragment &&
            decode::decode_udp(ip.payload, ip.truncated, udp) == decode::TransportError::ok) {
          const Tuple t{ip.src.to_string(), ip.dst.to_string(), udp.src_port, udp.dst_port};
          if (auto it = media.find(t); it != media.end()) {
            for (const auto& w : it->second) {
              take = take || (f.ref.ts_us >= w.from_us && f.ref.ts_us <= w.to_us);
            }
          }
        }
      }
      const auto gap = std::find_if(gaps.begin(), gaps.end(), [&](const FrameGap& g) {
        return g.capture_id == cap.id && f.ref.number > g.after && f.ref.number <= g.completing;
      });
      if (!take && gap != gaps.end()) {
        candidates.push_back({cap.id,
                              f.ref.number,
                              {f.ref.ts_us, f.link_type, f.wire_length, true,
                               std::vector<uint8_t>(f.data.begin(), f.data.end())}});
        candidate_flows.push_back(outer_flow(f));
        continue;
      }
      if (gap != gaps.end() && f.ref.number == gap->completing) {
        const std::string flow = outer_flow(f);
        for (size_t i = 0; i < candidates.size(); ++i) {
          if (candidates[i].number > gap->after && !flow.empty() && candidate_flows[i] == flow) {
            picked.push_back(std::move(candidates[i]));
            candidates[i].number = 0;
          }
        }
      }
      decode::TcpHeader tcp;
      if (const std::string conn = tcp_connection(f, tcp); !conn.empty()) {
        if (sip) sip_connections.insert(conn);
        if (websocket_upgrade(tcp)) ws_connections.insert(conn);
        if (!take &&
            (tcp_setup_frame(tcp) || (!tcp.payload.empty() && ws_connections.count(conn) != 0U))) {
          setup.push_back({conn,
                           {cap.id,
                            f.ref.number,
                            {f.ref.ts_us, f.link_type, f.wire_length, true,
                             std::vector<uint8_t>(f.data.begin(), f.data.end())}}});
        }
      }
      if (!take) continue;
      picked.push_back({cap.id,
                        f.ref.number,
                        {f.ref.ts_us, f.link_type, f.wire_length, sip,
                         std::vector<uint8_t>(f.data.begin(), f.data.end())}});
    }
    // Read to its end: the hash now covers the whole file.
    check_identity(cap, found, reader.info().identity);
    for (auto& [conn, p] : setup) {
      if (sip_connections.count(conn) != 0U) picked.push_back(std::move(p));
    }
  }
  std::stable_sort(picked.begin(), picked.end(),
                   [](const Picked& a, const Picked& b) { return a.frame.ts_us < b.frame.ts_us; });
  std::vector<export_::SliceFrame> frames;
  frames.reserve(picked.size());
  for (auto& p : picked) frames.push_back(std::move(p.frame));
  const int link_type = frames.empty() ? 1 : frames.front().link_type;
  for (const auto& f : frames) {
    if (f.link_type != link_type) {
      throw std::runtime_error("the calls' frames come from captures of different link types (" +
                               std::to_string(link_type) + ", " + std::to_string(f.link_type) +
                               "): one pcap cannot hold both");
    }
  }
  const bool redact = vm->count("redact") != 0U;
  if (redact) {
    export_::Redactor r;
    r.learn_ladder(ladder);
    export_::redact_slice(frames, r);
  }
  AtomicFile out(out_path);
  export_::PcapWriter writer(out.stream(), link_type);
  for (const auto& f : frames) writer.write(f.ts_us, f.data, f.wire_length);
  out.commit();
  std::cerr << "sipscope export: " << frames.size() << " frames (" << sip_frames.size()
            << " SIP) of " << ids.size() << " call(s) written to " << out_path
            << (redact ? " (redacted)" : "") << "\n";
  return kExitOk;
}

}  // namespace sipscope::cli
