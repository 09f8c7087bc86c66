// --redact over every sample capture (issue 6 item 4): for each call of each sample,
// `show --redact` in every format, `report --redact` and `export --redact` are searched for
// every original value of the call — user parts and numbers, display names, hosts, the
// Call-ID, credentials, and from the unredacted slice every IP address and MAC at any
// depth (text and binary) and every RTCP SDES item — and none may be found. The redacted
// slice of all calls of a sample must decode to the same SIP messages and calls, by
// sipscope and by tshark. The commands run in-process (cli::run_*) to stay fast.
//
// The originals come from the database (the call's raw messages, read by the regular
// expressions below, not by the Redactor) and from decode/ walking the unredacted slice of
// all the sample's calls (every address, MAC and SDES item: no call may show another's).
// Known limits (docs/ladder-json.md "Redaction"): values shorter than 3 characters and
// digit-only values shorter than 6 digits are not searched (they occur as counts, ports,
// CSeq numbers and in RTP audio).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <re2/re2.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/report_commands.hpp"
#include "decode/frame.hpp"
#include "decode/hep.hpp"
#include "decode/ip.hpp"
#include "decode/link.hpp"
#include "decode/tunnel.hpp"
#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::cli {
namespace {

namespace fs = std::filesystem;
using Span = std::span<const uint8_t>;

// Output silenced while a command runs in-process.
class Quiet {
 public:
  Quiet() : out_(std::cout.rdbuf(sink_.rdbuf())), err_(std::cerr.rdbuf(sink_.rdbuf())) {}
  ~Quiet() {
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;

 private:
  std::ostringstream sink_;
  std::streambuf* out_;
  std::streambuf* err_;
};

int command(int (*fn)(const Args&), const Args& args) {
  Quiet q;
  try {
    return fn(args);
  } catch (const std::exception& e) {
    ADD_FAILURE() << args.front() << "...: " << e.what();
    return 99;
  }
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Classic pcap records (the slices export writes: little-endian, microseconds).
std::vector<std::vector<uint8_t>> pcap_frames(const std::string& file, int& link_type) {
  std::vector<std::vector<uint8_t>> out;
  if (file.size() < 24) return out;
  auto le32 = [&](size_t at) {
    return uint32_t{static_cast<uint8_t>(file[at])} |
           uint32_t{static_cast<uint8_t>(file[at + 1])} << 8 |
           uint32_t{static_cast<uint8_t>(file[at + 2])} << 16 |
           uint32_t{static_cast<uint8_t>(file[at + 3])} << 24;
  };
  link_type = static_cast<int>(le32(20));
  for (size_t pos = 24; pos + 16 <= file.size();) {
    const size_t len = le32(pos + 8);
    if (pos + 16 + len > file.size()) break;
    out.emplace_back(file.begin() + static_cast<ptrdiff_t>(pos + 16),
                     file.begin() + static_cast<ptrdiff_t>(pos + 16 + len));
    pos += 16 + len;
  }
  return out;
}

struct Originals {
  std::set<std::string> text;    // searched case-insensitively in every output
  std::set<std::string> binary;  // searched as bytes in the pcap (addresses, MACs)
};

std::string mac_text(Span m) {
  char b[18];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

void add_ip(Originals& o, Span a) {
  char b[INET6_ADDRSTRLEN];
  if (inet_ntop(a.size() == 4 ? AF_INET : AF_INET6, a.data(), b, sizeof b) == nullptr) return;
  o.text.insert(b);
  o.binary.emplace(reinterpret_cast<const char*>(a.data()), a.size());
}

void add_mac(Originals& o, Span m) {
  static const std::set<std::string> kKept = {std::string(6, '\0'), std::string(6, '\xff')};
  const std::string bin(reinterpret_cast<const char*>(m.data()), 6);
  if (kKept.count(bin) != 0U) return;
  o.binary.insert(bin);
  o.text.insert(mac_text(m));
}

// RTCP SDES items (RFC 3550 §6.5) of a UDP payload.
void add_sdes(Originals& o, Span p) {
  size_t off = 0;
  while (off + 4 <= p.size() && (p[off] >> 6) == 2) {
    const size_t len = ((size_t{p[off + 2]} << 8 | p[off + 3]) + 1) * 4;
    if (off + len > p.size()) break;
    if (p[off + 1] == 202) {
      size_t pos = off + 8;
      while (pos + 2 <= off + len && p[pos] != 0) {
        const size_t l = p[pos + 1];
        if (pos + 2 + l > off + len) break;
        o.text.emplace(reinterpret_cast<const char*>(p.data() + pos + 2), l);
        pos += 2 + l;
      }
    }
    off += len;
  }
}

// Every address layer of a frame: Ethernet and IP at any depth, HEP addresses, SDES.
void walk_ip(Originals& o, Span data, int depth);
void walk_ethernet(Originals& o, Span data, int depth) {
  decode::LinkLayer link;
  if (data.size() < 12 ||
      decode::decode_link(decode::link_type::kEthernet, data, link) != decode::LinkError::ok) {
    return;
  }
  add_mac(o, data.first(6));
  add_mac(o, data.subspan(6, 6));
  walk_ip(o, link.payload, depth);
}
void walk_ip(Originals& o, Span data, int depth) {
  decode::IpPacket ip;
  if (depth > 8 || decode::decode_ip(data, ip) != decode::IpError::ok) return;
  add_ip(o, data.subspan(ip.version == 4 ? 12 : 8, ip.version == 4 ? 4 : 16));
  add_ip(o, data.subspan(ip.version == 4 ? 16 : 24, ip.version == 4 ? 4 : 16));
  if (ip.fragment && ip.fragment_offset != 0) return;
  if (ip.protocol == decode::kIpProtoIpip || ip.protocol == decode::kIpProtoIpv6) {
    walk_ip(o, ip.payload, depth + 1);
  } else if (ip.protocol == decode::kIpProtoGre) {
    decode::TunnelPayload t;
    if (decode::decode_gre(ip.payload, t) != decode::TunnelError::ok) return;
    if (t.kind == decode::InnerKind::ethernet) {
      walk_ethernet(o, t.payload, depth + 1);
    } else {
      walk_ip(o, t.payload, depth + 1);
    }
  } else if (ip.protocol == 17 && ip.payload.size() >= 8) {
    const Span payload = ip.payload.subspan(8);
    const int dport = ip.payload[2] << 8 | ip.payload[3];
    decode::TunnelPayload t;
    decode::HepPacket hep;
    if (dport == decode::kVxlanPort &&
        decode::decode_vxlan(payload, t) == decode::TunnelError::ok) {
      walk_ethernet(o, t.payload, depth + 1);
    } else if (decode::looks_like_hep(payload) &&
               decode::decode_hep(payload, hep) == decode::HepError::ok) {
      const bool v6 = hep.src.ip.version == 6;
      add_ip(o, Span(hep.src.ip.bytes.data(), v6 ? 16 : 4));
      add_ip(o, Span(hep.dst.ip.bytes.data(), v6 ? 16 : 4));
    } else {
      add_sdes(o, payload);
    }
  }
}

void add_from_slice(Originals& o, const std::string& pcap) {
  int link_type = 0;
  for (const auto& f : pcap_frames(pcap, link_type)) {
    decode::LinkLayer link;
    if (decode::decode_link(link_type, f, link) != decode::LinkError::ok) continue;
    if (link_type == decode::link_type::kEthernet) {
      add_mac(o, Span(f).first(6));
      add_mac(o, Span(f).subspan(6, 6));
    }
    walk_ip(o, link.payload, 0);
  }
}

// Identities in SIP text: URI user parts and hosts, display names (also on a folded line),
// Via hosts, credentials, the SDP o= user name and c= address, icid-value, SRTP keys.
void add_from_sip(Originals& o, const std::string& raw) {
  static const RE2 kUri(R"re((?i)(?:sips?|tel):([^@;>?\s,"]+)(?:@([^;>?\s,":]+))?)re");
  static const RE2 kName(R"re((?:^|\n)[A-Za-z-]+\s*:\s*"?([^"<\r\n,]+?)"?\s*<)re");
  static const RE2 kVia(R"re((?i)(?:^|\n)(?:Via|v)\s*:\s*SIP/2\.0/\w+\s+([^;:\s,]+))re");
  static const RE2 kCred(R"re((?i)(?:username|response|cnonce)\s*=\s*"?([^",\s]+))re");
  static const RE2 kSdp(R"re((?:^|\n)(?:o=(\S+) .* (\S+)|c=IN IP[46] ([^/\s]+)))re");
  // Display names on a folded line, charging identifiers, SRTP keys (issue 13).
  static const RE2 kFolded(R"re((?:^|\n)[A-Za-z-]+\s*:[ \t]*\r?\n[ \t]+"?([^"<\r\n,]+?)"?\s*<)re");
  static const RE2 kIcid(R"re((?i)icid-value\s*=\s*"?([^;"\s]+))re");
  static const RE2 kCrypto(R"re((?i)inline:([^|;\s]+))re");
  for (const RE2* re : {&kUri, &kName, &kVia, &kCred, &kSdp, &kFolded, &kIcid, &kCrypto}) {
    // Every non-overlapping match, left to right, and each group that took part in it.
    std::vector<re2::StringPiece> g(static_cast<size_t>(re->NumberOfCapturingGroups()) + 1);
    size_t pos = 0;
    while (pos <= raw.size() &&
           re->Match(raw, pos, raw.size(), RE2::UNANCHORED, g.data(), static_cast<int>(g.size()))) {
      for (size_t i = 1; i < g.size(); ++i) {
        if (g[i].data() != nullptr) o.text.insert(std::string(g[i]));
      }
      pos = static_cast<size_t>(g[0].data() - raw.data()) + std::max<size_t>(g[0].size(), 1);
    }
  }
}

std::string hex(const std::string& b) {
  std::string out;
  char x[4];
  for (const char c : b) {
    std::snprintf(x, sizeof x, "%02x", static_cast<uint8_t>(c));
    out += x;
  }
  return out;
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// A digit-only original anywhere; any other at word boundaries (the Redactor replaces
// whole words: "sipp" inside SIPp's tag "19928SIPpTag001" is not the user "sipp").
bool contains(const std::string& hay, const std::string& needle) {
  const bool digits = std::all_of(needle.begin() + (needle[0] == '+' ? 1 : 0), needle.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) {
    if (digits) return true;
    const bool before = p > 0 && word_char(hay[p - 1]) && word_char(needle.front());
    const size_t end = p + needle.size();
    const bool after = end < hay.size() && word_char(hay[end]) && word_char(needle.back());
    if (!before && !after) return true;
  }
  return false;
}

bool searched(const std::string& v) {
  // Protocol words, and the unspecified addresses (SDP hold, RFC 3264 §8.4: nobody's).
  static const std::set<std::string> kProtocol = {"sip",     "sips",    "tel",       "user",
                                                  "phone",   "-",       "localhost", "anonymous",
                                                  "invalid", "0.0.0.0", "::"};
  std::string lower(v);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v.size() < 3 || kProtocol.count(lower) != 0U) return false;
  const bool digits = std::all_of(v.begin() + (v[0] == '+' ? 1 : 0), v.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  return !digits || v.size() >= 6;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool have_tshark() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;
}

struct TsharkView {
  int messages = 0;  // SIP messages
  int call_ids = 0;  // distinct Call-IDs
  int bad = 0;       // frames with a wrong IP/UDP/TCP/SCTP checksum, or malformed
};

// tshark's reading of a slice; `extra`: the sample's "tshark_args" (its truth file).
// `verify`: checksums checked (tshark then ignores segments whose checksum is wrong, as
// in loopback captures with checksum offload: only the redacted slice, whose checksums
// are all recomputed, is read so).
TsharkView tshark_view(const std::string& pcap, const std::string& extra, bool verify) {
  const std::string checks =
      verify ? " -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE"
               " -o sctp.checksum:CRC-32C"
             : "";
  const auto t = sipscope::testing::run(
      "tshark -r " + sipscope::testing::shell_quote(pcap) + " " + extra + checks +
          " -T fields -E separator=/t -e sip.Call-ID"
          " -e ip.checksum.status -e udp.checksum.status -e tcp.checksum.status"
          " -e sctp.checksum.status -e _ws.malformed",
      fs::path(pcap).parent_path());
  TsharkView v;
  std::set<std::string> ids;
  std::istringstream in(t.out);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::istringstream f(line);
    for (std::string x; std::getline(f, x, '\t');) fields.push_back(x);
    fields.resize(6);
    // One line per frame; a frame with several messages lists their Call-IDs with ','.
    std::istringstream cids(fields[0]);
    for (std::string id; std::getline(cids, id, ',');) {
      ++v.messages;
      ids.insert(id);
    }
    // Status 0 = bad (1 good, 2 unverified: an IPv4 UDP checksum of 0). A field lists
    // one value per layer, e.g. "1,1" for a tunnel.
    bool bad = !fields[5].empty();
    for (size_t k = 1; k <= 4; ++k) {
      std::istringstream st(fields[k]);
      for (std::string x; std::getline(st, x, ',');) bad = bad || x == "0";
    }
    v.bad += bad ? 1 : 0;
  }
  v.call_ids = static_cast<int>(ids.size());
  return v;
}

// The redacted slice as tshark reads it, and what it should find: sipscope's messages and
// calls, or, where tshark reads the original differently (HEP: no dissector in tshark
// 4.0), its reading of the unredacted slice — run only then, tshark starts slowly.
std::pair<TsharkView, TsharkView> tshark_views(const std::string& plain,
                                               const std::string& redacted,
                                               const std::string& extra, int messages, int calls) {
  const TsharkView red = tshark_view(redacted, extra, true);
  if (red.messages == messages && red.call_ids == calls) {
    TsharkView expected = red;
    expected.bad = 0;
    return {red, expected};
  }
  return {red, tshark_view(plain, extra, false)};
}

std::string tshark_args(const fs::path& sample) {
  auto truth = sample;
  truth.replace_extension(".truth.json");
  const auto j = nlohmann::json::parse(read_all(truth), nullptr, false);
  std::string out;
  if (j.is_object() && j.contains("tshark_args")) {
    for (const auto& a : j["tshark_args"]) {
      out += ' ';
      out += sipscope::testing::shell_quote(a.get<std::string>());
    }
  }
  return out;
}

std::vector<fs::path> samples() {
  std::vector<fs::path> out;
  for (const auto& e :
       fs::recursive_directory_iterator(fs::path(SIPSCOPE_SOURCE_DIR) / "samples")) {
    const auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".pcap" && ext != ".pcapng")) continue;
    auto truth = e.path();
    truth.replace_extension(".truth.json");
    if (fs::exists(truth)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RedactSamples, NoOriginalValueInAnyOutputAndTheSliceStillDecodes) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path dir = sipscope::testing::temp_dir("redact-samples");
  const bool tshark = have_tshark();
  struct Pending {
    std::string sample;
    std::future<std::pair<TsharkView, TsharkView>> views;  // redacted, plain
  };
  std::vector<Pending> pending;
  size_t checked = 0;
  auto check = [](Pending& q) {
    const auto [red, plain] = q.views.get();
    EXPECT_EQ(red.messages, plain.messages)
        << q.sample << ": tshark's SIP messages after redaction";
    EXPECT_EQ(red.call_ids, plain.call_ids) << q.sample << ": tshark's Call-IDs after redaction";
    EXPECT_EQ(red.bad, 0) << q.sample << ": frames with bad checksums or malformed after redaction";
  };
  const auto list = samples();
  ASSERT_GE(list.size(), 40U) << "samples/ not found";
  int calls_checked = 0;
  for (const auto& sample : list) {
    SCOPED_TRACE(sample.string());
    const std::string tag =
        fs::relative(sample, fs::path(SIPSCOPE_SOURCE_DIR) / "samples").string();
    const fs::path work = dir / std::to_string(&sample - list.data());
    fs::create_directories(work);
    const std::string db = (work / "a.db").string();
    ASSERT_EQ(command(run_analyze, {sample.string(), "--db", db}), 0);
    const auto calls = sipscope::testing::query(db, "SELECT id FROM calls ORDER BY id");
    if (calls.empty()) continue;
    Args all_ids;
    for (const auto& row : calls)
      all_ids.push_back(std::to_string(std::get<int64_t>(row.at("id"))));
    // Addresses, MACs and SDES items of all the calls' frames (one export: cheaper than one
    // per call, and no call's output may show another's).
    const std::string plain = (work / "all-plain.pcap").string();
    Args plain_args = {"--db", db, "--pcap", plain};
    plain_args.insert(plain_args.end(), all_ids.begin(), all_ids.end());
    ASSERT_EQ(command(run_export, plain_args), 0);
    Originals wire;
    add_from_slice(wire, read_all(plain));
    for (const std::string& id : all_ids) {
      ++calls_checked;
      Originals o = wire;
      for (const auto& m : sipscope::testing::query(
               db, "SELECT raw FROM messages WHERE call_id = " + id + " AND raw IS NOT NULL")) {
        add_from_sip(o, std::get<std::string>(m.at("raw")));
      }
      const auto c = sipscope::testing::query(
          db,
          "SELECT sip_call_id, from_user, to_user, caller_ip, callee_ip FROM calls WHERE id = " +
              id);
      for (const auto& [k, v] : c.at(0)) {
        if (const auto* s = std::get_if<std::string>(&v)) o.text.insert(*s);
      }

      struct Output {
        std::string name, bytes;
      };
      std::vector<Output> outputs;
      for (const char* format : {"text", "json", "mermaid", "html"}) {
        const fs::path f = work / ("show" + id + "." + format);
        EXPECT_EQ(
            command(run_show, {"--db", db, id, "--format", format, "--redact", "-o", f.string()}),
            0);
        outputs.push_back({std::string("show --format ") + format, read_all(f)});
      }
      const fs::path html = work / ("report" + id + ".html");
      ASSERT_EQ(command(run_report, {"--db", db, id, "--redact", "-o", html.string()}), 0);
      outputs.push_back({"report", read_all(html)});
      const fs::path pcap = work / ("red" + id + ".pcap");
      ASSERT_EQ(command(run_export, {"--db", db, id, "--redact", "--pcap", pcap.string()}), 0);
      outputs.push_back({"export", read_all(pcap)});

      for (const auto& out : outputs) {
        const std::string hay = lower(out.bytes);
        for (const auto& v : o.text) {
          if (!searched(v)) continue;
          EXPECT_FALSE(contains(hay, lower(v)))
              << tag << " call " << id << ": '" << v << "' in " << out.name;
        }
      }
      // The pcap: every address field at any depth (structured), and the raw bytes.
      Originals left;
      add_from_slice(left, outputs.back().bytes);
      int slice_link = 0;
      const auto slice_frames = pcap_frames(outputs.back().bytes, slice_link);
      for (const auto& b : o.binary) {
        EXPECT_EQ(left.binary.count(b), 0U)
            << tag << " call " << id << ": address/MAC " << hex(b) << " in a header of the pcap";
        // A 4-byte address with two zero bytes (127.0.0.1) also turns up by chance in
        // checksums and counters: those are covered by the structured check alone.
        if (b.size() == 4 && std::count(b.begin(), b.end(), '\0') >= 2) continue;
        // Searched frame by frame: across a record header a frame length (0x02xx, little
        // endian: "xx 02 00 00") and the next frame's pseudonymous MAC ("02 00 h..") read
        // as a 02:00:00:02:00:hh MAC of the samples for one HMAC byte in 256.
        for (const auto& f : slice_frames) {
          EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(f.data()), f.size()).find(b),
                    std::string_view::npos)
              << tag << " call " << id << ": bytes " << hex(b) << " in a frame of the pcap";
        }
      }
      EXPECT_NE(outputs[0].bytes.find("REDACTED"), std::string::npos) << tag;
      EXPECT_NE(outputs[1].bytes.find("\"redacted\": true"), std::string::npos) << tag;
      EXPECT_NE(outputs[2].bytes.find("REDACTED"), std::string::npos) << tag;
      EXPECT_NE(outputs[3].bytes.find("REDACTED"), std::string::npos) << tag;
      EXPECT_NE(outputs[4].bytes.find("REDACTED"), std::string::npos) << tag;
    }
    // The redacted slice of all calls: same SIP messages and calls for sipscope and tshark.
    const std::string slice = (work / "all-redacted.pcap").string();
    Args args = {"--db", db, "--redact", "--pcap", slice};
    args.insert(args.end(), all_ids.begin(), all_ids.end());
    ASSERT_EQ(command(run_export, args), 0);
    const int64_t messages =
        sipscope::testing::query_int(db, "SELECT count(*) FROM messages WHERE call_id IS NOT NULL");
    const std::string db2 = (work / "redacted.db").string();
    ASSERT_EQ(command(run_analyze, {slice, "--db", db2}), 0);
    EXPECT_EQ(sipscope::testing::query_int(
                  db2, "SELECT count(*) FROM messages WHERE call_id IS NOT NULL"),
              messages)
        << tag;
    EXPECT_EQ(sipscope::testing::query_int(db2, "SELECT count(*) FROM calls"),
              static_cast<int64_t>(all_ids.size()))
        << tag;
    if (tshark) {
      pending.push_back(
          {tag, std::async(std::launch::async, [slice, plain, extra = tshark_args(sample),
                                                n = static_cast<int>(messages),
                                                calls = static_cast<int>(all_ids.size())] {
             return tshark_views(plain, slice, extra, n, calls);
           })});
      // A few tshark runs at once (mostly start-up time), overlapping the next samples.
      if (pending.size() - checked >= 3) check(pending[checked++]);
    }
  }
  while (checked < pending.size()) check(pending[checked++]);
  EXPECT_GE(calls_checked, 90);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "redacted outputs of " << calls_checked << " calls in " << list.size()
            << " samples checked in " << s << " s\n";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sipscope::cli
