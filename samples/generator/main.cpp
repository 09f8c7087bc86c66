// sipscope-gen: writes SIP/RTP captures with ground truth for sipscope's tests and
// benchmarks. See samples/README.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floods.hpp"
#include "mixed.hpp"
#include "pcap_writer.hpp"
#include "scenarios.hpp"
#include "timeline.hpp"
#include "truth.hpp"
#include "wire.hpp"

namespace {

using namespace sipscope::gen;

constexpr const char* kUsage =
    "usage:\n"
    "  sipscope-gen list\n"
    "  sipscope-gen scenario NAME -o OUT.pcap [--truth OUT.truth.json] [--format "
    "pcap|pcap-ns|pcapng]\n"
    "               [--link ethernet|vlan|qinq|sll|sll2|raw|null|mpls] [--ipv6] [--seed N]\n"
    "               [--transport udp|tcp|sctp] [--fragment MTU] [--hep 2|3]\n"
    "               [--tunnel gre|gre-teb|erspan2|erspan3|ipip|6in4|vxlan]\n"
    "  sipscope-gen mixed --calls N [--rtp-seconds S] -o OUT.pcap [--truth F] [--format ...]\n"
    "               [--link ...] [--ipv6] [--seed N]\n"
    "  sipscope-gen sip [--calls N] [--seconds S] [--talk-seconds T] [--scale F] -o OUT.pcap\n"
    "               [--truth F] [--format ...] [--link ...] [--ipv6] [--seed N]\n"
    "  sipscope-gen flood KIND|list [--count N] [--seconds S] [--scale F] -o OUT.pcap\n"
    "               [--truth F] [--format ...] [--link ...] [--ipv6] [--seed N]\n";

struct Options {
  std::string command;
  std::string scenario;
  std::string out;
  std::optional<std::string> truth;
  FileFormat format = FileFormat::kPcap;
  LinkKind link = LinkKind::kEthernet;
  bool ipv6 = false;
  std::uint64_t seed = 1;
  std::optional<std::uint32_t> calls;
  double rtp_seconds = 20.0;
  std::optional<double> seconds;
  std::optional<std::uint64_t> count;
  double scale = 1.0;  // sip/flood: multiplies the default count and span (same rate)
  WireConfig wire;
};

nlohmann::ordered_json wire_json(const Options& o) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (o.wire.transport != Transport::kUdp) j["transport"] = transport_name(o.wire.transport);
  if (o.wire.mtu != 0) j["fragment_mtu"] = o.wire.mtu;
  if (o.wire.tunnel != Tunnel::kNone) j["tunnel"] = tunnel_name(o.wire.tunnel);
  if (o.wire.hep != 0) {
    j["hep"] = o.wire.hep;
    j["hep_agent"] = kHepAgent;
    j["hep_collector"] = std::string(kHepCollector) + ":" + std::to_string(kHepPort);
  }
  if (o.link == LinkKind::kMpls) j["mpls_labels"] = {1000, 2000};
  return j;
}

int usage_error(const std::string& msg) {
  std::cerr << "sipscope-gen: " << msg << "\n" << kUsage;
  return 1;
}

