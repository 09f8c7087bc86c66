// Scenario captures for the SIP model behind the calls (issue 4): each test is a short
// capture written out message by message, fed through the CallTracker, with expectations
// derived by hand from RFC 3261 and the scenario (comments give the derivation).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "correlate/call_tracker.hpp"
#include "correlate/dialog.hpp"
#include "correlate/transaction.hpp"
#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::ep;
using test::Feeder;
using test::kA;
using test::kB;
using test::kMs;
using test::kP;
using test::kSec;
using test::kT0;
using test::VectorSink;

const decode::Endpoint kC = ep({192, 0, 2, 40});

// A SIP message: start line, one Via per `vias` entry ("host:port;branch=..."), the
// dialog headers, extra header lines and an optional SDP body.
struct Msg {
  std::string start;
  std::vector<std::string> vias;
  std::string from, to, call_id, cseq;
  std::string extra = {};
  std::string body = {};
  [[nodiscard]] std::string text() const {
    std::string s = start + "\r\n";
    for (const auto& v : vias) s += "Via: SIP/2.0/UDP " + v + "\r\n";
    s += "From: " + from + "\r\nTo: " + to + "\r\nCall-ID: " + call_id + "\r\nCSeq: " + cseq +
         "\r\n" + extra;
    if (!body.empty()) s += "Content-Type: application/sdp\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return s;
  }
};

std::string sdp(std::string_view dir) {
  return "v=0\r\no=- 1 2 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
         "m=audio 4000 RTP/AVP 0\r\na=" +
         std::string(dir) + "\r\n";
}

class ScenarioTest : public ::testing::Test {
 protected:
  void send(int64_t ts, decode::Endpoint src, decode::Endpoint dst, const Msg& m) {
    feed_.send(ts, src, dst, m.text());
  }
  [[nodiscard]] std::vector<std::string> diagnostic_kinds(int64_t call_id) const {
    std::vector<std::string> out;
    for (const auto& d : sink_.diagnostics) {
      if (d.call_id == call_id) out.emplace_back(diagnostic_kind_name(d.kind));
    }
    return out;
  }
  [[nodiscard]] std::vector<DialogRecord> dialogs_of(int64_t call_id) const {
    std::vector<DialogRecord> out;
    for (const auto& d : sink_.dialogs) {
      if (d.call_id == call_id) out.push_back(d);
    }
    return out;
  }
  const CallRecord& call(size_t i) {
    EXPECT_GT(sink_.calls.size(), i);
    if (sink_.calls.size() <= i) sink_.calls.resize(i + 1);
    return sink_.calls[i].row;
  }

  VectorSink sink_;
  CallTracker tracker_{sink_, {}};
  Feeder feed_{tracker_};
};

const std::string kAlice = "<sip:1001@example.com>;tag=a1";
const std::string kBobNoTag = "<sip:2002@example.com>";

