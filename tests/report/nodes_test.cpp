#include "report/nodes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipscope::report {
namespace {

using Nodes = std::vector<std::vector<std::string>>;

NodeMap run(const std::vector<NodeMessage>& in) {
  return merge_nodes(in);
}

// Rule (0), written first: SIPp's uac (127.0.0.1:5061) and uas (127.0.0.1:5060) share an
// IP, but they exchange packets directly, so they are two parties and two lanes even
// though rule (1) (same IP) would join them.
TEST(Nodes, LoopbackPairThatTalksIsNotMerged) {
  const std::string invite =
      "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
      "Contact: <sip:sipp@127.0.0.1:5061>\r\n"
      "Call-ID: 1@127.0.0.1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const std::string ok =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
      "Contact: <sip:127.0.0.1:5060>\r\n"
      "Call-ID: 1@127.0.0.1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const auto m =
      run({{"127.0.0.1:5061", "127.0.0.1:5060", invite}, {"127.0.0.1:5060", "127.0.0.1:5061", ok}});
  EXPECT_EQ(m.nodes, (Nodes{{"127.0.0.1:5061"}, {"127.0.0.1:5060"}}));
  EXPECT_EQ(m.node_of.at("127.0.0.1:5061"), 0);
  EXPECT_EQ(m.node_of.at("127.0.0.1:5060"), 1);
}

// Evidence naming the other side of a packet is refused too: a (bogus) Via sent-by equal
// to the destination cannot make the two talkers one node.
TEST(Nodes, EvidenceNeverMergesTalkers) {
  const std::string invite =
      "INVITE sip:x@127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-2\r\n"
      "Call-ID: 2\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const auto m = run({{"127.0.0.1:5061", "127.0.0.1:5060", invite}});
  EXPECT_EQ(m.nodes.size(), 2U);
}

// Rule (1): the proxy 192.0.2.10 receives leg A on 5060 and sends leg B from 5080; its two
// ports never talk to each other, so it is one node listed in first-seen order.
TEST(Nodes, ProxyOnOneIpWithTwoPortsIsMerged) {
  const auto m = run({{"192.0.2.1:5060", "192.0.2.10:5060", ""},
                      {"192.0.2.10:5080", "192.0.2.20:5060", ""},
                      {"192.0.2.20:5060", "192.0.2.10:5080", ""},
                      {"192.0.2.10:5060", "192.0.2.1:5060", ""}});
  EXPECT_EQ(
      m.nodes,
      (Nodes{{"192.0.2.1:5060"}, {"192.0.2.10:5060", "192.0.2.10:5080"}, {"192.0.2.20:5060"}}));
  EXPECT_EQ(m.node_of.at("192.0.2.10:5080"), 1);
  EXPECT_EQ(m.node_of.at("192.0.2.20:5060"), 2);
}

// Rule (1) veto: SIPp uac :5061 -> proxy :5060 -> uas :5062, all on loopback. uac and
// uas never talk directly, but each sent a request whose top Via names its own port
// (RFC 3261 §18.1.1): two different listeners, so two parties, three lanes.
TEST(Nodes, LoopbackChainThroughProxyKeepsDeclaredListenersApart) {
  auto request = [](const std::string& method, const std::string& via) {
    return method + " sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP " + via + ";branch=z9hG4bK-" +
           method + "\r\nCall-ID: 7\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
  };
  const std::string invite = request("INVITE", "127.0.0.1:5061");
  const std::string bye = request("BYE", "127.0.0.1:5062");
  const auto m = run({{"127.0.0.1:5061", "127.0.0.1:5060", invite},
                      {"127.0.0.1:5060", "127.0.0.1:5062", ""},
                      {"127.0.0.1:5062", "127.0.0.1:5060", bye},
                      {"127.0.0.1:5060", "127.0.0.1:5061", ""}});
  EXPECT_EQ(m.nodes, (Nodes{{"127.0.0.1:5061"}, {"127.0.0.1:5060"}, {"127.0.0.1:5062"}}));
}

// Rule (1): a UA registers from an ephemeral port 40000 and receives its INVITE on its
// 5060 listener; both endpoints only talk to the proxy.
TEST(Nodes, UaEphemeralSourceAndListenerAreMerged) {
  const auto m = run({{"192.0.2.1:40000", "192.0.2.10:5060", ""},
                      {"192.0.2.10:5060", "192.0.2.1:5060", ""},
                      {"192.0.2.1:5060", "192.0.2.10:5060", ""}});
  EXPECT_EQ(m.nodes, (Nodes{{"192.0.2.1:40000", "192.0.2.1:5060"}, {"192.0.2.10:5060"}}));
}

// Rule (2), response side: RFC 3581 §4 sends a response to received:rport of its top Via,
// so the NAT's public endpoint 203.0.113.7:40000 (seen as a source earlier, in a packet we
// could not decode) is the same UA as the response's destination 10.0.0.5:5060 (the UA as
// seen inside the NAT). Different IPs: only the Via evidence can join them.
TEST(Nodes, ViaReceivedRportJoinsResponseDestination) {
  const std::string ok =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKa;received=203.0.113.7;rport=40000\r\n"
      "Call-ID: 3\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const auto m =
      run({{"203.0.113.7:40000", "192.0.2.10:5060", ""}, {"192.0.2.10:5060", "10.0.0.5:5060", ok}});
  EXPECT_EQ(m.nodes, (Nodes{{"203.0.113.7:40000", "10.0.0.5:5060"}, {"192.0.2.10:5060"}}));

  // Control: without received/rport nothing names the public endpoint.
  const std::string plain =
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKa\r\n"
      "Call-ID: 3\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const auto c = run(
      {{"203.0.113.7:40000", "192.0.2.10:5060", ""}, {"192.0.2.10:5060", "10.0.0.5:5060", plain}});
  EXPECT_EQ(c.nodes.size(), 3U);
}

