#include "web/api.hpp"

#include <charconv>
#include <exception>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string_view>

#include "capture/pcap_reader.hpp"
#include "export/call_slice.hpp"
#include "export/evidence.hpp"
#include "export/redact.hpp"
#include "report/json.hpp"
#include "report/ladder.hpp"
#include "report/render_activity.hpp"
#include "report/render_peers.hpp"
#include "report/render_registrations.hpp"
#include "report/render_stats.hpp"
#include "store/call_search.hpp"
#include "store/redaction_key.hpp"
#include "store/stats.hpp"
#include "store/store.hpp"
#include "store/streams.hpp"
#include "web/security.hpp"

namespace sipscope::web {

namespace {

using nlohmann::json;

// A request the API cannot answer as asked: 400 with the message.
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// 404 with the message.
struct NotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::optional<std::string> text_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  std::string v = req.get_param_value(name);
  if (v.empty()) return std::nullopt;
  return v;
}

std::optional<int64_t> int_param(const httplib::Request& req, const char* name) {
  const auto text = text_param(req, name);
  if (!text) return std::nullopt;
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc{} || end != text->data() + text->size()) {
    throw BadRequest(std::string(name) + " must be an integer");
  }
  return v;
}

bool flag_param(const httplib::Request& req, const char* name) {
  const auto v = text_param(req, name);
  return v && *v != "0" && *v != "false";
}

void send_json(httplib::Response& res, const json& body) {
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  send_json(res, json{{"error", message}});
}

// Runs a handler with a freshly opened read-only database; errors become JSON replies.
using DbHandler =
    std::function<void(const store::Database&, const httplib::Request&, httplib::Response&)>;
httplib::Server::Handler with_db(const std::string& db_path, DbHandler handler) {
  return
      [db_path, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
        try {
          const auto db = store::Database::open_read_only(db_path);
          handler(*db, req, res);
        } catch (const BadRequest& e) {
          send_error(res, 400, e.what());
        } catch (const NotFound& e) {
          send_error(res, 404, e.what());
        } catch (const store::CallFilterError& e) {
          send_error(res, 400, e.what());
        } catch (const std::exception& e) {
          send_error(res, 503, e.what());  // busy or unreadable database: the client retries
        }
      };
}

int64_t call_id_of(const store::Database& db, const httplib::Request& req) {
  int64_t id = 0;
  const std::string text = req.matches[1];
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || !store::get_call(db, id)) {
    throw NotFound("no call " + text);
  }
  return id;
}

// The call's ladder as report/json.hpp writes it, each stream with its time series, and
// redacted on ?redact=1.
report::Ladder ladder_of(const store::Database& db, int64_t id, bool redact) {
  auto ladder = report::build_ladder(db, {id});
  if (redact) {
    // The database's key when it has one (the same pseudonyms as `report --redact`); the
    // server never writes, so an older database gets a key for this response only.
    const auto key = store::read_redaction_key(db);
    export_::Redactor r =
        key ? export_::Redactor(export_::parse_key_hex(*key)) : export_::Redactor();
    r.learn_ladder(ladder);
    export_::redact_ladder(ladder, r);
  }
  return ladder;
}

json ladder_json(const report::Ladder& ladder) {
  json j = ladder;
  for (size_t i = 0; i < ladder.streams.size(); ++i) {
    json samples = json::array();
    for (const auto& p : ladder.streams[i].samples) {
      samples.push_back({{"start_us", p.start_us},
                         {"interval_ms", p.interval_ms},
                         {"packets", p.packets},
                         {"expected", p.expected},
                         {"lost", p.lost},
                         {"jitter_ms", p.jitter_ms ? json(*p.jitter_ms) : json(nullptr)}});
    }
    j["streams"][i]["samples"] = std::move(samples);
  }
  json rtcp = json::array();
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  for (const auto& p : ladder.rtcp) {
    rtcp.push_back({{"ts_us", p.ts_us},
                    {"packet_type", p.packet_type},
                    {"sender_ssrc", p.sender_ssrc},
                    {"source_ssrc", p.source_ssrc},
                    {"fraction_lost", opt(p.fraction_lost)},
                    {"cumulative_lost", opt(p.cumulative_lost)},
                    {"jitter_ms", opt(p.jitter_ms)},
                    {"rtt_ms", opt(p.rtt_ms)}});
  }
  j["rtcp"] = std::move(rtcp);
  return j;
}