// Forking: A -> P; P forks to B and C. Both ring (To-tags tb, tc), B answers, P CANCELs C
// (C answers 487 to P, P ACKs). The caller sees two early dialogs; one is confirmed.
// Expected (A's side): start T0, ring = first 180 at +300 ms -> pdd 300; answer +2 s;
// state answered; dialogs tb confirmed, tc terminated.
TEST_F(ScenarioTest, ForkingWithTwoEarlyDialogs) {
  const std::string va = "192.0.2.10:5060;branch=z9hG4bKa";
  const std::string vpb = "192.0.2.20:5060;branch=z9hG4bKpb";
  const std::string vpc = "192.0.2.20:5060;branch=z9hG4bKpc";
  const std::string id = "fork-1";
  auto inv = [&](std::vector<std::string> vias) {
    return Msg{
        "INVITE sip:2002@example.com SIP/2.0", std::move(vias), kAlice, kBobNoTag, id, "1 INVITE"};
  };
  auto resp = [&](std::string status, std::vector<std::string> vias, std::string tag,
                  std::string cseq = "1 INVITE") {
    return Msg{"SIP/2.0 " + status, std::move(vias), kAlice, kBobNoTag + ";tag=" + tag, id, cseq};
  };
  send(kT0, kA, kP, inv({va}));
  send(kT0 + 10 * kMs, kP, kB, inv({vpb, va}));
  send(kT0 + 11 * kMs, kP, kC, inv({vpc, va}));
  send(kT0 + 250 * kMs, kB, kP, resp("180 Ringing", {vpb, va}, "tb"));
  send(kT0 + 300 * kMs, kP, kA, resp("180 Ringing", {va}, "tb"));
  send(kT0 + 400 * kMs, kC, kP, resp("180 Ringing", {vpc, va}, "tc"));
  send(kT0 + 410 * kMs, kP, kA, resp("180 Ringing", {va}, "tc"));
  send(kT0 + 1990 * kMs, kB, kP, resp("200 OK", {vpb, va}, "tb"));
  send(kT0 + 2 * kSec, kP, kA, resp("200 OK", {va}, "tb"));
  Msg cancel{"CANCEL sip:2002@example.com SIP/2.0", {vpc, va}, kAlice, kBobNoTag, id, "1 CANCEL"};
  send(kT0 + 2 * kSec + kMs, kP, kC, cancel);
  send(kT0 + 2 * kSec + 5 * kMs, kC, kP, resp("200 OK", {vpc, va}, "tc", "1 CANCEL"));
  send(kT0 + 2 * kSec + 6 * kMs, kC, kP, resp("487 Request Terminated", {vpc, va}, "tc"));
  Msg ack487{"ACK sip:2002@example.com SIP/2.0", {vpc}, kAlice, kBobNoTag + ";tag=tc", id, "1 ACK"};
  send(kT0 + 2 * kSec + 7 * kMs, kP, kC, ack487);
  Msg ack{"ACK sip:2002@192.0.2.30 SIP/2.0",
          {"192.0.2.10:5060;branch=z9hG4bKack"},
          kAlice,
          kBobNoTag + ";tag=tb",
          id,
          "1 ACK"};
  send(kT0 + 2010 * kMs, kA, kP, ack);
  tracker_.finish(kT0 + 5 * kSec);

  const CallRecord& c = call(0);
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.final_code, 200);
  EXPECT_EQ(c.caller_ip, "192.0.2.10");
  EXPECT_EQ(c.ring_us, kT0 + 300 * kMs);
  EXPECT_DOUBLE_EQ(*c.pdd_ms, 300.0);
  EXPECT_EQ(c.answer_us, kT0 + 2 * kSec);

  // The caller-side dialogs: the 180 from P with tb, the 180 with tc. Dialogs are kept per
  // To-tag; the same tag seen on another hop is the same dialog.
  const auto d = dialogs_of(c.id);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].to_tag, "tb");
  EXPECT_EQ(d[0].state, DialogState::confirmed);
  EXPECT_EQ(d[1].to_tag, "tc");
  EXPECT_EQ(d[1].state, DialogState::terminated);
  EXPECT_EQ(d[1].final_code, 487);

  // Transactions per hop (§17): INVITE A->P, P->B, P->C, CANCEL P->C, 2xx ACK A->P.
  // The non-2xx ACK P->C joins the P->C INVITE transaction.
  ASSERT_EQ(sink_.transactions.size(), 5u);
  int invites = 0;
  for (const auto& t : sink_.transactions) invites += t.method == "INVITE" ? 1 : 0;
  EXPECT_EQ(invites, 3);
  // No message is a retransmission: each copy is on another hop or another To-tag.
  for (const auto& m : sink_.calls[0].messages) EXPECT_FALSE(m.retransmission) << m.frame;
  const auto kinds = diagnostic_kinds(c.id);
  EXPECT_TRUE(kinds.empty()) << (kinds.empty() ? "" : kinds[0]);
}

