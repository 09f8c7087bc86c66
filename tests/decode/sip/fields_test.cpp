#include "decode/sip/fields.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sipscope::decode::sip {
namespace {

TEST(CSeq, Valid) {
  CSeq c;
  ASSERT_TRUE(parse_cseq("314159 INVITE", c));
  EXPECT_EQ(c.number, 314159u);
  EXPECT_EQ(c.method, "INVITE");
  // Leading zeros and folded LWS (RFC 4475 wsinv: "cseq: 0009\r\n  INVITE").
  ASSERT_TRUE(parse_cseq("0009\r\n  INVITE", c));
  EXPECT_EQ(c.number, 9u);
  EXPECT_EQ(c.method, "INVITE");
  ASSERT_TRUE(parse_cseq("  0 ACK  ", c));
  EXPECT_EQ(c.number, 0u);
  EXPECT_EQ(c.method, "ACK");
  ASSERT_TRUE(parse_cseq("4294967295 BYE", c));
  EXPECT_EQ(c.number, 4294967295u);
}

TEST(CSeq, Invalid) {
  CSeq c;
  for (std::string_view bad :
       {"", "INVITE", "12", "12INVITE", "x1 INVITE", "-1 INVITE", "1 INV ITE", "1 INV@ITE",
        // RFC 4475 scalar02: 2^65, must not wrap.
        "36893488147419103232 REGISTER", "4294967296 BYE"}) {
    EXPECT_FALSE(parse_cseq(bad, c)) << bad;
  }
}

TEST(NameAddr, QuotedDisplayName) {
  NameAddr n;
  ASSERT_TRUE(parse_name_addr("\"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774", n));
  EXPECT_EQ(n.display_name, "Alice");
  EXPECT_EQ(n.uri, "sip:alice@atlanta.example.com");
  EXPECT_EQ(n.params, ";tag=1928301774");
  EXPECT_EQ(param_value(n.params, "tag"), "1928301774");
  // Escaped quote and backslash stay escaped (RFC 4475 wsinv From); no LWS before '<'
  // (RFC 4475 lwsdisp).
  ASSERT_TRUE(parse_name_addr(
      "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8", n));
  EXPECT_EQ(n.display_name, "J Rosenberg \\\\\\\"");
  EXPECT_EQ(n.uri, "sip:jdrosen@example.com");
  EXPECT_EQ(param_value(n.params, "tag"), "98asjd8");
  ASSERT_TRUE(parse_name_addr("\"caller\"<sip:caller@example.com>;tag=323", n));
  EXPECT_EQ(n.display_name, "caller");
  EXPECT_EQ(n.uri, "sip:caller@example.com");
  // A ';' and a '>' inside the display name do not end anything.
  ASSERT_TRUE(parse_name_addr("\"a;b>c\" <sip:x@y>", n));
  EXPECT_EQ(n.display_name, "a;b>c");
  EXPECT_EQ(n.uri, "sip:x@y");
  EXPECT_EQ(n.params, "");
}

TEST(NameAddr, UnquotedDisplayNameAndNoDisplayName) {
  NameAddr n;
  ASSERT_TRUE(parse_name_addr("Bob <sip:bob@biloxi.example.com>;tag=a6c85cf", n));
  EXPECT_EQ(n.display_name, "Bob");
  EXPECT_EQ(n.uri, "sip:bob@biloxi.example.com");
  EXPECT_EQ(n.params, ";tag=a6c85cf");
  ASSERT_TRUE(parse_name_addr("Bob  Smith\t<sip:bob@b>", n));
  EXPECT_EQ(n.display_name, "Bob  Smith");
  ASSERT_TRUE(parse_name_addr("<sip:carol@chicago.example.com>", n));
  EXPECT_EQ(n.display_name, "");
  EXPECT_EQ(n.uri, "sip:carol@chicago.example.com");
  // URI params inside <> belong to the URI (RFC 4475 cparam02).
  ASSERT_TRUE(parse_name_addr("<sip:user@host;unknownparam>;tag=1", n));
  EXPECT_EQ(n.uri, "sip:user@host;unknownparam");
  EXPECT_EQ(n.params, ";tag=1");
}

TEST(NameAddr, BareAddrSpecParamsAreHeaderParams) {
  // §20.10: without <>, everything after the first ';' is a header parameter
  // (RFC 4475 cparam01: "unknownparam" is a contact-param).
  NameAddr n;
  ASSERT_TRUE(parse_name_addr("sip:caller@example.net;tag=134161461246", n));
  EXPECT_EQ(n.display_name, "");
  EXPECT_EQ(n.uri, "sip:caller@example.net");
  EXPECT_EQ(n.params, ";tag=134161461246");
  ASSERT_TRUE(parse_name_addr("tel:+12125551212", n));
  EXPECT_EQ(n.uri, "tel:+12125551212");
  EXPECT_EQ(n.params, "");
}

TEST(NameAddr, Invalid) {
  NameAddr n;
  for (std::string_view bad :
       {"", "\"unterminated <sip:a@b>", "\"x\" sip:a@b", "<sip:a@b", "<sip:a@b> junk", "<>",
        // LWS inside a bare addr-spec (§25.1 has none there).
        "sip:user @example.org;tag=1",
        // RFC 4475 baddn: ',' is not a token char.
        "Bell, Alexander <sip:a.g.bell@example.com>;tag=43"}) {
    EXPECT_FALSE(parse_name_addr(bad, n)) << bad;
  }
}

TEST(Uri, SipWithUserHostPortParams) {
  Uri u;
  ASSERT_TRUE(parse_uri("sip:alice@client.atlanta.example.com:5061;transport=tcp;lr", u));
  EXPECT_EQ(u.scheme, "sip");
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.host, "client.atlanta.example.com");
  EXPECT_EQ(u.port, 5061);
  EXPECT_EQ(u.params, ";transport=tcp;lr");
  EXPECT_EQ(param_value(u.params, "transport"), "tcp");
  ASSERT_TRUE(parse_uri("SIPS:registrar.example.com", u));
  EXPECT_EQ(u.scheme, "SIPS");
  EXPECT_EQ(u.user, "");
  EXPECT_EQ(u.host, "registrar.example.com");
  EXPECT_EQ(u.port, 0);
  // Password is not part of the user; headers (after '?') are not params.
  ASSERT_TRUE(parse_uri("sip:bob:secret@b.example.com;maddr=1.2.3.4?Subject=x", u));
  EXPECT_EQ(u.user, "bob");
  EXPECT_EQ(u.host, "b.example.com");
  EXPECT_EQ(u.params, ";maddr=1.2.3.4");
}

