#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "report/json.hpp"
#include "report/ladder.hpp"
#include "report/render_calls.hpp"
#include "tests/store/fixtures.hpp"

namespace sipscope::report {
using namespace store;  // the rows, readers and fixtures the renderings are fed from
namespace {

using nlohmann::json;

Ladder sample_ladder() {
  Ladder l;
  l.calls.push_back(test::full_call(1, "abc@host"));
  l.calls.push_back(test::bare_call(2, "def@host"));
  l.participants = {{0, "192.0.2.1:5060", {}}, {1, "[2001:db8::2]:5060", {}}};
  LadderEvent invite;
  invite.message_id = 10;
  invite.call_id = 1;
  invite.ts_us = 1'709'294'400'123'456;
  invite.from = 0;
  invite.to = 1;
  invite.label = "INVITE";
  invite.transport = "UDP";
  invite.method = "INVITE";
  invite.cseq = 1;
  invite.cseq_method = "INVITE";
  invite.capture_id = 1;
  invite.frame = 5;
  invite.raw = "INVITE sip:bob@example.com SIP/2.0\r\nSubject: \"quoted\" <x>\r\n\r\n";
  LadderEvent ringing;
  ringing.message_id = 11;
  ringing.call_id = 1;
  ringing.ts_us = invite.ts_us + 250'000;
  ringing.delta_prev_us = 250'000;
  ringing.offset_us = 250'000;
  ringing.from = 1;
  ringing.to = 0;
  ringing.label = "180 Ringing";
  ringing.transport = "UDP";
  ringing.status_code = 180;
  ringing.retransmission = true;
  ringing.capture_id = 1;
  ringing.frame = 6;
  ringing.raw = "SIP/2.0 180 Ringing\r\n\r\n";
  l.events = {invite, ringing};
  return l;
}

TEST(RenderJson, LadderDocumentParsesBackWithEveryField) {
  const Ladder l = sample_ladder();
  const json j = json::parse(render_json(l));
  EXPECT_EQ(j.at("version"), 1);
  ASSERT_EQ(j.at("calls").size(), 2U);
  const json& c = j.at("calls")[0];
  EXPECT_EQ(c.at("id"), 1);
  EXPECT_EQ(c.at("sip_call_id"), "abc@host");
  EXPECT_EQ(c.at("group_id"), 7);
  EXPECT_EQ(c.at("from_user"), "alice");
  EXPECT_EQ(c.at("to_user"), "bob");
  EXPECT_EQ(c.at("from_uri"), "sip:alice@example.com");
  EXPECT_EQ(c.at("to_uri"), "sip:bob@example.com");
  EXPECT_EQ(c.at("caller_ip"), "192.0.2.1");
  EXPECT_EQ(c.at("callee_ip"), "192.0.2.2");
  EXPECT_EQ(c.at("transport"), "UDP");
  EXPECT_EQ(c.at("start_us"), 1'709'294'400'000'000);
  EXPECT_EQ(c.at("ring_us"), 1'709'294'400'250'000);
  EXPECT_EQ(c.at("answer_us"), 1'709'294'402'000'000);
  EXPECT_EQ(c.at("end_us"), 1'709'294'412'500'000);
  EXPECT_EQ(c.at("state"), "answered");
  EXPECT_EQ(c.at("final_code"), 200);
  EXPECT_EQ(c.at("final_reason"), "OK");
  EXPECT_EQ(c.at("hangup_by"), "caller");
  EXPECT_EQ(c.at("pdd_ms"), 250.0);
  EXPECT_EQ(c.at("duration_ms"), 10'500.0);
  EXPECT_EQ(c.at("message_count"), 6);
  // The calls columns and the ladder's first_seen_us and mid_dialog (docs/ladder-json.md).
  EXPECT_EQ(c.size(), 23U);
  EXPECT_EQ(c.at("mid_dialog"), false);

  // nullopt is JSON null, present (not omitted).
  const json& bare = j.at("calls")[1];
  for (const char* key : {"group_id", "from_user", "to_user", "from_uri", "to_uri", "caller_ip",
                          "callee_ip", "start_us", "ring_us", "answer_us", "end_us", "final_code",
                          "final_reason", "hangup_by", "pdd_ms", "duration_ms"}) {
    ASSERT_TRUE(bare.contains(key)) << key;
    EXPECT_TRUE(bare.at(key).is_null()) << key;
  }

  ASSERT_EQ(j.at("participants").size(), 2U);
  EXPECT_EQ(j.at("participants")[1].at("index"), 1);
  EXPECT_EQ(j.at("participants")[1].at("address"), "[2001:db8::2]:5060");

  ASSERT_EQ(j.at("events").size(), 2U);
  const json& e = j.at("events")[0];
  EXPECT_EQ(e.at("message_id"), 10);
  EXPECT_EQ(e.at("call_id"), 1);
  EXPECT_EQ(e.at("ts_us"), 1'709'294'400'123'456);
  // 1709294400 s = 2024-03-01T12:00:00Z (19783 days * 86400 + 12 h); .123456 s -> .123
  EXPECT_EQ(e.at("time"), "2024-03-01T12:00:00.123Z");
  EXPECT_EQ(e.at("delta_prev_us"), 0);
  EXPECT_EQ(e.at("offset_us"), 0);
  EXPECT_EQ(e.at("from"), 0);
  EXPECT_EQ(e.at("to"), 1);
  EXPECT_EQ(e.at("label"), "INVITE");
  EXPECT_EQ(e.at("transport"), "UDP");
  EXPECT_EQ(e.at("method"), "INVITE");
  EXPECT_TRUE(e.at("status_code").is_null());
  EXPECT_EQ(e.at("cseq"), 1);
  EXPECT_EQ(e.at("cseq_method"), "INVITE");
  EXPECT_EQ(e.at("retransmission"), false);
  EXPECT_EQ(e.at("capture_id"), 1);
  EXPECT_EQ(e.at("frame"), 5);
  EXPECT_EQ(e.at("raw"), l.events[0].raw);
  const json& r = j.at("events")[1];
  EXPECT_TRUE(r.at("method").is_null());
  EXPECT_EQ(r.at("status_code"), 180);
  EXPECT_EQ(r.at("retransmission"), true);
  EXPECT_TRUE(r.at("cseq").is_null());
  EXPECT_EQ(r.at("delta_prev_us"), 250'000);
}

TEST(RenderJson, InvalidUtf8IsReplacedNotFatal) {
  Ladder l = sample_ladder();
  l.events[0].raw = std::string(
      "A\xff\xfe"
      "B",
      4);
  l.calls[0].from_user = std::string("\xc3", 1);  // truncated 2-byte sequence
  std::string text;
  ASSERT_NO_THROW(text = render_json(l));
  const json j = json::parse(text);
  EXPECT_EQ(j.at("events")[0].at("raw"),
            "A\xEF\xBF\xBD\xEF\xBF\xBD"
            "B");  // U+FFFD twice
  EXPECT_EQ(j.at("calls")[0].at("from_user"), "\xEF\xBF\xBD");
}

TEST(RenderJson, CallsArray) {
  auto rows = call_rows({test::full_call(1, "a"), test::bare_call(2, "b")});
  rows[0].caller_port = 5062;
  rows[0].worst_mos = 4.41;
  rows[1].first_seen_us = 1'709'294'405'000'000;
  const json j = json::parse(render_calls_json(rows));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2U);
  EXPECT_EQ(j[0].at("sip_call_id"), "a");
  EXPECT_EQ(j[0].at("caller_port"), 5062);
  EXPECT_TRUE(j[0].at("callee_port").is_null());
  EXPECT_EQ(j[0].at("worst_mos"), 4.41);
  EXPECT_TRUE(j[0].at("loss_pct").is_null());
  EXPECT_EQ(j[0].at("mid_dialog"), false);
  EXPECT_TRUE(j[1].at("final_code").is_null());
  EXPECT_EQ(j[1].at("first_seen_us"), 1'709'294'405'000'000);
  EXPECT_EQ(j[1].at("mid_dialog"), true);
  EXPECT_TRUE(json::parse(render_calls_json({})).is_array());
}

// Listings are written element by element (report/listing.hpp JsonArray), yet the bytes
// must be nlohmann's dump of the whole array (indent 2, newline): parse and dump it whole
// to get the expectation. Hostile text (quotes, CR/LF, invalid UTF-8, nested objects at
// every depth) and the empty array included.
TEST(RenderJson, StreamedArrayIsTheDumpOfTheWholeArray) {
  auto c = test::full_call(1, "q\"uote\r\nnew{line}");
  c.from_user = "\xC3";  // cut UTF-8: replaced by U+FFFD, whole or streamed
  auto rows = call_rows({c, test::bare_call(2, "b"), test::full_call(3, "[]")});
  rows[1].first_seen_us = 1'709'294'405'000'000;
  std::ostringstream streamed;
  write_calls_json(streamed, rows_of(rows));
  const json whole = json::parse(streamed.str());
  ASSERT_EQ(whole.size(), 3U);
  EXPECT_EQ(streamed.str(), whole.dump(2) + "\n");
  EXPECT_EQ(render_calls_json({}), json::array().dump(2) + "\n");
}

// The model's marks and lists (docs/ladder-json.md): sdp and media_change per event, dtmf
// and links per ladder, first_seen_us and mid_dialog per call.
TEST(RenderJson, MarksDtmfLinksAndFirstSeen) {
  Ladder l = sample_ladder();
  l.calls = {test::bare_call(7, "mid")};
  for (auto& e : l.events) e.call_id = 7;
  l.events[0].sdp = true;
  l.events[0].media_change = "hold";
  l.dtmf = {{5, 7, 1'709'294'401'000'000, 40, "#", 80.0}};
  l.links = {{7, 3, "refer"}};
  const json j = json::parse(render_json(l));
  EXPECT_EQ(j.at("events")[0].at("sdp"), true);
  EXPECT_EQ(j.at("events")[0].at("media_change"), "hold");
  EXPECT_EQ(j.at("events")[1].at("sdp"), false);
  EXPECT_TRUE(j.at("events")[1].at("media_change").is_null());
  EXPECT_EQ(j.at("dtmf"), json::parse(R"([{"stream_id": 5, "call_id": 7, "ts_us": 1709294401000000,
      "frame": 40, "digit": "#", "duration_ms": 80.0}])"));
  EXPECT_EQ(j.at("links"),
            json::parse(R"([{"call_id": 7, "linked_call_id": 3, "reason": "refer"}])"));
  EXPECT_EQ(j.at("calls")[0].at("mid_dialog"), true);
  EXPECT_EQ(j.at("calls")[0].at("first_seen_us"), l.events[0].ts_us);
}

TEST(RenderJson, AdlToJsonForEmbedding) {
  const json j = sample_ladder().participants[0];
  // A hand-built participant without `addresses` is read as the one-endpoint node.
  EXPECT_EQ(j, (json{{"index", 0},
                     {"address", "192.0.2.1:5060"},
                     {"addresses", json::array({"192.0.2.1:5060"})}}));
}

TEST(RenderCsv, HeaderNullsAndRfc4180Quoting) {
  auto c = test::bare_call(2, "x,y");
  c.from_user = "say \"hi\"";
  c.to_user = "line\r\nbreak";
  c.final_code = 486;
  c.pdd_ms = 1.5;
  const std::string csv = render_calls_csv(call_rows({c}));
  const std::string header =
      "id,sip_call_id,group_id,from_user,to_user,from_uri,to_uri,caller_ip,callee_ip,transport,"
      "start_us,ring_us,answer_us,end_us,state,final_code,final_reason,hangup_by,pdd_ms,"
      "duration_ms,message_count,caller_port,callee_port,first_seen_us,worst_mos,loss_pct\r\n";
  // RFC 4180 §2: CRLF records; fields with comma or quote are quoted, quotes doubled; NULL
  // columns are empty fields. Wire text is terminal-safe like the table (issue 13.5): the
  // CR and LF inside a value become '?', so no field spans lines.
  const std::string row =
      "2,\"x,y\",,\"say \"\"hi\"\"\",line??break,,,,,TCP,,,,,unknown,486,,,1.5,,0,,,,,\r\n";
  EXPECT_EQ(csv, header + row);
}

TEST(RenderCsv, NoRowsIsJustTheHeader) {
  const std::string csv = render_calls_csv({});  // no rows
  EXPECT_EQ(csv.find("\r\n"), csv.size() - 2);
  EXPECT_EQ(csv.rfind("id,", 0), 0U);
}

}  // namespace
}  // namespace sipscope::report

namespace sipscope::report {
namespace {

// docs/ladder-json.md's example must have exactly the members render_json() emits, so the
// documentation cannot drift from the code.
std::set<std::string> keys(const nlohmann::json& object) {
  std::set<std::string> out;
  for (const auto& [k, v] : object.items()) out.insert(k);
  return out;
}

TEST(RenderJson, DocumentedExampleHasTheSameMembers) {
  std::ifstream in(std::string(SIPSCOPE_SOURCE_DIR) + "/docs/ladder-json.md");
  ASSERT_TRUE(in) << "docs/ladder-json.md missing";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto begin = doc.find("```json\n");
  ASSERT_NE(begin, std::string::npos);
  const auto end = doc.find("```", begin + 8);
  const auto example = nlohmann::json::parse(doc.substr(begin + 8, end - begin - 8));
  const auto actual = nlohmann::json::parse(render_json(sample_ladder()));
  EXPECT_EQ(keys(example), keys(actual));
  EXPECT_EQ(keys(example.at("calls")[0]), keys(actual.at("calls")[0]));
  EXPECT_EQ(keys(example.at("participants")[0]), keys(actual.at("participants")[0]));
  EXPECT_EQ(keys(example.at("events")[0]), keys(actual.at("events")[0]));
}

TEST(RenderJson, StreamCarriesRtcpReportNextToMeasured) {
  Ladder l = sample_ladder();
  StreamRow s;
  s.ssrc = 0x1234;
  s.packets = 100;
  s.lost = 2;
  s.rtcp_fraction_lost = 6.0 / 256;  // the 8-bit field 6 (RFC 3550 §6.4.1)
  s.rtcp_cumulative_lost = 2;
  s.rtcp_jitter_ms = 0.875;  // 7 units at 8000 Hz
  l.streams.push_back(s);
  const auto j = nlohmann::json::parse(render_json(l)).at("streams").at(0);
  EXPECT_EQ(j.at("lost"), 2);
  EXPECT_DOUBLE_EQ(j.at("rtcp_fraction_lost").get<double>(), 0.0234375);
  EXPECT_EQ(j.at("rtcp_cumulative_lost"), 2);
  EXPECT_DOUBLE_EQ(j.at("rtcp_jitter_ms").get<double>(), 0.875);
  EXPECT_TRUE(j.at("rtcp_rtt_ms").is_null());  // no LSR/DLSR pair seen
}

}  // namespace
}  // namespace sipscope::report