// CANCEL race: the CANCEL crosses the 200. RFC 3261 §9.1: the 200 stands; the call is
// answered and ended by BYE. The CANCEL's 200 after the INVITE's 200 is a finding.
TEST_F(ScenarioTest, CancelRaceAfterAnswer) {
  const std::string va = "192.0.2.10:5060;branch=z9hG4bKa";
  const std::string id = "race-1";
  Msg inv{"INVITE sip:2002@example.com SIP/2.0", {va}, kAlice, kBobNoTag, id, "1 INVITE"};
  Msg ok{"SIP/2.0 200 OK", {va}, kAlice, kBobNoTag + ";tag=b", id, "1 INVITE"};
  Msg cancel{"CANCEL sip:2002@example.com SIP/2.0", {va}, kAlice, kBobNoTag, id, "1 CANCEL"};
  Msg cancel_ok{"SIP/2.0 200 OK", {va}, kAlice, kBobNoTag + ";tag=b", id, "1 CANCEL"};
  Msg ack{"ACK sip:2002@192.0.2.30 SIP/2.0",
          {"192.0.2.10:5060;branch=z9hG4bKk"},
          kAlice,
          kBobNoTag + ";tag=b",
          id,
          "1 ACK"};
  Msg bye{"BYE sip:2002@192.0.2.30 SIP/2.0",
          {"192.0.2.10:5060;branch=z9hG4bKy"},
          kAlice,
          kBobNoTag + ";tag=b",
          id,
          "2 BYE"};
  Msg bye_ok{
      "SIP/2.0 200 OK", {"192.0.2.10:5060;branch=z9hG4bKy"}, kAlice, kBobNoTag + ";tag=b", id,
      "2 BYE"};
  send(kT0, kA, kB, inv);
  send(kT0 + 3 * kSec, kB, kA, ok);
  send(kT0 + 3 * kSec + 1 * kMs, kA, kB, cancel);
  send(kT0 + 3 * kSec + 3 * kMs, kB, kA, cancel_ok);
  send(kT0 + 3 * kSec + 4 * kMs, kA, kB, ack);
  send(kT0 + 3 * kSec + 5 * kMs, kA, kB, bye);
  send(kT0 + 3 * kSec + 8 * kMs, kB, kA, bye_ok);
  tracker_.finish(kT0 + 10 * kSec);
  const CallRecord& c = call(0);
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.hangup_by, Party::caller);
  EXPECT_DOUBLE_EQ(*c.duration_ms, 5.0);
  EXPECT_EQ(diagnostic_kinds(c.id), std::vector<std::string>{"cancel_after_answer"});
}

// Hold and resume by re-INVITE (RFC 3264 §8.4), then BYE from the callee.
TEST_F(ScenarioTest, ReInviteHoldResume) {
  const std::string id = "hold-1";
  const std::string bob = kBobNoTag + ";tag=b";
  auto via = [](std::string b) { return std::vector<std::string>{"192.0.2.10:5060;branch=" + b}; };
  send(kT0, kA, kB,
       {"INVITE sip:2002@example.com SIP/2.0", via("z9hG4bK1"), kAlice, kBobNoTag, id, "1 INVITE",
        "", sdp("sendrecv")});
  send(kT0 + kSec, kB, kA, {"SIP/2.0 200 OK", via("z9hG4bK1"), kAlice, bob, id, "1 INVITE"});
  send(kT0 + kSec + kMs, kA, kB, {"ACK sip:b SIP/2.0", via("z9hG4bK2"), kAlice, bob, id, "1 ACK"});
  send(kT0 + 10 * kSec, kA, kB,
       {"INVITE sip:b SIP/2.0", via("z9hG4bK3"), kAlice, bob, id, "2 INVITE", "", sdp("sendonly")});
  send(kT0 + 10 * kSec + 40 * kMs, kB, kA,
       {"SIP/2.0 200 OK", via("z9hG4bK3"), kAlice, bob, id, "2 INVITE", "", sdp("recvonly")});
  send(kT0 + 10 * kSec + 50 * kMs, kA, kB,
       {"ACK sip:b SIP/2.0", via("z9hG4bK4"), kAlice, bob, id, "2 ACK"});
  send(kT0 + 20 * kSec, kA, kB,
       {"INVITE sip:b SIP/2.0", via("z9hG4bK5"), kAlice, bob, id, "3 INVITE", "", sdp("sendrecv")});
  send(kT0 + 20 * kSec + 40 * kMs, kB, kA,
       {"SIP/2.0 200 OK", via("z9hG4bK5"), kAlice, bob, id, "3 INVITE"});
  send(kT0 + 20 * kSec + 50 * kMs, kA, kB,
       {"ACK sip:b SIP/2.0", via("z9hG4bK6"), kAlice, bob, id, "3 ACK"});
  send(kT0 + 31 * kSec, kB, kA,
       {"BYE sip:a SIP/2.0", {"192.0.2.30:5060;branch=z9hG4bK7"}, bob, kAlice, id, "1 BYE"});
  send(kT0 + 31 * kSec + 10 * kMs, kA, kB,
       {"SIP/2.0 200 OK", {"192.0.2.30:5060;branch=z9hG4bK7"}, bob, kAlice, id, "1 BYE"});
  tracker_.finish(kT0 + 40 * kSec);
  const CallRecord& c = call(0);
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.answer_us, kT0 + kSec);  // re-INVITE 200s are not the answer
  EXPECT_DOUBLE_EQ(*c.duration_ms, 30'000.0);
  EXPECT_EQ(c.hangup_by, Party::callee);
  EXPECT_EQ(diagnostic_kinds(c.id), (std::vector<std::string>{"call_hold", "call_resume"}));
  const auto d = dialogs_of(c.id);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].reinvites, 2);
  EXPECT_EQ(d[0].holds, 1);
  EXPECT_EQ(d[0].state, DialogState::terminated);
}