// Rule (2), request side: a multi-homed proxy sends from 198.51.100.10:5060 but its top
// Via sent-by (RFC 3261 §18.1.1) is 192.0.2.10 with no port, i.e. 5060: the address it
// was reached on.
TEST(Nodes, ViaSentByJoinsRequestSource) {
  const std::string fwd =
      "INVITE sip:b@198.51.100.20 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKp\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
      "Call-ID: 4\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const auto m = run({{"192.0.2.1:5060", "192.0.2.10:5060", ""},
                      {"198.51.100.10:5060", "198.51.100.20:5060", fwd}});
  EXPECT_EQ(m.nodes, (Nodes{{"192.0.2.1:5060"},
                            {"192.0.2.10:5060", "198.51.100.10:5060"},
                            {"198.51.100.20:5060"}}));
}

// Rule (3): the forwarded INVITE (two Via values) carries on top the Record-Route of the
// proxy that just forwarded it (RFC 3261 §16.6 step 4): sip:192.0.2.10;lr, port 5060. The
// proxy's Via names a host name, which is never resolved, so only Record-Route joins the
// proxy's two interfaces.
TEST(Nodes, RecordRouteJoinsForwardingProxy) {
  const std::string invite =
      "INVITE sip:b@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
      "Contact: <sip:a@192.0.2.1:5060>\r\n"
      "Call-ID: 5\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const std::string fwd =
      "INVITE sip:b@198.51.100.20 SIP/2.0\r\n"
      "Record-Route: <sip:192.0.2.10;lr>\r\n"
      "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
      "Contact: <sip:a@192.0.2.1:5060>\r\n"
      "Call-ID: 5\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
  const auto m = run({{"192.0.2.1:5060", "192.0.2.10:5060", invite},
                      {"198.51.100.10:5060", "198.51.100.20:5060", fwd}});
  EXPECT_EQ(m.nodes, (Nodes{{"192.0.2.1:5060"},
                            {"192.0.2.10:5060", "198.51.100.10:5060"},
                            {"198.51.100.20:5060"}}));
  // The forwarded request's Contact is the originator's (192.0.2.1), not the proxy's: it
  // must not join the proxy's source (only one-Via requests use their Contact).
  EXPECT_NE(m.node_of.at("192.0.2.1:5060"), m.node_of.at("198.51.100.10:5060"));
}

// Rule (3): a request sent by its originator (one Via) names it in Contact; the UA sends
// from 203.0.113.9:33000 but its Contact is 198.51.100.50:5070, where it was reached.
TEST(Nodes, ContactOfOriginatorJoinsSource) {
  const std::string bye =
      "BYE sip:b@192.0.2.10 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP uac.example.com;branch=z9hG4bKb\r\n"
      "Contact: <sip:a@198.51.100.50:5070;transport=udp>\r\n"
      "Call-ID: 6\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
  const auto m = run({{"192.0.2.10:5060", "198.51.100.50:5070", ""},
                      {"203.0.113.9:33000", "192.0.2.10:5060", bye}});
  EXPECT_EQ(m.nodes, (Nodes{{"192.0.2.10:5060"}, {"198.51.100.50:5070", "203.0.113.9:33000"}}));
}

TEST(Nodes, GarbageAndEmptyInputAreHarmless) {
  EXPECT_TRUE(run({}).nodes.empty());
  const std::string junk = "INVITE \x01\xff sip:\r\nVia: ;;;received=\r\nRecord-Route: <\r\n\r\n";
  const auto m = run({{"192.0.2.1:5060", "192.0.2.2:5060", junk}});
  EXPECT_EQ(m.nodes.size(), 2U);
}

}  // namespace
}  // namespace sipscope::report