json links_json(const store::Database& db, int64_t id) {
  json out = json::array();
  for (int64_t other : store::with_linked_calls(db, {id})) {
    if (other == id) continue;
    if (auto c = store::get_call(db, other)) out.push_back(*c);
  }
  return out;
}

void send_etagged(const httplib::Request& req, httplib::Response& res, const std::string& version,
                  const std::function<json()>& body) {
  const std::string etag = "\"" + version + "\"";
  res.set_header("ETag", etag);
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  send_json(res, body());
}

void get_calls(const store::Database& db, const httplib::Request& req, httplib::Response& res) {
  store::CallSearch s;
  s.q = text_param(req, "q");
  s.state = text_param(req, "state");
  s.since_us = int_param(req, "since_us");
  s.until_us = int_param(req, "until_us");
  if (const auto sort = text_param(req, "sort")) {
    const auto key = store::parse_search_sort(*sort);
    if (!key) throw BadRequest("sort must be start, id, duration, pdd, messages, code or state");
    s.sort = *key;
  }
  s.descending = text_param(req, "dir").value_or("asc") == "desc";
  s.offset = int_param(req, "offset").value_or(0);
  s.limit = int_param(req, "limit").value_or(50);
  if (s.offset < 0 || s.limit < 1 || s.limit > 1000) {
    throw BadRequest("offset must be >= 0 and limit in 1..1000");
  }
  // Read before the query: a commit in between shows as a change at the next poll.
  const std::string version = database_version(db.path());
  send_etagged(req, res, version, [&] {
    const auto page = store::search_calls(db, s);
    return json{{"total", page.total},
                {"offset", s.offset},
                {"limit", s.limit},
                {"version", version},
                {"calls", page.calls}};
  });
}

// The call's pcap slice, as `sipscope export --db DB ID --pcap F [--redact]` writes it
// (export/call_slice.hpp), from the original captures verified as export verifies them: a
// capture that is not there is 404, one that changed (or cannot be read as one) 409.
void send_pcap(const store::Database& db, const httplib::Request& req, httplib::Response& res) {
  const int64_t id = call_id_of(db, req);
  const bool redact = flag_param(req, "redact");
  export_::SliceOptions options{.capture_dir = "", .redact = redact};
  if (const auto key = redact ? store::read_redaction_key(db) : std::nullopt) {
    options.redact_key = export_::parse_key_hex(*key);  // the pseudonyms of `export --redact`
  }
  export_::Slice slice;
  try {
    slice = export_::build_slice(db, {id}, options);
  } catch (const export_::CaptureMissing& e) {
    throw NotFound(e.what());
  } catch (const export_::CaptureChanged& e) {
    send_error(res, 409, e.what());
    return;
  } catch (const capture::CaptureError& e) {
    send_error(res, 409, e.what());
    return;
  } catch (const export_::SliceError& e) {
    send_error(res, 409, e.what());
    return;
  }
  std::ostringstream out;
  export_::write_slice(out, slice);
  res.set_header("Content-Disposition", "attachment; filename=\"call-" + std::to_string(id) +
                                            (redact ? "-redacted" : "") + ".pcap\"");
  res.set_content(std::move(out).str(), "application/vnd.tcpdump.pcap");
}

void send_rendered_json(httplib::Response& res, const std::string& text) {
  res.set_content(text, "application/json; charset=utf-8");
}

}  // namespace