// RFC 3262: reliable 183 (RSeq 1), PRACK / 200, then 200 to the INVITE.
// pdd = 183 at +200 ms (18x counts as ringing); the PRACK is its own transaction.
TEST_F(ScenarioTest, PrackForReliableProvisional) {
  const std::string id = "prack-1";
  const std::string bob = kBobNoTag + ";tag=b";
  auto via = [](std::string b) { return std::vector<std::string>{"192.0.2.10:5060;branch=" + b}; };
  send(kT0, kA, kB,
       {"INVITE sip:2002@example.com SIP/2.0", via("z9hG4bK1"), kAlice, kBobNoTag, id, "1 INVITE",
        "Supported: 100rel\r\n"});
  send(kT0 + 200 * kMs, kB, kA,
       {"SIP/2.0 183 Session Progress", via("z9hG4bK1"), kAlice, bob, id, "1 INVITE",
        "Require: 100rel\r\nRSeq: 1\r\n"});
  // The UAS retransmits the reliable 183 until PRACKed (RFC 3262 §3).
  send(kT0 + 700 * kMs, kB, kA,
       {"SIP/2.0 183 Session Progress", via("z9hG4bK1"), kAlice, bob, id, "1 INVITE",
        "Require: 100rel\r\nRSeq: 1\r\n"});
  send(
      kT0 + 710 * kMs, kA, kB,
      {"PRACK sip:b SIP/2.0", via("z9hG4bK2"), kAlice, bob, id, "2 PRACK", "RAck: 1 1 INVITE\r\n"});
  send(kT0 + 720 * kMs, kB, kA, {"SIP/2.0 200 OK", via("z9hG4bK2"), kAlice, bob, id, "2 PRACK"});
  send(kT0 + 3 * kSec, kB, kA, {"SIP/2.0 200 OK", via("z9hG4bK1"), kAlice, bob, id, "1 INVITE"});
  send(kT0 + 3 * kSec + kMs, kA, kB,
       {"ACK sip:b SIP/2.0", via("z9hG4bK3"), kAlice, bob, id, "1 ACK"});
  tracker_.finish(kT0 + 4 * kSec);
  const CallRecord& c = call(0);
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_DOUBLE_EQ(*c.pdd_ms, 200.0);
  EXPECT_TRUE(sink_.calls[0].messages[2].retransmission);  // the second 183
  EXPECT_TRUE(diagnostic_kinds(c.id).empty());
  const auto d = dialogs_of(c.id);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].pracks, 1);
  EXPECT_EQ(d[0].first_code, 183);
  ASSERT_EQ(sink_.transactions.size(), 3u);  // INVITE, PRACK, ACK
  EXPECT_EQ(sink_.transactions[1].method, "PRACK");
  EXPECT_DOUBLE_EQ(*sink_.transactions[1].response_ms, 10.0);
}

