#include "correlate/dialog.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::EventMaker;
using test::kA;
using test::kB;
using test::kMs;
using test::kP;
using test::kSec;
using test::kT0;

using S = DialogState;
using E = DialogEvent;

// RFC 3261 §12-§15 as a table: 1xx with To-tag -> early, 2xx -> confirmed, non-2xx final
// or another branch's answer ends an early dialog, BYE ends any dialog.
TEST(DialogStateTest, Transitions) {
  const std::vector<std::tuple<S, E, S>> table = {
      {S::early, E::provisional, S::early},
      {S::early, E::final_2xx, S::confirmed},
      {S::early, E::final_failure, S::terminated},
      {S::early, E::superseded, S::terminated},
      {S::early, E::bye, S::terminated},
      {S::confirmed, E::provisional, S::confirmed},
      {S::confirmed, E::final_2xx, S::confirmed},  // 2xx retransmission
      {S::confirmed, E::superseded, S::confirmed},
      {S::confirmed, E::bye, S::terminated},
      {S::terminated, E::final_2xx, S::terminated},
  };
  for (const auto& [from, event, to] : table) {
    EXPECT_EQ(next_dialog_state(from, event), to) << dialog_state_name(from);
  }
}

std::string sdp(std::string_view conn, std::string_view dir) {
  return "v=0\r\no=- 1 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 " + std::string(conn) +
         "\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n" +
         (dir.empty() ? "" : "a=" + std::string(dir) + "\r\n");
}

// RFC 3264 §8.4: sendonly / inactive put the peer on hold; RFC 2543 used c=0.0.0.0.
TEST(SdpHoldTest, DirectionAndNullAddress) {
  EXPECT_EQ(sdp_is_hold(sdp("192.0.2.10", "")), false);
  EXPECT_EQ(sdp_is_hold(sdp("192.0.2.10", "sendrecv")), false);
  EXPECT_EQ(sdp_is_hold(sdp("192.0.2.10", "recvonly")), false);
  EXPECT_EQ(sdp_is_hold(sdp("192.0.2.10", "sendonly")), true);
  EXPECT_EQ(sdp_is_hold(sdp("192.0.2.10", "inactive")), true);
  EXPECT_EQ(sdp_is_hold(sdp("0.0.0.0", "")), true);
  EXPECT_EQ(sdp_is_hold(""), std::nullopt);
  EXPECT_EQ(sdp_is_hold("not sdp"), std::nullopt);
}

// One message of the call "d1": `from_tag`/`to_tag` as given, optional extra headers/body.
std::string msg(std::string_view start, std::string_view cseq, std::string_view from_tag,
                std::string_view to_tag, std::string_view extra = "", std::string_view body = "") {
  std::string s(start);
  s += "\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK" + std::string(cseq.substr(0, 1)) +
       "\r\n";
  s += "From: <sip:1001@example.com>;tag=" + std::string(from_tag) + "\r\n";
  s +=
      "To: <sip:2002@example.com>" + (to_tag.empty() ? "" : ";tag=" + std::string(to_tag)) + "\r\n";
  s += "Call-ID: d1\r\nCSeq: " + std::string(cseq) + "\r\n" + std::string(extra);
  if (!body.empty()) s += "Content-Type: application/sdp\r\n";
  s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  return s;
}

class DialogSetTest : public ::testing::Test {
 protected:
  void send(int64_t ts, decode::Endpoint src, decode::Endpoint dst, const std::string& text) {
    const auto& ev = maker_.make(ts, src, dst, text);
    set_.observe(ev, summarize(*ev.message));
  }
  std::vector<DialogRecord> dialogs() {
    std::vector<DialogRecord> out;
    set_.records(9, out);
    return out;
  }
  std::vector<DiagnosticRecord> findings() {
    std::vector<DiagnosticRecord> out;
    set_.diagnostics(9, out);
    return out;
  }
  EventMaker maker_;
  DialogSet set_;
};