TEST(Uri, UserWithEscapesAndSemicolons) {
  Uri u;
  // RFC 4475 escnull: %00 is kept as written, the user is not cut there.
  ASSERT_TRUE(parse_uri("sip:null-%00-null@example.com", u));
  EXPECT_EQ(u.user, "null-%00-null");
  // RFC 4475 semiuri: the user part is "user;par=u%40example.net".
  ASSERT_TRUE(parse_uri("sip:user;par=u%40example.net@example.com", u));
  EXPECT_EQ(u.user, "user;par=u%40example.net");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.params, "");
}

TEST(Uri, Ipv6References) {
  Uri u;
  // RFC 5118 §4.4: address and port; §4.3: the ":5070" inside [] is part of the address.
  ASSERT_TRUE(parse_uri("sip:[2001:db8::10]:5070", u));
  EXPECT_EQ(u.host, "2001:db8::10");
  EXPECT_EQ(u.port, 5070);
  ASSERT_TRUE(parse_uri("sip:user@[2001:db8::10:5070];transport=udp", u));
  EXPECT_EQ(u.host, "2001:db8::10:5070");
  EXPECT_EQ(u.port, 0);
  EXPECT_EQ(u.params, ";transport=udp");
  // RFC 5118 §4.2: an IPv6 address without [] is not a valid host; accepted leniently and
  // flagged, so the user part is still known (see UnbracketedIpv6Host).
  ASSERT_TRUE(parse_uri("sip:user@2001:db8::10", u));
  EXPECT_EQ(u.user, "user");
  EXPECT_TRUE(u.unbracketed_ipv6);
  EXPECT_FALSE(parse_uri("sip:user@[2001:db8::10", u));
}

TEST(Uri, TelAndOtherSchemes) {
  Uri u;
  ASSERT_TRUE(parse_uri("tel:+1-201-555-0123;phone-context=example.com", u));
  EXPECT_EQ(u.scheme, "tel");
  EXPECT_EQ(u.user, "+1-201-555-0123");
  EXPECT_EQ(u.host, "");
  EXPECT_EQ(u.params, ";phone-context=example.com");
  ASSERT_TRUE(parse_uri("tel:+1234", u));
  EXPECT_EQ(u.user, "+1234");
  // RFC 4475 unkscm/novelsc: other schemes parse as URIs with only the scheme filled.
  ASSERT_TRUE(parse_uri("soap.beep://192.0.2.103:3002", u));
  EXPECT_EQ(u.scheme, "soap.beep");
  EXPECT_EQ(u.host, "");
}

TEST(Uri, Invalid) {
  Uri u;
  for (std::string_view bad : {"", "sip:", "sip:user@", "nocolon", ":x", "sip:host:99999",
                               "sip:host:0", "sip:host:12ab", "1sip:x", "sip:@", "tel:"}) {
    EXPECT_FALSE(parse_uri(bad, u)) << bad;
  }
}

