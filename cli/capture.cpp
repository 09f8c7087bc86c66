// `sipscope capture -i IFACE ...`: live capture into a live database (WAL, committed every
// second, open calls shown as rows), through the same pipeline as `analyze`; a terminal
// shows finished calls and a status line. SIGINT/SIGTERM, --duration and --max-calls end
// it normally (exit 0); a second signal exits at once (exit 3).
#include "cli/capture.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>

#include "capture/capture_filter.hpp"
#include "capture/hep_listen.hpp"
#include "capture/live_source.hpp"
#include "capture/merged_source.hpp"
#include "capture/pcap_rotator.hpp"
#include "cli/hep_send.hpp"
#include "cli/live_sink.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/pipeline.hpp"
#include "cli/serve.hpp"
#include "store/query.hpp"

namespace sipscope::cli {
namespace {

volatile std::sig_atomic_t g_capture_stop = 0;

// A stream of a call that ended (BYE, final failure) is stored once silent this long: RTP
// still in flight at the BYE (an echo, the last packets of the other side) stays in it.
constexpr int64_t kEndedStreamIdleUs = 250'000;

// Signals taken so far. Two signals can run their handlers at the same time on two threads
// (the writer, the listeners): the count, not the flag, decides which one is the second.
std::atomic<int> g_signals{0};
static_assert(std::atomic<int>::is_always_lock_free, "used in a signal handler");

extern "C" void on_capture_signal(int /*signal*/) {
  // The second signal: leave at once. SQLite drops the uncommitted transaction, so the
  // database holds exactly the last commit (at most a second old).
  if (g_signals.fetch_add(1) != 0) _exit(kExitInterrupted);
  g_capture_stop = 1;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_capture_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // poll() still returns EINTR, which is what wakes the loop
  (void)sigaction(SIGINT, &sa, nullptr);
  (void)sigaction(SIGTERM, &sa, nullptr);
}

std::string ms_text(const std::optional<double>& ms) {
  if (!ms) return "-";
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.0f ms", *ms);
  return buf;
}

std::string seconds_text(const std::optional<double>& ms) {
  if (!ms) return "-";
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.1f s", *ms / 1000.0);
  return buf;
}

// One line per finished call: time, parties, state, code, PDD, duration, worst MOS.
std::string call_line(const FinishedCall& f) {
  const auto& r = f.row;
  std::string line = r.start_us ? format_time_us(*r.start_us) : std::string("-");
  line += "  " + r.from_user.value_or("?") + " -> " + r.to_user.value_or("?");
  line += "  ";
  line += correlate::call_state_name(r.state);
  line += "  " + (r.final_code ? std::to_string(*r.final_code) : std::string("-"));
  line += "  pdd " + ms_text(r.pdd_ms) + "  dur " + seconds_text(r.duration_ms);
  // Streams still open when the call ended: their MOS is not known yet (never a guess).
  char mos[32] = "-";
  if (f.worst_mos) (void)std::snprintf(mos, sizeof mos, "%.2f", *f.worst_mos);
  if (f.mos_pending && f.worst_mos) {
    (void)std::snprintf(mos, sizeof mos, "pending (so far %.2f)", *f.worst_mos);
  } else if (f.mos_pending) {
    (void)std::snprintf(mos, sizeof mos, "pending");
  }
  line += std::string("  mos ") + mos;
  return line;
}

struct Drops {
  uint64_t kernel = 0;
  uint64_t interface = 0;
  uint64_t packets = 0;
};

Drops total_drops(const std::vector<capture::CaptureInfo>& captures) {
  Drops d;
  for (const auto& c : captures) {
    d.kernel += c.kernel_drops.value_or(0);
    d.interface += c.interface_drops.value_or(0);
    d.packets += c.packets;
  }
  return d;
}

}  // namespace

CommandSpec capture_spec() {
  CommandSpec spec{
      "capture",
      "sipscope capture -i IFACE|any [-i IFACE2 ...] [--hep-listen [ADDR:]PORT ...]\n"
      "       [--hep-password P] [--hep-send [udp:|tcp:]ADDR:PORT [--hep-rtcp]]\n"
      "       [--filter BPF] --db FILE [--serve HOST:PORT [--token T]] [--snaplen N]\n"
      "       [--buffer MB] [--duration S] [--max-calls N] [--pcap-out DIR --rotate SIZE|SECONDS\n"
      "       --keep N]",
      "Captures live from network interfaces (libpcap; needs root or CAP_NET_RAW) into a\n"
      "SQLite database that readers can open at any moment (WAL): calls appear as\n"
      "in_progress rows when their INVITE is seen and are updated every second; finished\n"
      "calls, messages, streams and diagnostics are committed within a second. On a\n"
      "terminal prints one line per finished call and a status line. SIGINT/SIGTERM,\n"
      "--duration or --max-calls end it: open calls are stored as they stand and a\n"
      "summary with drop counts is printed (exit 0). A second signal exits at once (exit\n"
      "3; the database keeps its last commit). Exit 2: interface missing, permission\n"
      "denied, bad filter. --hep-listen also (or instead) collects HEP v1/v2/v3 from\n"
      "capture agents over UDP: SIP stored with the agent's addresses, ports and times\n"
      "(messages.hep_agent names the agent). See docs/capture.md and docs/hep.md.",
      po::options_description("Options"),
      po::options_description(),
      {}};
  spec.options.add_options()        //
      ("help,h", "show this help")  //
      ("interface,i", po::value<std::vector<std::string>>()->composing(),
       "interface to capture on ('any' = all of them); repeatable")  //
      ("hep-listen", po::value<std::vector<std::string>>()->composing(),
       "receive HEP over UDP on [ADDR:]PORT (ADDR default 127.0.0.1); repeatable")  //
      ("hep-password", po::value<std::string>(),
       "drop HEP packets whose auth key (chunk 14) differs; they are counted")  //
      ("filter", po::value<std::string>(),
       "BPF capture filter (default: SIP-capable traffic and every IP fragment; '' = none)")  //
      ("db", po::value<std::string>(), "SQLite file to write (replaced unless --append)")     //
      ("append", "add to an existing database instead of replacing it")                       //
      ("snaplen", po::value<int>()->default_value(capture::LiveOptions{}.snaplen),
       "bytes kept of each packet")  //
      ("buffer", po::value<int>()->default_value(capture::LiveOptions{}.buffer_mb),
       "kernel capture buffer per interface, MB")                                              //
      ("duration", po::value<double>(), "stop after this many seconds")                        //
      ("max-calls", po::value<uint64_t>(), "stop once this many calls have finished")          //
      ("pcap-out", po::value<std::string>(), "also write the raw packets as pcap files here")  //
      ("rotate", po::value<std::string>(),
       "start a new pcap file after SIZE bytes (100M, 1G, ...) or SECONDS (60s, 10m, 1h)")  //
      ("keep", po::value<size_t>()->default_value(0),
       "keep only the newest N pcap files (0 = all)")  //
      ("max-open-calls", po::value<size_t>()->default_value(correlate::Limits{}.max_open_calls),
       "open-call limit; beyond it the oldest call is flushed (anomaly call_table_full)")  //
      ("stream-idle-s", po::value<int64_t>()->default_value(10),
       "an RTP stream silent this long is finished and stored");
  spec.options.add_options()  //
      ("serve", po::value<std::string>(),
       "also serve the web UI on HOST:PORT (127.0.0.1:8080; docs/web.md): the call list and "
       "open call pages update as calls progress")  //
      ("token", po::value<std::string>(), "with --serve: require this token");
  add_hep_send_options(spec.options);
  return spec;
}

int run_capture(const Args& args) {
  const CommandSpec spec = capture_spec();
  int exit = kExitOk;
  const auto vm = parse_command(spec, args, exit);
  if (!vm) return exit;
  if (vm->count("interface") == 0U && vm->count("hep-listen") == 0U) {
    return usage_error("capture", "no interface (-i) or --hep-listen given");
  }
  if (vm->count("db") == 0U) return usage_error("capture", "--db FILE is required");
  capture::LiveOptions live;
  if (vm->count("interface") != 0U) {
    live.interfaces = (*vm)["interface"].as<std::vector<std::string>>();
  }
  capture::HepListenOptions hep_options;
  if (vm->count("hep-listen") != 0U) {
    hep_options.listen = (*vm)["hep-listen"].as<std::vector<std::string>>();
  }
  if (vm->count("hep-password") != 0U) {
    if (hep_options.listen.empty())
      return usage_error("capture", "--hep-password needs --hep-listen");
    hep_options.password = (*vm)["hep-password"].as<std::string>();
  }
  live.snaplen = (*vm)["snaplen"].as<int>();
  live.buffer_mb = (*vm)["buffer"].as<int>();
  if (live.snaplen < 64 || live.snaplen > 262'144)
    return usage_error("capture", "--snaplen must be between 64 and 262144");
  if (live.buffer_mb < 1 || live.buffer_mb > 4096)
    return usage_error("capture", "--buffer must be between 1 and 4096 (MB)");
  const int64_t stream_idle_s = (*vm)["stream-idle-s"].as<int64_t>();
  if (stream_idle_s < 1 || stream_idle_s > 3600)
    return usage_error("capture", "--stream-idle-s must be between 1 and 3600");
  std::optional<double> duration;
  if (vm->count("duration") != 0U) {
    duration = (*vm)["duration"].as<double>();
    if (!(*duration > 0)) return usage_error("capture", "--duration must be positive");
  }
  std::optional<uint64_t> max_calls;
  if (vm->count("max-calls") != 0U) {
    max_calls = (*vm)["max-calls"].as<uint64_t>();
    if (*max_calls == 0) return usage_error("capture", "--max-calls must be at least 1");
  }
  std::optional<capture::RotateOptions> rotate;
  if (vm->count("pcap-out") != 0U) {
    rotate.emplace();
    rotate->dir = (*vm)["pcap-out"].as<std::string>();
    rotate->keep = (*vm)["keep"].as<size_t>();
    rotate->snaplen = live.snaplen;
    std::string error;
    if (vm->count("rotate") != 0U &&
        !capture::parse_rotate((*vm)["rotate"].as<std::string>(), *rotate, error)) {
      return usage_error("capture", error);
    }
  } else if (vm->count("rotate") != 0U || (*vm)["keep"].as<size_t>() != 0) {
    return usage_error("capture", "--rotate and --keep need --pcap-out DIR");
  }
  const std::string db_path = (*vm)["db"].as<std::string>();
  auto hep_out = start_hep_sender(*vm, "capture", exit);
  if (exit != kExitOk) return exit;
  std::optional<web::ServeOptions> serve;
  if (vm->count("serve") != 0U) {
    std::optional<std::string> token;
    if (vm->count("token") != 0U) token = (*vm)["token"].as<std::string>();
    serve = serve_options(db_path, (*vm)["serve"].as<std::string>(), token, "capture", exit);
    if (!serve) return exit;
  } else if (vm->count("token") != 0U) {
    return usage_error("capture", "--token needs --serve");
  }

  // The filter: ours when none is given; the user's, with a warning when it would lose
  // the non-first fragments of a large SIP message.
  // Interfaces first: a typo, a missing permission or a bad filter never costs the database.
  if (vm->count("filter") != 0U) live.filter = (*vm)["filter"].as<std::string>();
  capture::LiveSource input(live, 0);
  std::optional<capture::HepListenSource> hep;
  if (!hep_options.listen.empty()) hep.emplace(hep_options);
  if (vm->count("filter") == 0U) {
    for (size_t i = 0; i < live.interfaces.size(); ++i) {
      input.set_filter(i, capture::default_filter(input.link_type(i)));
    }
  }
  if (vm->count("filter") != 0U && !live.filter.empty()) {
    for (size_t i = 0; i < live.interfaces.size(); ++i) {
      if (const auto fix = capture::fragment_safe_filter(live.filter, input.link_type(i))) {
        std::cerr << "sipscope capture: warning: filter '" << live.filter
                  << "' drops the non-first IP fragments of large SIP messages; use --filter '"
                  << *fix << "'\n";
        break;
      }
    }
  }

  auto store = store::Store::open(db_path, vm->count("append") != 0U ? store::Store::Mode::append
                                                                     : store::Store::Mode::replace);
  store->use_wal();
  for (size_t i = 0; i < live.interfaces.size(); ++i) {
    input.set_capture_id(i, store->add_capture(live.interfaces[i]));
  }
  for (size_t i = 0; hep && i < hep->size(); ++i) {
    hep->set_capture_id(i, store->add_capture(hep->name(i)));
  }
  // From here on every store write goes through the writer, in order (its own thread).
  store::RecordWriter writer(*store);
  // --pcap-out: each file is a captures row and frames are numbered in their file, so
  // export/report slice from the files as from any capture.
  std::optional<capture::PcapRotator> files;
  if (rotate) {
    std::vector<int> link_types;
    for (size_t i = 0; i < live.interfaces.size(); ++i) link_types.push_back(input.link_type(i));
    files.emplace(
        *rotate, live.interfaces, link_types,
        [&writer](const std::string& path) {
          return writer.sync([&](store::Store& s) { return s.add_capture(path); });
        },
        [&writer](const capture::CaptureInfo& c) {
          writer.push<&store::Store::finish_capture>(
              store::CaptureSummary{.capture_id = c.capture_id,
                                    .link_type = c.link_type,
                                    .first_us = c.first_us,
                                    .last_us = c.last_us,
                                    .packets = c.packets,
                                    .status = "complete"});
        });
    input.set_raw_sink(&*files);
  }
  writer.sync([](store::Store& s) { s.commit(); });
  // The database exists (WAL, first commit done): readers may come.
  std::optional<BackgroundServer> web_server;
  if (serve) web_server.emplace(*serve, "capture");

  PipelineOptions options;
  options.live = true;
  options.limits.first_call_id = writer.sync([](store::Store& s) { return s.next_call_id(); });
  options.limits.max_open_calls = (*vm)["max-open-calls"].as<size_t>();
  options.media_limits.stream_idle_us = stream_idle_s * 1'000'000;
  options.media_limits.ended_stream_idle_us = kEndedStreamIdleUs;
  LiveSink sink(writer);
  options.sink = &sink;
  options.hep = hep_out.get();
  options.hep_rtcp = vm->count("hep-rtcp") != 0U;
  options.on_open_call = [&sink](const correlate::CallRecord& row, bool streams_open) {
    sink.on_open_call(row, streams_open);
  };

  const bool tty = isatty(STDOUT_FILENO) != 0;
  const auto started = std::chrono::steady_clock::now();
  uint64_t last_sip = 0;
  options.progress = [&](const PipelineCounts& c) {
    if (files) files->flush();
    auto done = sink.take_finished();
    if (tty) {
      const Drops d = total_drops(input.captures());
      std::cout << "\r\033[K";
      for (const auto& f : done) std::cout << call_line(f) << "\n";
      std::cout << "packets " << c.frames << " | SIP " << (c.sip_messages - last_sip)
                << " msg/s | open calls " << c.open_calls << " | finished " << sink.finished_calls()
                << " | drops " << d.kernel + d.interface << std::flush;
    }
    last_sip = c.sip_messages;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if ((duration && elapsed >= *duration) || (max_calls && sink.finished_calls() >= *max_calls)) {
      g_capture_stop = 1;
    }
  };

  install_signal_handlers();
  // Interfaces and HEP listeners: one pipeline, the listeners read without waiting.
  std::optional<capture::MergedSource> merged;
  if (hep && !live.interfaces.empty()) {
    hep->set_wait_ms(0);
    merged.emplace(*hep, input);
  }
  capture::FrameSource& source = merged ? static_cast<capture::FrameSource&>(*merged)
                                 : hep  ? static_cast<capture::FrameSource&>(*hep)
                                        : static_cast<capture::FrameSource&>(input);
  const auto result = run_pipeline(source, writer, options, g_capture_stop);
  web_server.reset();
  if (files) files->finish();
  store->close();
  if (tty) {
    std::cout << "\r\033[K";
    for (const auto& f : sink.take_finished()) std::cout << call_line(f) << "\n";
  }

  for (const auto& c : result.captures) {
    if (c.link_type == capture::kLinkTypeRaw && c.path.starts_with("hep:")) {
      std::cout << "listener " << c.path << ": " << c.packets << " packets\n";
      continue;
    }
    std::cout << "interface " << c.path << ": " << c.packets << " packets, kernel drops "
              << c.kernel_drops.value_or(0) << ", interface drops " << c.interface_drops.value_or(0)
              << "\n";
    if (!c.error.empty()) std::cerr << "sipscope capture: error: " << c.error << "\n";
  }
  if (hep && !hep_options.password.empty()) {
    std::cout << "HEP packets dropped for a wrong auth key: " << hep->auth_failures() << "\n";
  }
  if (hep && (hep->non_sip_packets() != 0 || hep->framing_errors() != 0 ||
              hep->refused_connections() != 0)) {
    std::cout << "HEP packets not SIP (RTCP, logs; not stored): " << hep->non_sip_packets()
              << ", TCP framing errors: " << hep->framing_errors()
              << ", TCP agents refused: " << hep->refused_connections() << "\n";
  }
  if (hep_out) finish_hep_sender(*hep_out, std::cout);
  const auto db = store::Database::open_read_only(db_path);
  print_summary(*db, std::cout);
  std::cout << "database: " << db_path << "\n";
  return kExitOk;
}

}  // namespace sipscope::cli