// Forking: two branches ring (To-tags b1 from B, b2 from P's other target), b1 answers.
// Two dialogs; b1 confirmed at the 200, b2 early and then over when b1 answered.
TEST_F(DialogSetTest, ForkingKeepsEarlyDialogsApart) {
  send(kT0, kA, kP, msg("INVITE sip:2002@example.com SIP/2.0", "1 INVITE", "a", ""));
  send(kT0 + 100 * kMs, kP, kA, msg("SIP/2.0 180 Ringing", "1 INVITE", "a", "b1"));
  send(kT0 + 150 * kMs, kP, kA, msg("SIP/2.0 183 Session Progress", "1 INVITE", "a", "b2"));
  send(kT0 + 200 * kMs, kP, kA, msg("SIP/2.0 180 Ringing", "1 INVITE", "a", "b2"));
  auto early = dialogs();
  ASSERT_EQ(early.size(), 2u);
  EXPECT_EQ(early[0].state, DialogState::early);
  EXPECT_EQ(early[1].state, DialogState::early);
  EXPECT_EQ(early[1].first_code, 183);

  send(kT0 + 2 * kSec, kP, kA, msg("SIP/2.0 200 OK", "1 INVITE", "a", "b1"));
  const auto d = dialogs();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].to_tag, "b1");
  EXPECT_EQ(d[0].state, DialogState::confirmed);
  EXPECT_EQ(d[0].created_us, kT0 + 100 * kMs);
  EXPECT_EQ(d[0].confirmed_us, kT0 + 2 * kSec);
  EXPECT_EQ(d[0].final_code, 200);
  EXPECT_EQ(d[0].remote_ip, "192.0.2.20");
  EXPECT_EQ(d[1].to_tag, "b2");
  EXPECT_EQ(d[1].state, DialogState::terminated);
  EXPECT_FALSE(d[1].confirmed_us.has_value());
  EXPECT_EQ(d[0].call_id, 9);
}

// Answered call, re-INVITE sendonly (hold), re-INVITE sendrecv (resume), UPDATE refresh
// without SDP (session timer), BYE from the callee: holds 1, reinvites 2, updates 1.
TEST_F(DialogSetTest, HoldResumeAndBye) {
  send(kT0, kA, kB, msg("INVITE sip:2002@example.com SIP/2.0", "1 INVITE", "a", ""));
  send(kT0 + kSec, kB, kA, msg("SIP/2.0 200 OK", "1 INVITE", "a", "b"));
  send(kT0 + 10 * kSec, kA, kB,
       msg("INVITE sip:2002@192.0.2.30 SIP/2.0", "2 INVITE", "a", "b", "",
           sdp("192.0.2.10", "sendonly")));
  send(kT0 + 10 * kSec + 50 * kMs, kB, kA, msg("SIP/2.0 200 OK", "2 INVITE", "a", "b"));
  send(kT0 + 20 * kSec, kA, kB,
       msg("INVITE sip:2002@192.0.2.30 SIP/2.0", "3 INVITE", "a", "b", "",
           sdp("192.0.2.10", "sendrecv")));
  send(kT0 + 30 * kSec, kA, kB, msg("UPDATE sip:2002@192.0.2.30 SIP/2.0", "4 UPDATE", "a", "b"));
  // The callee's BYE: its own tag in From.
  std::string bye = msg("BYE sip:1001@192.0.2.10 SIP/2.0", "1 BYE", "b", "a");
  send(kT0 + 40 * kSec, kB, kA, bye);
  const auto d = dialogs();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].state, DialogState::terminated);
  EXPECT_EQ(d[0].terminated_us, kT0 + 40 * kSec);
  EXPECT_EQ(d[0].reinvites, 2);
  EXPECT_EQ(d[0].updates, 1);
  EXPECT_EQ(d[0].holds, 1);
  const auto f = findings();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, DiagnosticKind::call_hold);
  EXPECT_EQ(f[0].ts_us, kT0 + 10 * kSec);
  EXPECT_EQ(f[0].frames, (std::vector<uint64_t>{3}));
  EXPECT_EQ(f[1].kind, DiagnosticKind::call_resume);
  EXPECT_EQ(f[1].ts_us, kT0 + 20 * kSec);
}