TEST(Param, ValueLookup) {
  bool found = false;
  const std::string_view p = ";tag=abc; LR ;q = 0.5;text=\"Call; completed\";maddr";
  EXPECT_EQ(param_value(p, "tag", &found), "abc");
  EXPECT_TRUE(found);
  EXPECT_EQ(param_value(p, "lr", &found), "");
  EXPECT_TRUE(found);
  EXPECT_EQ(param_value(p, "Q"), "0.5");
  EXPECT_EQ(param_value(p, "text"), "Call; completed");  // quotes removed, ';' inside kept
  EXPECT_EQ(param_value(p, "maddr", &found), "");
  EXPECT_TRUE(found);
  EXPECT_EQ(param_value(p, "ta", &found), "");
  EXPECT_FALSE(found);
  EXPECT_EQ(param_value("", "tag", &found), "");
  EXPECT_FALSE(found);
  EXPECT_EQ(param_value("tag=x", "tag"), "x");  // no leading ';'
}

TEST(Via, FirstViaParm) {
  Via v;
  ASSERT_TRUE(parse_via(
      "SIP/2.0/UDP "
      "pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5070, "
      "SIP/2.0/TCP other.example.com;branch=z9hG4bKx",
      v));
  EXPECT_EQ(v.protocol, "SIP/2.0");
  EXPECT_EQ(v.transport, "UDP");
  EXPECT_EQ(v.host, "pc33.atlanta.example.com");
  EXPECT_EQ(v.port, 5066);
  EXPECT_EQ(v.branch, "z9hG4bK776asdhds");
  EXPECT_EQ(v.received, "192.0.2.1");
  EXPECT_EQ(v.rport, "5070");
  EXPECT_EQ(v.params, ";branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5070");
  ASSERT_TRUE(parse_via("SIP/2.0/TLS h.example.com;rport;branch=z9hG4bKa", v));
  EXPECT_EQ(v.transport, "TLS");
  EXPECT_EQ(v.port, 0);
  EXPECT_EQ(v.rport, "");
  EXPECT_EQ(v.received, "");
}

TEST(Via, LwsEverywhereAndIpv6) {
  Via v;
  // RFC 4475 wsinv: SLASH and COLON allow surrounding LWS, including folds.
  ASSERT_TRUE(parse_via("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw", v));
  EXPECT_EQ(v.transport, "UDP");
  EXPECT_EQ(v.host, "192.0.2.2");
  EXPECT_EQ(v.branch, "390skdjuw");
  ASSERT_TRUE(parse_via(
      "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ", v));
  EXPECT_EQ(v.transport, "TCP");
  EXPECT_EQ(v.host, "spindle.example.com");
  EXPECT_EQ(v.branch, "z9hG4bK9ikj8");
  // RFC 5118 §4.5: IPv6 sent-by and received with delimiters.
  ASSERT_TRUE(parse_via(
      "SIP/2.0/UDP [2001:db8::9:1]:5061;received=[2001:db8::9:255];branch=z9hG4bKas3", v));
  EXPECT_EQ(v.host, "2001:db8::9:1");
  EXPECT_EQ(v.port, 5061);
  EXPECT_EQ(v.received, "[2001:db8::9:255]");
  ASSERT_TRUE(parse_via("SIP/2.0/UDP host.example.com : 5062 ;branch=z9hG4bKq", v));
  EXPECT_EQ(v.port, 5062);
}

TEST(Via, Invalid) {
  Via v;
  for (std::string_view bad :
       {"", "SIP/2.0", "SIP/2.0/UDP", "SIP/2.0/UDP ", "SIP/2.0/UDPhost", "SIP/2.0/ host",
        "/2.0/UDP host", "SIP/2.0/UDP host:abc", "SIP/2.0/UDP [::1"}) {
    EXPECT_FALSE(parse_via(bad, v)) << bad;
  }
}

TEST(Unfold, ReplacesLwsRunsWithOneSpace) {
  EXPECT_EQ(unfold("a\r\n b"), "a b");
  EXPECT_EQ(unfold("a \t\r\n\t  b\r\n c"), "a b c");
  EXPECT_EQ(unfold("a\n b"), "a b");
  EXPECT_EQ(unfold("no fold"), "no fold");
  EXPECT_EQ(unfold(""), "");
}