// 200 OK retransmitted (T1, 2*T1) and never ACKed: the UAS gives up after 64*T1 and sends
// BYE (RFC 3261 §13.3.1.4). Two 200 copies are retransmissions; finding no_ack_for_2xx.
TEST_F(ScenarioTest, OkRetransmittedWithoutAck) {
  const std::string id = "noack-1";
  const std::string bob = kBobNoTag + ";tag=b";
  const std::vector<std::string> v1{"192.0.2.10:5060;branch=z9hG4bK1"};
  send(kT0, kA, kB, {"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, id, "1 INVITE"});
  send(kT0 + kSec, kB, kA, {"SIP/2.0 200 OK", v1, kAlice, bob, id, "1 INVITE"});
  send(kT0 + 1500 * kMs, kB, kA, {"SIP/2.0 200 OK", v1, kAlice, bob, id, "1 INVITE"});
  send(kT0 + 2500 * kMs, kB, kA, {"SIP/2.0 200 OK", v1, kAlice, bob, id, "1 INVITE"});
  send(kT0 + 33 * kSec, kB, kA,
       {"BYE sip:a SIP/2.0", {"192.0.2.30:5060;branch=z9hG4bK9"}, bob, kAlice, id, "1 BYE"});
  tracker_.finish(kT0 + 34 * kSec);
  const CallRecord& c = call(0);
  EXPECT_EQ(c.state, CallState::answered);
  const auto& m = sink_.calls[0].messages;
  ASSERT_EQ(m.size(), 5u);
  EXPECT_FALSE(m[1].retransmission);
  EXPECT_TRUE(m[2].retransmission);
  EXPECT_TRUE(m[3].retransmission);
  // BYE at +33 s with no 200 within the capture (+34 s): request_no_response too.
  EXPECT_EQ(diagnostic_kinds(c.id),
            (std::vector<std::string>{"no_ack_for_2xx", "request_no_response"}));
  EXPECT_EQ(tracker_.stats().retransmissions, 2u);
}

// INVITE never answered at all: retransmitted per Timer A (0, 0.5, 1.5, 3.5 s) until
// Timer B (64*T1 = 32 s) -> finding timer_b_expired; the call is no_answer.
TEST_F(ScenarioTest, InviteNeverAnswered) {
  const std::vector<std::string> v1{"192.0.2.10:5060;branch=z9hG4bK1"};
  Msg inv{"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, "lost-1", "1 INVITE"};
  for (int64_t at : {0, 500, 1500, 3500}) send(kT0 + at * kMs, kA, kB, inv);
  tracker_.finish(kT0 + 40 * kSec);
  const CallRecord& c = call(0);
  EXPECT_EQ(c.state, CallState::no_answer);
  EXPECT_EQ(diagnostic_kinds(c.id), std::vector<std::string>{"timer_b_expired"});
  ASSERT_EQ(sink_.transactions.size(), 1u);
  EXPECT_EQ(sink_.transactions[0].requests, 4);
  EXPECT_EQ(sink_.transactions[0].retransmissions, 3);
  EXPECT_EQ(sink_.transactions[0].state, TxState::terminated);
}

// A B2BUA: A -> X (Call-ID a-leg), X -> B (Call-ID b-leg, X-Call-ID: a-leg). Two calls,
// linked with reason x_call_id, both in group 1 (the earlier leg's id).
TEST_F(ScenarioTest, B2buaLinkedByXCallId) {
  const std::vector<std::string> v1{"192.0.2.10:5060;branch=z9hG4bK1"};
  const std::vector<std::string> v2{"192.0.2.20:5060;branch=z9hG4bK2"};
  send(kT0, kA, kP,
       {"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, "a-leg", "1 INVITE"});
  send(kT0 + 5 * kMs, kP, kB,
       {"INVITE sip:2002@192.0.2.30 SIP/2.0", v2, "<sip:1001@x>;tag=x1", kBobNoTag, "b-leg",
        "1 INVITE", "X-Call-ID: a-leg\r\n"});
  tracker_.finish(kT0 + kSec);
  ASSERT_EQ(sink_.links.size(), 1u);
  EXPECT_EQ(sink_.links[0].call_id, 2);
  EXPECT_EQ(sink_.links[0].linked_call_id, 1);
  EXPECT_EQ(sink_.links[0].reason, "x_call_id");
  EXPECT_EQ(sink_.links[0].group_id, 1);
  EXPECT_EQ(call(0).group_id, 1);
  EXPECT_EQ(call(1).group_id, 1);
  EXPECT_EQ(tracker_.stats().call_links, 1u);
}

// RFC 7989: the B2BUA keeps the caller's Session-ID local UUID on the far leg.
TEST_F(ScenarioTest, B2buaLinkedBySessionId) {
  const std::string sid =
      "Session-ID: ab30317f1a784dc48ff824d0d3715d86;remote=00000000000000000000000000000000\r\n";
  const std::vector<std::string> v1{"192.0.2.10:5060;branch=z9hG4bK1"};
  const std::vector<std::string> v2{"192.0.2.20:5060;branch=z9hG4bK2"};
  send(kT0, kA, kP,
       {"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, "s-a", "1 INVITE", sid});
  send(kT0 + 5 * kMs, kP, kB,
       {"INVITE sip:2002@192.0.2.30 SIP/2.0", v2, "<sip:1001@x>;tag=x1", kBobNoTag, "s-b",
        "1 INVITE", sid});
  // An unrelated call with the null UUID links to nothing.
  send(kT0 + 6 * kMs, kA, kP,
       {"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, "s-c", "1 INVITE",
        "Session-ID: 00000000000000000000000000000000\r\n"});
  tracker_.finish(kT0 + kSec);
  ASSERT_EQ(sink_.links.size(), 1u);
  EXPECT_EQ(sink_.links[0].reason, "session_id");
  EXPECT_EQ(sink_.links[0].call_id, 2);
  EXPECT_EQ(sink_.links[0].linked_call_id, 1);
  EXPECT_FALSE(call(2).group_id.has_value());
}

TEST_F(ScenarioTest, LinkedByIcid) {
  const std::string pcv =
      "P-Charging-Vector: "
      "icid-value=\"AyretyU0dm+6O2IrT5tAFrbHLso=023551024\";orig-ioi=home1.net\r\n";
  const std::vector<std::string> v1{"192.0.2.10:5060;branch=z9hG4bK1"};
  send(kT0, kA, kP,
       {"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, "i-a", "1 INVITE", pcv});
  send(kT0 + 5 * kMs, kP, kB,
       {"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, "i-b", "1 INVITE", pcv});
  tracker_.finish(kT0 + kSec);
  ASSERT_EQ(sink_.links.size(), 1u);
  EXPECT_EQ(sink_.links[0].reason, "icid");
}

// Blind transfer (RFC 3515, RFC 5589): in call 1 (A-B) B sends REFER to A with
// Refer-To: sip:3003@example.com; A INVITEs 3003 with Referred-By; the NOTIFY sipfrag
// stays in call 1 (same Call-ID). Call 2 is linked to call 1 with reason refer.
TEST_F(ScenarioTest, ReferTransferLinksNewCall) {
  const std::string id = "xfer-1";
  const std::string bob = kBobNoTag + ";tag=b";
  auto va = [](std::string b) { return std::vector<std::string>{"192.0.2.10:5060;branch=" + b}; };
  auto vb = [](std::string b) { return std::vector<std::string>{"192.0.2.30:5060;branch=" + b}; };
  send(kT0, kA, kB,
       {"INVITE sip:2002@example.com SIP/2.0", va("z9hG4bK1"), kAlice, kBobNoTag, id, "1 INVITE"});
  send(kT0 + kSec, kB, kA, {"SIP/2.0 200 OK", va("z9hG4bK1"), kAlice, bob, id, "1 INVITE"});
  send(kT0 + kSec + kMs, kA, kB, {"ACK sip:b SIP/2.0", va("z9hG4bK2"), kAlice, bob, id, "1 ACK"});
  send(kT0 + 5 * kSec, kB, kA,
       {"REFER sip:a SIP/2.0", vb("z9hG4bK3"), bob, kAlice, id, "1 REFER",
        "Refer-To: <sip:3003@example.com>\r\nReferred-By: <sip:2002@example.com>\r\n"});
  send(kT0 + 5 * kSec + 5 * kMs, kA, kB,
       {"SIP/2.0 202 Accepted", vb("z9hG4bK3"), bob, kAlice, id, "1 REFER"});
  send(kT0 + 5 * kSec + 10 * kMs, kA, kC,
       {"INVITE sip:3003@example.com SIP/2.0", va("z9hG4bK4"), "<sip:1001@example.com>;tag=a2",
        "<sip:3003@example.com>", "xfer-2", "1 INVITE", "Referred-By: <sip:2002@example.com>\r\n"});
  send(kT0 + 5 * kSec + 20 * kMs, kA, kB,
       {"NOTIFY sip:b SIP/2.0", va("z9hG4bK5"), kAlice, bob, id, "2 NOTIFY",
        "Event: refer\r\nSubscription-State: active\r\nContent-Type: message/sipfrag\r\n"});
  tracker_.finish(kT0 + 6 * kSec);
  ASSERT_EQ(sink_.calls.size(), 2u);
  EXPECT_EQ(sink_.calls[0].messages.size(), 6u);  // the NOTIFY belongs to call 1
  ASSERT_EQ(sink_.links.size(), 1u);
  EXPECT_EQ(sink_.links[0].call_id, 2);
  EXPECT_EQ(sink_.links[0].linked_call_id, 1);
  EXPECT_EQ(sink_.links[0].reason, "refer");
}

// Attended transfer: the new INVITE carries Replaces naming the call it replaces.
TEST_F(ScenarioTest, ReplacesLinksReplacedCall) {
  const std::vector<std::string> v1{"192.0.2.10:5060;branch=z9hG4bK1"};
  send(kT0, kA, kB,
       {"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, "old-1", "1 INVITE"});
  send(kT0 + kSec, kC, kB,
       {"INVITE sip:2002@example.com SIP/2.0",
        {"192.0.2.40:5060;branch=z9hG4bK9"},
        "<sip:3003@example.com>;tag=c1",
        kBobNoTag,
        "new-1",
        "1 INVITE",
        "Replaces: old-1;to-tag=b;from-tag=a1\r\n"});
  tracker_.finish(kT0 + 2 * kSec);
  ASSERT_EQ(sink_.links.size(), 1u);
  EXPECT_EQ(sink_.links[0].reason, "replaces");
}

// A proxy that Record-Routes: every in-dialog request goes A -> P -> B. Each hop is its own
// transaction; the call row is the caller's side (pdd/duration from A's messages).
TEST_F(ScenarioTest, ProxyWithRecordRoute) {
  const std::string id = "rr-1";
  const std::string bob = kBobNoTag + ";tag=b";
  const std::string rr = "Record-Route: <sip:192.0.2.20;lr>\r\n";
  const std::string va = "192.0.2.10:5060;branch=z9hG4bKa";
  const std::string vp = "192.0.2.20:5060;branch=z9hG4bKp";
  send(kT0, kA, kP,
       {"INVITE sip:2002@example.com SIP/2.0", {va}, kAlice, kBobNoTag, id, "1 INVITE"});
  send(kT0 + 5 * kMs, kP, kA, {"SIP/2.0 100 Trying", {va}, kAlice, kBobNoTag, id, "1 INVITE"});
  send(kT0 + 10 * kMs, kP, kB,
       {"INVITE sip:2002@192.0.2.30 SIP/2.0", {vp, va}, kAlice, kBobNoTag, id, "1 INVITE", rr});
  send(kT0 + 400 * kMs, kB, kP, {"SIP/2.0 180 Ringing", {vp, va}, kAlice, bob, id, "1 INVITE", rr});
  send(kT0 + 410 * kMs, kP, kA, {"SIP/2.0 180 Ringing", {va}, kAlice, bob, id, "1 INVITE", rr});
  send(kT0 + 3 * kSec, kB, kP, {"SIP/2.0 200 OK", {vp, va}, kAlice, bob, id, "1 INVITE", rr});
  send(kT0 + 3010 * kMs, kP, kA, {"SIP/2.0 200 OK", {va}, kAlice, bob, id, "1 INVITE", rr});
  const std::string vack = "192.0.2.10:5060;branch=z9hG4bKack";
  send(kT0 + 3020 * kMs, kA, kP,
       {"ACK sip:2002@192.0.2.30 SIP/2.0", {vack}, kAlice, bob, id, "1 ACK"});
  send(kT0 + 3030 * kMs, kP, kB,
       {"ACK sip:2002@192.0.2.30 SIP/2.0",
        {"192.0.2.20:5060;branch=z9hG4bKpack", vack},
        kAlice,
        bob,
        id,
        "1 ACK"});
  const std::string vbye = "192.0.2.10:5060;branch=z9hG4bKbye";
  const std::string vpbye = "192.0.2.20:5060;branch=z9hG4bKpbye";
  send(kT0 + 13020 * kMs, kA, kP,
       {"BYE sip:2002@192.0.2.30 SIP/2.0", {vbye}, kAlice, bob, id, "2 BYE"});
  send(kT0 + 13030 * kMs, kP, kB,
       {"BYE sip:2002@192.0.2.30 SIP/2.0", {vpbye, vbye}, kAlice, bob, id, "2 BYE"});
  send(kT0 + 13040 * kMs, kB, kP, {"SIP/2.0 200 OK", {vpbye, vbye}, kAlice, bob, id, "2 BYE"});
  send(kT0 + 13050 * kMs, kP, kA, {"SIP/2.0 200 OK", {vbye}, kAlice, bob, id, "2 BYE"});
  tracker_.finish(kT0 + 20 * kSec);
  const CallRecord& c = call(0);
  EXPECT_EQ(c.state, CallState::answered);
  EXPECT_EQ(c.caller_ip, "192.0.2.10");
  EXPECT_EQ(c.callee_ip, "192.0.2.30");
  EXPECT_DOUBLE_EQ(*c.pdd_ms, 410.0);          // 180 delivered to A
  EXPECT_DOUBLE_EQ(*c.duration_ms, 10'010.0);  // 200 to A at 3.010 s, BYE at 13.020 s
  EXPECT_EQ(c.hangup_by, Party::caller);
  // INVITE x2 hops, ACK x2, BYE x2.
  EXPECT_EQ(sink_.transactions.size(), 6u);
  for (const auto& m : sink_.calls[0].messages) EXPECT_FALSE(m.retransmission) << m.frame;
  EXPECT_TRUE(diagnostic_kinds(c.id).empty());
  for (const auto& t : sink_.transactions) {
    if (t.method == "INVITE" && t.src_ip == "192.0.2.10") {
      EXPECT_DOUBLE_EQ(*t.response_ms, 3010.0);
    }
  }
}

// Call-ID reuse: the same Call-ID after the first call ended and a gap is a new call, and
// its transactions and dialogs are its own.
TEST_F(ScenarioTest, CallIdReuseSeparatesTransactions) {
  const std::string id = "reuse-1";
  const std::vector<std::string> v1{"192.0.2.10:5060;branch=z9hG4bK1"};
  const std::vector<std::string> v2{"192.0.2.10:5060;branch=z9hG4bK2"};
  send(kT0, kA, kB, {"INVITE sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag, id, "1 INVITE"});
  send(kT0 + kSec, kB, kA,
       {"SIP/2.0 486 Busy Here", v1, kAlice, kBobNoTag + ";tag=b", id, "1 INVITE"});
  send(kT0 + kSec + kMs, kA, kB,
       {"ACK sip:2002@example.com SIP/2.0", v1, kAlice, kBobNoTag + ";tag=b", id, "1 ACK"});
  send(kT0 + 120 * kSec, kA, kB,
       {"INVITE sip:2002@example.com SIP/2.0", v2, "<sip:1001@example.com>;tag=a9", kBobNoTag, id,
        "1 INVITE"});
  send(kT0 + 121 * kSec, kB, kA,
       {"SIP/2.0 200 OK", v2, "<sip:1001@example.com>;tag=a9", kBobNoTag + ";tag=c", id,
        "1 INVITE"});
  tracker_.finish(kT0 + 130 * kSec);
  ASSERT_EQ(sink_.calls.size(), 2u);
  EXPECT_EQ(call(0).state, CallState::busy);
  EXPECT_EQ(call(1).state, CallState::answered);
  int first = 0;
  for (const auto& t : sink_.transactions) first += t.call_id == call(0).id ? 1 : 0;
  EXPECT_EQ(first, 1);  // INVITE with its non-2xx ACK
  EXPECT_EQ(dialogs_of(call(1).id).size(), 1u);
}

}  // namespace
}  // namespace sipscope::correlate