void register_api(httplib::Server& server, const std::string& db_path) {
  auto route = [&](const char* pattern, DbHandler h) {
    server.Get(pattern, with_db(db_path, std::move(h)));
  };
  route("/api/summary", [](const auto& db, const auto&, auto& res) {
    const auto s = store::summarize(db);
    send_json(res, {{"calls", s.calls},
                    {"calls_by_state", s.calls_by_state},
                    {"messages", s.messages},
                    {"anomalies", s.anomalies},
                    {"streams", s.streams},
                    {"diagnostics", s.diagnostics},
                    {"version", database_version(db.path())}});
  });
  route("/api/calls", get_calls);
  route("/api/calls/version", [](const auto& db, const auto&, auto& res) {
    send_json(res, {{"version", database_version(db.path())}});
  });
  route(R"(/api/calls/(\d+))", [](const auto& db, const auto& req, auto& res) {
    const int64_t id = call_id_of(db, req);
    const bool redact = flag_param(req, "redact");
    send_etagged(req, res, store::call_version(db, id) + (redact ? "r" : ""), [&] {
      json j = ladder_json(ladder_of(db, id, redact));
      j["links"] = redact ? json::array() : links_json(db, id);
      j["call_version"] = store::call_version(db, id);
      return j;
    });
  });
  route(R"(/api/calls/(\d+)/version)", [](const auto& db, const auto& req, auto& res) {
    send_json(res, {{"version", store::call_version(db, call_id_of(db, req))}});
  });
  // Parts of the call document: path -> member of ladder_json().
  static constexpr std::pair<const char*, const char*> kParts[] = {
      {R"(/api/calls/(\d+)/messages)", "events"},
      {R"(/api/calls/(\d+)/streams)", "streams"},
      {R"(/api/calls/(\d+)/diagnostics)", "diagnostics"},
      {R"(/api/calls/(\d+)/anomalies)", "anomalies"}};
  for (const auto& [path, member] : kParts) {
    route(path, [member = member](const auto& db, const auto& req, auto& res) {
      const int64_t id = call_id_of(db, req);
      send_json(res, ladder_json(ladder_of(db, id, flag_param(req, "redact")))[member]);
    });
  }
  route(R"(/api/calls/(\d+)/links)", [](const auto& db, const auto& req, auto& res) {
    send_json(res, links_json(db, call_id_of(db, req)));
  });
  route(R"(/api/calls/(\d+)/report\.html)", [](const auto& db, const auto& req, auto& res) {
    const int64_t id = call_id_of(db, req);
    const bool redact = flag_param(req, "redact");
    const auto ladder = ladder_of(db, id, redact);
    const std::string title =
        redact ? "sipscope report (redacted)" : "sipscope report: call " + std::to_string(id);
    res.set_header("Content-Disposition", "attachment; filename=\"call-" + std::to_string(id) +
                                              (redact ? "-redacted" : "") + ".html\"");
    res.set_content(report::render_html({ladder}, title), "text/html; charset=utf-8");
  });
  route(R"(/api/calls/(\d+)/pcap)", send_pcap);
  route("/api/streams", [](const auto& db, const auto& req, auto& res) {
    const auto page =
        store::search_streams(db, text_param(req, "q"), int_param(req, "offset").value_or(0),
                              int_param(req, "limit").value_or(50));
    send_json(res, {{"total", page.total}, {"streams", page.streams}});
  });
  route("/api/registrations", [](const auto& db, const auto& req, auto& res) {
    store::RegistrationFilter f{.result = text_param(req, "result"),
                                .user = text_param(req, "user"),
                                .limit = int_param(req, "limit")};
    send_rendered_json(res, report::render_registrations_json(store::list_registrations(db, f)));
  });
  route("/api/peers", [](const auto& db, const auto& req, auto& res) {
    store::PeerFilter f{.state = text_param(req, "state"), .peer = text_param(req, "peer")};
    send_rendered_json(res, report::render_peers_json(store::list_peers(db, f)));
  });
  route("/api/peer-events", [](const auto& db, const auto& req, auto& res) {
    store::PeerFilter f{.state = text_param(req, "state"), .peer = text_param(req, "peer")};
    send_rendered_json(res, report::render_peer_events_json(store::list_peer_events(db, f)));
  });
  route("/api/activity", [](const auto& db, const auto& req, auto& res) {
    store::ActivityFilter f{.kind = text_param(req, "kind"), .user = text_param(req, "user")};
    send_rendered_json(res, report::render_activity_json(store::list_activity(db, f)));
  });
  route("/api/stats", [](const auto& db, const auto&, auto& res) {
    send_rendered_json(res, report::render_stats_json(store::compute_stats(db)));
  });
}

}  // namespace sipscope::web