// RFC 3262: a reliable 183 (Require: 100rel, RSeq) is PRACKed in its early dialog.
TEST_F(DialogSetTest, PrackCountedAndMissingPrackFound) {
  send(kT0, kA, kB, msg("INVITE sip:2002@example.com SIP/2.0", "1 INVITE", "a", ""));
  send(kT0 + 100 * kMs, kB, kA,
       msg("SIP/2.0 183 Session Progress", "1 INVITE", "a", "b", "Require: 100rel\r\nRSeq: 1\r\n"));
  EXPECT_EQ(findings().size(), 1u);  // prack_missing so far
  EXPECT_EQ(findings()[0].kind, DiagnosticKind::prack_missing);
  send(kT0 + 150 * kMs, kA, kB,
       msg("PRACK sip:2002@192.0.2.30 SIP/2.0", "2 PRACK", "a", "b", "RAck: 1 1 INVITE\r\n"));
  EXPECT_TRUE(findings().empty());
  EXPECT_EQ(dialogs()[0].pracks, 1);
  EXPECT_EQ(dialogs()[0].state, DialogState::early);
}

// Races: the CANCEL crosses the 200 (§9.1: CANCEL after a final has no effect; the 200
// stands and the call must be ended with BYE); 487 after 200 is the UAS answering the
// CANCEL's INVITE anyway; a BYE before any 2xx.
TEST_F(DialogSetTest, CancelAndByeRaces) {
  send(kT0, kA, kB, msg("INVITE sip:2002@example.com SIP/2.0", "1 INVITE", "a", ""));
  send(kT0 + kSec, kB, kA, msg("SIP/2.0 200 OK", "1 INVITE", "a", "b"));
  send(kT0 + kSec + kMs, kA, kB, msg("CANCEL sip:2002@example.com SIP/2.0", "1 CANCEL", "a", ""));
  send(kT0 + kSec + 2 * kMs, kB, kA, msg("SIP/2.0 200 OK", "1 CANCEL", "a", "b"));
  send(kT0 + kSec + 3 * kMs, kB, kA, msg("SIP/2.0 487 Request Terminated", "1 INVITE", "a", "b"));
  const auto f = findings();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, DiagnosticKind::cancel_after_answer);
  EXPECT_EQ(f[1].kind, DiagnosticKind::request_terminated_after_answer);
  EXPECT_EQ(dialogs()[0].state, DialogState::confirmed);  // the 2xx made it; 487 cannot undo it
}

// Through a proxy every in-dialog request is seen twice (A -> P, P -> B): one PRACK and
// one re-INVITE each, not two (found by samples/prack.pcap, where PRACK crosses a proxy).
TEST_F(DialogSetTest, ProxiedRequestsCountOnce) {
  send(kT0, kA, kP, msg("INVITE sip:2002@example.com SIP/2.0", "1 INVITE", "a", ""));
  send(kT0 + 1 * kMs, kP, kB, msg("INVITE sip:2002@192.0.2.30 SIP/2.0", "1 INVITE", "a", ""));
  send(kT0 + 100 * kMs, kB, kP,
       msg("SIP/2.0 183 Session Progress", "1 INVITE", "a", "b", "Require: 100rel\r\nRSeq: 1\r\n"));
  for (const auto& [src, dst] : {std::pair{kA, kP}, std::pair{kP, kB}}) {
    send(kT0 + 150 * kMs, src, dst,
         msg("PRACK sip:2002@192.0.2.30 SIP/2.0", "2 PRACK", "a", "b", "RAck: 1 1 INVITE\r\n"));
  }
  send(kT0 + kSec, kB, kP, msg("SIP/2.0 200 OK", "1 INVITE", "a", "b"));
  for (const auto& [src, dst] : {std::pair{kA, kP}, std::pair{kP, kB}}) {
    send(kT0 + 10 * kSec, src, dst,
         msg("INVITE sip:2002@192.0.2.30 SIP/2.0", "3 INVITE", "a", "b", "",
             sdp("192.0.2.10", "sendonly")));
  }
  // The callee's own re-INVITE may reuse CSeq 3 in its CSeq space: a request of its own.
  send(kT0 + 20 * kSec, kB, kP,
       msg("INVITE sip:1001@192.0.2.10 SIP/2.0", "3 INVITE", "b", "a", "",
           sdp("192.0.2.30", "sendrecv")));
  const auto d = dialogs();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pracks, 1);
  EXPECT_EQ(d[0].reinvites, 2);
  EXPECT_EQ(d[0].holds, 1);
}