TEST(Reason, Rfc3326Examples) {
  ReasonValue r;
  ASSERT_TRUE(parse_reason("Q.850 ;cause=16 ;text=\"Terminated\"", r));
  EXPECT_EQ(r.protocol, "Q.850");
  EXPECT_EQ(r.cause, 16);
  EXPECT_EQ(r.text, "Terminated");
  // RFC 3326 §2: several reasons, one per protocol; the first is returned.
  ASSERT_TRUE(
      parse_reason("SIP ;cause=200 ;text=\"Call completed elsewhere\", Q.850 ;cause=16", r));
  EXPECT_EQ(r.protocol, "SIP");
  EXPECT_EQ(r.cause, 200);
  EXPECT_EQ(r.text, "Call completed elsewhere");
  ASSERT_TRUE(parse_reason("SIP", r));
  EXPECT_EQ(r.cause, 0);
  EXPECT_EQ(r.text, "");
  EXPECT_FALSE(parse_reason("", r));
  EXPECT_FALSE(parse_reason("SIP;cause=abc", r));
  EXPECT_FALSE(parse_reason("; cause=1", r));
}

TEST(Items, NextItemEndAndTrim) {
  EXPECT_EQ(detail::next_item_end("a,b", 0), 1u);
  EXPECT_EQ(detail::next_item_end("a,b", 2), 3u);
  EXPECT_EQ(detail::next_item_end("\"x,y\",z", 0), 5u);
  EXPECT_EQ(detail::next_item_end("<sip:a,b>,c", 0), 9u);
  EXPECT_EQ(detail::next_item_end("\"esc \\\" ,\",z", 0), 10u);
  EXPECT_EQ(detail::next_item_end("\"open, forever", 0), 14u);  // unbalanced: one item
  EXPECT_EQ(detail::trim(" \t\r\n x \r\n"), "x");
  EXPECT_EQ(detail::trim("   "), "");
  std::vector<std::string_view> items;
  // RFC 4475 wsinv: "UnknownHeaderWithUnusualValue: ;;,,;;,;" has empty items.
  EXPECT_EQ(for_each_value(";;,,;;,;", [&](std::string_view v) { items.push_back(v); }), 3u);
  EXPECT_EQ(for_each_value("", [](std::string_view) {}), 0u);
  EXPECT_EQ(for_each_value(" , ,", [](std::string_view) {}), 0u);
}

TEST(Fields, RandomInputsNeverCrash) {
  std::mt19937 rng(3261);
  const std::string alphabet = "sip:tel@[]<>\";,=\\/ \t\r\n:0123456789abSIPUDP.%?";
  std::string s;
  for (int iter = 0; iter < 5000; ++iter) {
    s.clear();
    const size_t len = rng() % 80;
    for (size_t i = 0; i < len; ++i)
      s += (iter & 1) ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()];
    CSeq c;
    NameAddr n;
    Uri u;
    Via v;
    ReasonValue r;
    (void)parse_cseq(s, c);
    if (parse_name_addr(s, n)) (void)parse_uri(n.uri, u);
    (void)parse_uri(s, u);
    (void)parse_via(s, v);
    (void)parse_reason(s, r);
    (void)param_value(s, "tag");
    (void)unfold(s);
    for_each_value(s, [&](std::string_view item) {
      ASSERT_GE(item.data(), s.data());
      ASSERT_LE(item.data() + item.size(), s.data() + s.size());
    });
  }
}

// RFC 3261 §19.1.1 wants an IPv6 host in brackets; some UAs write it bare. The user part
// is still the part before '@' (corpus heplify_sip_ipv6: tshark reads From user 9876, To
// user 4321); with no brackets a port cannot be told from the last group, so none is read.
TEST(Uri, UnbracketedIpv6Host) {
  Uri u;
  ASSERT_TRUE(parse_uri("sip:9876@2001:db8::1", u));
  EXPECT_EQ(u.user, "9876");
  EXPECT_EQ(u.host, "2001:db8::1");
  EXPECT_EQ(u.port, 0);
  ASSERT_TRUE(parse_uri("sip:9876@2001:db8::1:5060;transport=udp", u));
  EXPECT_EQ(u.user, "9876");
  EXPECT_EQ(u.host, "2001:db8::1:5060");
  EXPECT_EQ(u.params, ";transport=udp");
  ASSERT_TRUE(parse_uri("sip:[2001:db8::1]:5060", u));  // bracketed: the port is read
  EXPECT_EQ(u.host, "2001:db8::1");
  EXPECT_EQ(u.port, 5060);
  EXPECT_FALSE(parse_uri("sip:9876@host:50:60", u));  // two colons, not an IPv6 address
  NameAddr from;
  ASSERT_TRUE(parse_name_addr("<sip:9876@fe80:0:0:0:21a:a0ff:fe07:32e0>;tag=a3bhg", from));
  ASSERT_TRUE(parse_uri(from.uri, u));
  EXPECT_EQ(u.user, "9876");
  NameAddr to;
  ASSERT_TRUE(parse_name_addr("<sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c>", to));
  ASSERT_TRUE(parse_uri(to.uri, u));
  EXPECT_EQ(u.user, "4321");
}

}  // namespace
}  // namespace sipscope::decode::sip