// Returns an error message, or empty on success.
std::string parse(int argc, char** argv, Options& o) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) return "missing command";
  o.command = args[0];
  std::size_t i = 1;
  if (o.command == "scenario" || o.command == "flood") {
    if (args.size() < 2) return o.command + ": missing NAME";
    o.scenario = args[1];
    i = 2;
  } else if (o.command != "mixed" && o.command != "sip" && o.command != "list") {
    return "unknown command '" + std::string(args[0]) + "'";
  }
  auto value = [&](std::string_view opt, std::string& out) -> std::string {
    if (i + 1 >= args.size()) return "option " + std::string(opt) + " needs a value";
    out = args[++i];
    return {};
  };
  for (; i < args.size(); ++i) {
    const std::string_view a = args[i];
    std::string v;
    std::string err;
    if (a == "-o" || a == "--output") {
      err = value(a, o.out);
    } else if (a == "--truth") {
      err = value(a, v);
      o.truth = v;
    } else if (a == "--format") {
      err = value(a, v);
      if (err.empty() && !parse_format(v, o.format)) err = "--format: unknown '" + v + "'";
    } else if (a == "--link") {
      err = value(a, v);
      if (err.empty() && !parse_link(v, o.link)) err = "--link: unknown '" + v + "'";
    } else if (a == "--transport") {
      err = value(a, v);
      if (err.empty() && !parse_transport(v, o.wire.transport)) {
        err = "--transport: unknown '" + v + "'";
      }
    } else if (a == "--fragment") {
      err = value(a, v);
      const unsigned long mtu = std::strtoul(v.c_str(), nullptr, 10);
      if (err.empty() && (mtu < 128 || mtu > 65535)) err = "--fragment: MTU out of range";
      o.wire.mtu = static_cast<std::uint16_t>(mtu);
    } else if (a == "--tunnel") {
      err = value(a, v);
      if (err.empty() && !parse_tunnel(v, o.wire.tunnel)) err = "--tunnel: unknown '" + v + "'";
    } else if (a == "--hep") {
      err = value(a, v);
      if (err.empty() && v != "2" && v != "3") err = "--hep: version 2 or 3";
      o.wire.hep = std::atoi(v.c_str());
    } else if (a == "--ipv6") {
      o.ipv6 = true;
    } else if (a == "--seed") {
      err = value(a, v);
      if (err.empty()) o.seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (a == "--calls") {
      err = value(a, v);
      if (err.empty()) o.calls = static_cast<std::uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (a == "--count") {
      err = value(a, v);
      if (err.empty()) o.count = std::strtoull(v.c_str(), nullptr, 10);
    } else if (a == "--seconds") {
      err = value(a, v);
      if (err.empty()) o.seconds = std::strtod(v.c_str(), nullptr);
      if (err.empty() && !(*o.seconds > 0.0 && *o.seconds <= 1e6)) err = "--seconds: out of range";
    } else if (a == "--scale") {
      err = value(a, v);
      if (err.empty()) o.scale = std::strtod(v.c_str(), nullptr);
      if (err.empty() && !(o.scale > 0.0 && o.scale <= 1000.0)) err = "--scale: out of range";
    } else if (a == "--rtp-seconds" || a == "--talk-seconds") {
      err = value(a, v);
      if (err.empty()) o.rtp_seconds = std::strtod(v.c_str(), nullptr);
      if (err.empty() && !(o.rtp_seconds >= 0.0 && o.rtp_seconds <= 86400.0)) {
        err = "--rtp-seconds: out of range";
      }
    } else if (a == "-h" || a == "--help") {
      return "help";
    } else {
      err = "unknown option '" + std::string(a) + "'";
    }
    if (!err.empty()) return err;
  }
  const bool listing = o.command == "list" || (o.command == "flood" && o.scenario == "list");
  if (!listing && o.out.empty()) return "missing -o OUT";
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (const std::string err = parse(argc, argv, o); !err.empty()) {
    if (err == "help") {
      std::cout << kUsage;
      return 0;
    }
    return usage_error(err);
  }
  if (o.command == "list" || (o.command == "flood" && o.scenario == "list")) {
    for (const auto& s : o.command == "list" ? scenario_list() : flood_list()) {
      std::cout << s.name << "\t" << s.summary << "\n";
    }
    return 0;
  }
  try {
    const auto t_begin = std::chrono::steady_clock::now();
    Truth truth;
    Emission e;
    if (o.command == "scenario" &&
        !build_scenario(o.scenario, ScenarioOptions{o.ipv6, o.seed}, e, truth, o.wire)) {
      return usage_error("unknown scenario '" + o.scenario + "' (see: sipscope-gen list)");
    }
    if (o.wire.tunnel == Tunnel::k6in4 && !o.ipv6) return usage_error("--tunnel 6in4 needs --ipv6");
    if (o.command != "scenario" && (o.wire.transport != Transport::kUdp || o.wire.hep != 0)) {
      return usage_error(o.command + ": --transport/--hep apply to scenarios only");
    }
    if (o.command == "flood" &&
        std::none_of(flood_list().begin(), flood_list().end(),
                     [&](const ScenarioInfo& k) { return k.name == o.scenario; })) {
      return usage_error("unknown flood '" + o.scenario + "' (see: sipscope-gen flood list)");
    }
    if (o.command == "flood" && o.wire.mtu != 0) {
      return usage_error("flood: --fragment applies to scenarios only");
    }
    PcapWriter writer(o.out, o.format, o.link);
    writer.set_fragment_mtu(o.wire.mtu);
    writer.set_tunnel(o.wire.tunnel);
    Scheduler sched(writer);
    if (o.command == "scenario") {
      apply_transport(o.wire, e, truth);
      sched.add(std::move(e));
      sched.run();
    } else if (o.command == "flood") {
      (void)run_flood(FloodOptions{o.scenario, o.count, o.seconds, o.scale, o.ipv6, o.seed}, writer,
                      sched, truth);
    } else if (o.command == "sip") {
      // SIP-only: 50,000 calls over 600 s by default (~83 new calls/s, a REGISTER every
      // tenth call), no RTP; --talk-seconds is the mean time between 200 OK and BYE.
      const auto calls =
          o.calls.value_or(static_cast<std::uint32_t>(std::llround(50000 * o.scale)));
      const double span = o.seconds.value_or(600.0 * o.scale);
      MixedOptions m{calls, o.rtp_seconds, o.ipv6, o.seed};
      m.media = false;
      m.mean_gap_us =
          std::max<std::int64_t>(1, static_cast<std::int64_t>(span * 1e6 / std::max(calls, 1u)));
      run_mixed(m, sched, truth);
    } else {
      run_mixed(MixedOptions{o.calls.value_or(1000), o.rtp_seconds, o.ipv6, o.seed}, sched, truth);
    }
    writer.close();
    truth.link_type = writer.link_type();
    truth.packets = writer.packets();
    truth.finalize(sched.last_ts_us());
    truth.wire = wire_json(o);
    // tshark 4.0 takes UDP 9060 for HCrt; check_sample.py decapsulates HEP itself.
    if (o.wire.hep != 0) truth.tshark_args = {"-d", "udp.port==9060,data"};
    if (o.truth) {
      std::ofstream f(*o.truth, std::ios::binary);
      f << truth.to_json().dump(2) << "\n";
      if (!f) throw std::runtime_error("cannot write " + *o.truth);
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_begin).count();
    std::fprintf(stderr,
                 "sipscope-gen: %s: %llu packets, %llu bytes, %llu SIP messages, %zu calls, %zu "
                 "RTP streams in %.2f s (%.0f packets/s)\n",
                 o.out.c_str(), static_cast<unsigned long long>(writer.packets()),
                 static_cast<unsigned long long>(writer.bytes()),
                 static_cast<unsigned long long>(truth.sip_messages()), truth.calls.size(),
                 truth.streams.size(), secs,
                 secs > 0 ? static_cast<double>(writer.packets()) / secs : 0.0);
  } catch (const std::exception& ex) {
    std::cerr << "sipscope-gen: " << ex.what() << "\n";
    return 2;
  }
  return 0;
}
