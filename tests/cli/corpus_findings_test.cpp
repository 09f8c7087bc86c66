// Findings on real third-party captures that issue 14 named, each against what the packets
// show (tshark's baseline dissection, or the frames read by hand as written here). Skipped
// with a message when the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/db_reader.hpp"
#include "tests/cli/run_command.hpp"

namespace sipscope::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus(SIPSCOPE_CORPUS_DIR);

// The capture analysed into a fresh database; "" (and the test skipped) without the corpus.
std::string analyse(const std::string& capture) {
  const fs::path pcap = kCorpus / "pcaps" / capture;
  if (!fs::exists(pcap)) return {};
  const auto dir = temp_dir("corpus-findings-" + capture);
  const std::string db = (dir / "c.db").string();
  const auto r = run(sipscope_cmd("analyze " + shell_quote(pcap.string()) + " --db " +
                                  shell_quote(db) + " --quiet"),
                     dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return db;
}

#define ANALYSE_OR_SKIP(db, capture)       \
  const std::string db = analyse(capture); \
  if (db.empty()) GTEST_SKIP() << "corpus not present at " << kCorpus << " (" << capture << ")"

// tshark's field dump of the capture's SIP messages (tshark-baseline/COMMANDS.md), one map
// per message, single-message frames only.
std::vector<std::map<std::string, std::string>> tshark_sip(const std::string& capture) {
  std::ifstream in(kCorpus / "tshark-baseline" / (capture + ".sip_msgs.tsv"));
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> out;
  std::string line;
  auto split = [](const std::string& l) {
    std::vector<std::string> v;
    std::stringstream ss(l);
    std::string f;
    while (std::getline(ss, f, '\t')) v.push_back(f);
    return v;
  };
  if (std::getline(in, line)) header = split(line);
  while (std::getline(in, line)) {
    const auto f = split(line);
    std::map<std::string, std::string> m;
    for (size_t i = 0; i < header.size(); ++i) m[header[i]] = i < f.size() ? f[i] : "";
    if (m["sip.Call-ID"].find(',') == std::string::npos) out.push_back(std::move(m));
  }
  return out;
}

// Frame 118 is "SIP/2.0 488 Not Acceptable Here" with "CSeq: 12 REFER" (tshark baseline):
// it refuses a transfer, not an SDP offer, so no codec_mismatch cites it. The holds: the
// B2BUA keeps the Call-ID and relays each hold re-INVITE on its other dialog (frames 45/47,
// 94/96, 99/101): three calls, one hold each, so one hold row per call, not three.
TEST(CorpusFindings, ErspanB2buaReferAndHolds) {
  const std::string capture = "heplify_erspan_sip_ipv4_udp.pcapng";
  ANALYSE_OR_SKIP(db, capture);
  bool saw_118 = false;
  for (const auto& m : tshark_sip(capture)) {
    if (m.at("frame.number") != "118") continue;
    saw_118 = true;
    EXPECT_EQ(m.at("sip.Status-Code"), "488");
    EXPECT_EQ(m.at("sip.CSeq"), "12 REFER");
  }
  ASSERT_TRUE(saw_118);
  EXPECT_EQ(query_int(db,
                      "SELECT count(*) FROM diagnostics WHERE kind = 'codec_mismatch' AND "
                      "(',' || frames || ',') LIKE '%,118,%'"),
            0);
  const auto rows = query(db,
                          "SELECT c.sip_call_id AS cid, count(d.id) AS holds FROM calls c LEFT "
                          "JOIN diagnostics d ON d.call_id = c.id AND d.kind IN ('hold', "
                          "'call_hold') GROUP BY c.id ORDER BY c.id");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows)
    EXPECT_EQ(std::get<int64_t>(r.at("holds")), 1) << std::get<std::string>(r.at("cid"));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM diagnostics WHERE kind = 'call_resume'"), 1);
  // Calls bf3880... and cdfef7... announce 192.168.1.222:38764 from two hosts (frames 63 from
  // 192.168.1.222, 65 from 192.168.1.191, 9.4 ms apart; and 12842 in frames 76/79, 8 ms):
  // one call's media bridged to the other (an attended transfer through the B2BUA).
  const auto links = query(db,
                           "SELECT a.sip_call_id AS a, b.sip_call_id AS b, l.reason AS reason "
                           "FROM call_links l JOIN calls a ON a.id = l.call_id JOIN calls b ON "
                           "b.id = l.linked_call_id");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(std::get<std::string>(links[0].at("reason")), "shared_media");
  EXPECT_EQ(std::get<std::string>(links[0].at("a")).substr(0, 12), "cdfef7c7647e");
  EXPECT_EQ(std::get<std::string>(links[0].at("b")).substr(0, 12), "bf3880-0-16e");
}