TEST_F(DialogSetTest, ByeBeforeAnswer) {
  send(kT0, kA, kB, msg("INVITE sip:2002@example.com SIP/2.0", "1 INVITE", "a", ""));
  send(kT0 + 100 * kMs, kB, kA, msg("SIP/2.0 180 Ringing", "1 INVITE", "a", "b"));
  send(kT0 + kSec, kA, kB, msg("BYE sip:2002@192.0.2.30 SIP/2.0", "2 BYE", "a", "b"));
  const auto f = findings();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, DiagnosticKind::bye_before_answer);
  EXPECT_EQ(dialogs()[0].state, DialogState::terminated);
}

// A B2BUA that keeps the Call-ID but has its own tags on the far leg (corpus
// heplify_erspan_sip_ipv4_udp: hold re-INVITEs in frames 45 and 47 on the two dialogs,
// resumes in 128 and 130): the hold it relays is one hold of the call, one call_hold (and
// one call_resume); each dialog still counts its own hold offer.
TEST_F(DialogSetTest, AHoldRelayedOnTheB2buasOtherDialogIsOneHold) {
  send(kT0, kA, kP, msg("INVITE sip:2002@example.com SIP/2.0", "1 INVITE", "a", ""));
  send(kT0 + kMs, kP, kB, msg("INVITE sip:2002@192.0.2.30 SIP/2.0", "1 INVITE", "c", ""));
  send(kT0 + kSec, kB, kP, msg("SIP/2.0 200 OK", "1 INVITE", "c", "d"));
  send(kT0 + kSec + kMs, kP, kA, msg("SIP/2.0 200 OK", "1 INVITE", "a", "b"));
  for (const char* dir : {"sendonly", "sendrecv"}) {
    const std::string cseq = dir[4] == 'o' ? "2 INVITE" : "3 INVITE";
    const int64_t at = dir[4] == 'o' ? 10 * kSec : 20 * kSec;
    send(kT0 + at, kA, kP,
         msg("INVITE sip:2002@192.0.2.20 SIP/2.0", cseq, "a", "b", "", sdp("192.0.2.10", dir)));
    send(kT0 + at + 3 * kMs, kP, kB,
         msg("INVITE sip:2002@192.0.2.30 SIP/2.0", cseq, "c", "d", "", sdp("192.0.2.20", dir)));
  }
  const auto f = findings();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, DiagnosticKind::call_hold);
  EXPECT_EQ(f[0].ts_us, kT0 + 10 * kSec);
  EXPECT_EQ(f[1].kind, DiagnosticKind::call_resume);
  EXPECT_EQ(f[1].ts_us, kT0 + 20 * kSec);
  const auto d = dialogs();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].holds, 1);
  EXPECT_EQ(d[1].holds, 1);
}

TEST_F(DialogSetTest, AByeOfACallFirstSeenMidDialogIsNotBeforeTheAnswer) {
  // The capture began after the INVITE and its 200 (corpus heplify_sip_ipv4_tcp_fragmented:
  // 21 calls whose first message is an in-dialog request): nothing says the call was
  // unanswered, so its BYE is no finding.
  send(kT0, kA, kB, msg("INFO sip:2002@192.0.2.30 SIP/2.0", "5 INFO", "a", "b"));
  send(kT0 + kSec, kA, kB, msg("BYE sip:2002@192.0.2.30 SIP/2.0", "6 BYE", "a", "b"));
  send(kT0 + kSec + kMs, kB, kA, msg("SIP/2.0 200 OK", "6 BYE", "a", "b"));
  EXPECT_TRUE(findings().empty());
}

}  // namespace
}  // namespace sipscope::correlate
