#include "export/redact.hpp"

#include <gtest/gtest.h>

namespace sipscope::export_ {
using namespace report;
using namespace store;
namespace {

// An INVITE carrying every kind of identity the redactor must hide (RFC 3261 §20, RFC 4566).
const std::string kInvite =
    "INVITE sip:+15551234567@biloxi.example.com;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP "
    "pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;received=192.0.2.101\r\n"
    "Max-Forwards: 70\r\n"
    "To: \"Bob Jones\" <sip:+15551234567@biloxi.example.com>\r\n"
    "From: Alice Smith <sip:alice.smith@atlanta.example.com>;tag=1928301774\r\n"
    "P-Asserted-Identity: <tel:+15559876543>\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice.smith@192.0.2.101:5060>\r\n"
    "Authorization: Digest username=\"alice.smith\", realm=\"atlanta.example.com\",\r\n"
    " nonce=\"84a4cc6f3082121f32b42a2187831a9e\", response=\"7587245234b3434cc3412213e5f113a5\"\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 137\r\n"
    "\r\n"
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.101\r\n"
    "s=-\r\n"
    "c=IN IP4 2001:db8::15\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

const std::vector<std::string> kOriginals = {"+15551234567",
                                             "15551234567",
                                             "15559876543",
                                             "biloxi.example.com",
                                             "atlanta.example.com",
                                             "pc33",
                                             "192.0.2.101",
                                             "Bob Jones",
                                             "Alice Smith",
                                             "alice.smith",
                                             "alice",
                                             "2001:db8::15",
                                             "a84b4c76e66710",
                                             "7587245234b3434cc3412213e5f113a5",
                                             "84a4cc6f3082121f32b42a2187831a9e"};

size_t body_length(const std::string& msg) {
  return msg.size() - msg.find("\r\n\r\n") - 4;
}

TEST(Redactor, NoOriginalValueSurvives) {
  Redactor r;
  r.learn_sip(kInvite);
  const std::string out = r.sip(kInvite);
  for (const auto& o : kOriginals) {
    EXPECT_EQ(out.find(o), std::string::npos) << o << " in\n" << out;
  }
  // Protocol structure stays: numbers of protocol lines, the SDP lines.
  EXPECT_NE(out.find("CSeq: 314159 INVITE\r\n"), std::string::npos);
  EXPECT_NE(out.find("Max-Forwards: 70\r\n"), std::string::npos);
  EXPECT_NE(out.find("m=audio 49170 RTP/AVP 0\r\n"), std::string::npos);
  EXPECT_NE(out.find(";user=phone SIP/2.0\r\n"), std::string::npos);
}

TEST(Redactor, CredentialsRemovedWithContinuationLines) {
  Redactor r;
  r.learn_sip(kInvite);
  const std::string out = r.sip(kInvite);
  EXPECT_NE(out.find("Authorization: [credentials removed by sipscope --redact]\r\n"
                     "Content-Type:"),
            std::string::npos);
  EXPECT_EQ(out.find("nonce="), std::string::npos);
  EXPECT_EQ(out.find("response="), std::string::npos);
}

TEST(Redactor, ContentLengthFollowsTheNewBody) {
  Redactor r;
  r.learn_sip(kInvite);
  ASSERT_EQ(body_length(kInvite), 137U);  // the original is consistent
  const std::string out = r.sip(kInvite);
  const size_t at = out.find("Content-Length: ");
  ASSERT_NE(at, std::string::npos);
  const size_t digits = at + 16;
  const size_t end = out.find("\r\n", digits);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(out.substr(digits, end - digits), std::to_string(body_length(out)));
}

TEST(Redactor, ConsistentPseudonymsWithinOneOutput) {
  Redactor r;
  r.learn_sip(kInvite);
  const std::string p1 = r.ip("192.0.2.101");
  EXPECT_EQ(r.ip("192.0.2.101"), p1);
  EXPECT_NE(r.ip("192.0.2.102"), p1);
  EXPECT_EQ(r.text("from 192.0.2.101 to 192.0.2.101"), "from " + p1 + " to " + p1);
  // The same number in a SIP URI and in a tel: URI, with and without '+'.
  const std::string a = r.text("sip:+15551234567@x");
  const std::string b = r.text("tel:+15551234567");
  EXPECT_EQ(a.substr(4, 12), b.substr(4, 12));
  // Binary and text forms of an address agree (pcap headers vs SIP text).
  const auto v4 = r.ipv4({192, 0, 2, 101});
  EXPECT_EQ(std::to_string(v4[0]) + "." + std::to_string(v4[1]) + "." + std::to_string(v4[2]) +
                "." + std::to_string(v4[3]),
            p1);
  EXPECT_EQ(r.endpoint("192.0.2.101:5060"), p1 + ":5060");
  EXPECT_EQ(r.endpoint("[2001:db8::15]:5060"), "[" + r.ip("2001:db8::15") + "]:5060");
}

TEST(Redactor, PseudonymNeverContainsAnOriginal) {
  Redactor r;
  r.learn_ip("10.0.0.1");  // our first IPv4 candidate, and a prefix of 10.0.0.1x
  r.learn_ip("10.0.0.2");
  const std::string p = r.ip("10.0.0.2");
  EXPECT_EQ(p.find("10.0.0.1"), std::string::npos) << p;
  EXPECT_EQ(p.find("10.0.0.2"), std::string::npos) << p;
}

TEST(Redactor, NumbersInsideIpLiteralsAndLongerWordsAreNotTouched) {
  Redactor r;
  r.learn_user("alice");
  EXPECT_EQ(r.text("malice alice2 alice"), "malice alice2 " + r.text("alice"));
  EXPECT_NE(r.text("alice"), "alice");
}

TEST(RedactLadder, EveryStringOfTheLadder) {
  Ladder l;
  correlate::CallRecord c;
  c.id = 1;
  c.sip_call_id = "a84b4c76e66710@pc33.atlanta.example.com";
  c.from_user = "alice.smith";
  c.to_user = "+15551234567";
  c.from_uri = "sip:alice.smith@atlanta.example.com";
  c.to_uri = "sip:+15551234567@biloxi.example.com";
  c.caller_ip = "192.0.2.101";
  c.callee_ip = "198.51.100.7";
  l.calls.push_back(c);
  // The second lane is a merged node (report/nodes.hpp): its other endpoint must be
  // pseudonymised too.
  l.participants = {{0, "192.0.2.101:5060", {}},
                    {1, "198.51.100.7:5060", {"198.51.100.7:5060", "203.0.113.9:5080"}}};
  LadderEvent e;
  e.raw = kInvite;
  e.label = "INVITE";
  l.events.push_back(e);
  StreamRow s;
  s.src_ip = "192.0.2.101";
  s.dst_ip = "203.0.113.9";
  l.streams.push_back(s);
  l.diagnostics.push_back({1, std::nullopt, "one_way_audio", "no RTP from 203.0.113.9"});
  Redactor r;
  r.learn_ladder(l);
  redact_ladder(l, r);
  EXPECT_TRUE(l.redacted);
  std::string all = l.calls[0].sip_call_id + *l.calls[0].from_user + *l.calls[0].to_user +
                    *l.calls[0].from_uri + *l.calls[0].to_uri + *l.calls[0].caller_ip +
                    *l.calls[0].callee_ip + l.participants[0].address + l.participants[1].address +
                    l.events[0].raw + l.streams[0].src_ip + l.streams[0].dst_ip +
                    l.diagnostics[0].detail + l.participants[1].addresses[0] +
                    l.participants[1].addresses[1];
  for (const auto& o : kOriginals) EXPECT_EQ(all.find(o), std::string::npos) << o;
  EXPECT_EQ(all.find("198.51.100.7"), std::string::npos);
  EXPECT_EQ(all.find("203.0.113.9"), std::string::npos);
}

}  // namespace
}  // namespace sipscope::export_