// Calls whose first SIP message (tshark baseline) is not an INVITE without To-tag began
// before the capture; 22 of them have a BYE (21 flagged bye_before_answer before this fix;
// the 22nd, 809021216592e81e..., showed a 200 to its INVITE, frame 354, before its BYE).
// None was shown unanswered, so none is bye_before_answer.
TEST(CorpusFindings, TcpFragmentedMidCallByesAreNotBeforeTheAnswer) {
  const std::string capture = "heplify_sip_ipv4_tcp_fragmented.pcap";
  ANALYSE_OR_SKIP(db, capture);
  std::map<std::string, bool> starts_with_invite;
  std::set<std::string> with_bye;
  for (const auto& m : tshark_sip(capture)) {
    const std::string& cid = m.at("sip.Call-ID");
    if (cid.empty()) continue;
    if (starts_with_invite.count(cid) == 0)
      starts_with_invite[cid] = m.at("sip.Method") == "INVITE" && m.at("sip.to.tag").empty();
    if (m.at("sip.Method") == "BYE") with_bye.insert(cid);
  }
  int mid_call_byes = 0;
  for (const auto& cid : with_bye) mid_call_byes += starts_with_invite[cid] ? 0 : 1;
  EXPECT_EQ(mid_call_byes, 22);
  EXPECT_EQ(query_int(db,
                      "SELECT count(DISTINCT c.id) FROM calls c JOIN messages m ON m.call_id = "
                      "c.id AND m.method = 'BYE' WHERE c.start_us IS NULL"),
            mid_call_byes);
  EXPECT_EQ(query_int(db,
                      "SELECT count(*) FROM diagnostics d JOIN calls c ON c.id = d.call_id "
                      "WHERE d.kind = 'bye_before_answer' AND c.start_us IS NULL"),
            0);
}

// Frames 3106, 3108, 3109, 3110, 3117, 3123 are 10.35.60.100:15580 -> 10.23.1.52:16756 UDP
// whose payload starts 80 08 07 28 ... 80 08 07 2d with SSRC 0e af 0e af: RTP (version 2,
// PCMA) seq 1832-1837, between 1831 (frame 3095) and 1838 (frame 3131). They arrive while
// the re-INVITE offering T.38 on 10.23.1.52:16756 (frame 3100) is pending, and that offer is
// answered 488 (frame 3114): RFC 3264 §8, the session is unchanged. tshark dissects them
// as T.38 and counts them lost (baseline: 1838 packets, 6 lost); the capture holds every
// packet of the stream: lost 0.
TEST(CorpusFindings, AudioDuringARejectedT38OfferIsNotLost) {
  const std::string capture = "heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap";
  ANALYSE_OR_SKIP(db, capture);
  const auto rows = query(db,
                          "SELECT packets, expected, lost FROM streams WHERE ssrc = 246353583 "
                          "AND src_port = 15580 AND dst_port = 16756");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(rows[0].at("lost")), 0);
  EXPECT_EQ(std::get<int64_t>(rows[0].at("packets")), std::get<int64_t>(rows[0].at("expected")));
}

// Frame 2 is a CANCEL (CSeq 2, no To-tag), frame 3 an ACK with a To-tag, both Call-ID
// 2091060b-...; the INVITE is not in the capture. RFC 3261 §9.1: a CANCEL cancels an
// INVITE, so both messages are one call.
TEST(CorpusFindings, ACancelWithoutItsInviteIsInItsCall) {
  const std::string capture = "pcpp_sip_reqs.pcap";
  ANALYSE_OR_SKIP(db, capture);
  const auto rows = query(db,
                          "SELECT frame, method, call_id FROM messages WHERE frame IN (2, 3) "
                          "ORDER BY frame");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(rows[0].at("method")), "CANCEL");
  ASSERT_TRUE(std::holds_alternative<int64_t>(rows[0].at("call_id")));
  EXPECT_EQ(rows[0].at("call_id"), rows[1].at("call_id"));
}

}  // namespace
}  // namespace sipscope::testing
