// Table-driven run over the parser test corpus (MANIFEST.md §4): RFC 4475 torture
// messages, RFC 5118 IPv6 messages and resiprocate's stream-parser fragments.
//
// Every row names the RFC section and what the RFC says about the message. Valid messages
// must parse, and the row asserts fields taken from the RFC's own text of that message
// (its prose and the message it prints). Invalid messages are either rejected by
// parse_message() (the row gives the error) or parsed leniently, in which case the row
// says so and, where our sub-parsers are the place that catches the fault, asserts that.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "decode/sdp/sdp.hpp"
#include "decode/sip/fields.hpp"
#include "decode/sip/message.hpp"

namespace sipscope::decode::sip {
namespace {

namespace fs = std::filesystem;

enum class Outcome { parses, lenient, rejected };

struct Row {
  std::string_view file;
  std::string_view rfc;  // section and what the RFC asks of a receiver
  Outcome outcome;
  ParseError error = ParseError::ok;  // for rejected rows
  void (*check)(const Message&, std::string_view data) = nullptr;
};

// ---- small helpers over one parsed message ----

CSeq cseq_of(const Message& m) {
  CSeq c;
  EXPECT_TRUE(parse_cseq(m.header_value(HeaderId::cseq), c)) << m.header_value(HeaderId::cseq);
  return c;
}

NameAddr addr_of(std::string_view value) {
  NameAddr n;
  EXPECT_TRUE(parse_name_addr(value, n)) << value;
  return n;
}

Uri uri_of(std::string_view value) {
  Uri u;
  EXPECT_TRUE(parse_uri(value, u)) << value;
  return u;
}

// All via-parms in message order, over repeated lines and comma lists.
std::vector<std::string_view> vias_of(const Message& m) {
  std::vector<std::string_view> out;
  for (const Header& h : m.headers())
    if (h.id == HeaderId::via)
      for_each_value(h.value, [&](std::string_view v) { out.push_back(v); });
  return out;
}

Via via_at(const Message& m, size_t i) {
  const auto vias = vias_of(m);
  Via v;
  if (i < vias.size()) {
    EXPECT_TRUE(parse_via(vias[i], v)) << vias[i];
  } else {
    ADD_FAILURE() << "no Via #" << i;
  }
  return v;
}

// Offset of the body in a corpus file, found independently of the parser.
size_t header_end(std::string_view data) {
  const size_t crlf = data.find("\r\n\r\n");
  if (crlf != std::string_view::npos) return crlf + 4;
  const size_t lf = data.find("\n\n");
  return lf == std::string_view::npos ? data.size() : lf + 2;
}

sdp::Session sdp_of(const Message& m) {
  sdp::Session s;
  EXPECT_EQ(sdp::parse_sdp(m.body(), s), sdp::SdpError::ok);
  return s;
}

// ---- the table ----

const Row kRows[] = {
    // ===== RFC 4475 §3.1.1: valid messages, parsers must accept =====
    {"rfc4475_wsinv.dat",
     "3.1.1.1 A Short Tortuous INVITE: well-formed (folding, LWS, escapes in quotes, empty "
     "subject, compact+long forms, leading zeros)",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "INVITE");
       EXPECT_EQ(m.request_uri(), "sip:vivekg@chair-dnrc.example.com;unknownparam");
       bool found = false;
       (void)param_value(uri_of(m.request_uri()).params, "unknownparam", &found);
       EXPECT_TRUE(found);  // "unknown Request-URI parameter", "a uri parameter with no value"
       EXPECT_EQ(m.header_value(HeaderId::call_id), "wsinv.ndaksdj@192.0.2.1");
       EXPECT_EQ(cseq_of(m).number, 9u);  // "0009": integer with leading zeros
       EXPECT_EQ(cseq_of(m).method, "INVITE");
       EXPECT_EQ(m.header_value(HeaderId::max_forwards), "0068");
       const NameAddr to = addr_of(m.header_value(HeaderId::to));
       EXPECT_EQ(to.uri, "sip:vivekg@chair-dnrc.example.com");
       EXPECT_EQ(param_value(to.params, "tag"), "1918181833n");
       const NameAddr from = addr_of(m.header_value(HeaderId::from));
       EXPECT_EQ(from.display_name, "J Rosenberg \\\\\\\"");  // escapes kept as written
       EXPECT_EQ(from.uri, "sip:jdrosen@example.com");
       EXPECT_EQ(param_value(from.params, "tag"), "98asjd8");
       // "both comma separated and separately listed header field values": Via + v:.
       EXPECT_EQ(vias_of(m).size(), 3u);
       EXPECT_EQ(via_at(m, 0).transport, "UDP");
       EXPECT_EQ(via_at(m, 0).host, "192.0.2.2");
       EXPECT_EQ(via_at(m, 0).branch, "390skdjuw");
       EXPECT_EQ(via_at(m, 1).transport, "TCP");
       EXPECT_EQ(via_at(m, 1).host, "spindle.example.com");
       EXPECT_EQ(via_at(m, 1).branch, "z9hG4bK9ikj8");
       EXPECT_EQ(via_at(m, 2).host, "192.168.255.111");
       EXPECT_EQ(via_at(m, 2).branch, "z9hG4bK30239");
       const Header* subject = m.find(HeaderId::subject);  // "an empty subject" (s :)
       ASSERT_NE(subject, nullptr);
       EXPECT_EQ(subject->value, "");
       EXPECT_EQ(unfold(m.find("NewFangledHeader")->value),
                 "newfangled value continued newfangled value");
       EXPECT_EQ(m.find("UnknownHeaderWithUnusualValue")->value, ";;,,;;,;");
       const NameAddr contact = addr_of(m.header_value(HeaderId::contact));
       EXPECT_EQ(contact.display_name, "Quoted string \\\"\\\"");
       EXPECT_EQ(param_value(contact.params, "newparam"), "newvalue");
       EXPECT_EQ(param_value(contact.params, "q"), "0.33");
       EXPECT_EQ(m.content_length(), 150);
       EXPECT_EQ(m.body().size(), 150u);
       EXPECT_EQ(sdp_of(m).media.size(), 2u);
     }},
    {"rfc4475_intmeth.dat",
     "3.1.1.2 Wide Range of Valid Characters: well-formed; unknown method of token chars",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "!interesting-Method0123456789_*+`.%indeed'~");
       const Uri ruri = uri_of(m.request_uri());
       EXPECT_EQ(ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
       EXPECT_EQ(ruri.host, "example.com");
       EXPECT_EQ(via_at(m, 0).branch, "z9hG4bK-.!%66*_+`'~");
       // "quoted-pair expansions, including a quoted NULL character"
       const NameAddr to = addr_of(m.header_value(HeaderId::to));
       EXPECT_EQ(to.display_name, std::string_view("BEL:\\\x07 NUL:\\\0 DEL:\\\x7f", 20));
       const NameAddr from = addr_of(m.header_value(HeaderId::from));
       EXPECT_EQ(from.display_name, "token1~` token2'+_ token3*%!.-");
       EXPECT_EQ(param_value(from.params, "tag"), "_token~1'+`*%!-.");
       EXPECT_EQ(m.header_value(HeaderId::call_id), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
       EXPECT_EQ(cseq_of(m).number, 139122385u);
       EXPECT_EQ(cseq_of(m).method, m.method());
       EXPECT_EQ(m.header_value(HeaderId::max_forwards), "255");
       EXPECT_NE(m.find("extensionHeader-!.%*+_`'~"), nullptr);
       EXPECT_EQ(m.content_length(), 0);
     }},
    {"rfc4475_esc01.dat",
     "3.1.1.3 Valid Use of the % Escaping Mechanism: must accept; escapes kept as written",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       const Uri ruri =
           uri_of(m.request_uri());  // "sips:user@example.com embedded in its userpart"
       EXPECT_EQ(ruri.user, "sips%3Auser%40example.com");
       EXPECT_EQ(ruri.host, "example.net");
       EXPECT_EQ(uri_of(addr_of(m.header_value(HeaderId::to)).uri).user, "%75se%72");
       EXPECT_EQ(uri_of(addr_of(m.header_value(HeaderId::from)).uri).user, "I%20have%20spaces");
       EXPECT_EQ(m.header_value(HeaderId::call_id), "esc01.239409asdfakjkn23onasd0-3234");
       EXPECT_EQ(m.header_value(HeaderId::content_type), "application/sdp");  // "C:"
       const Uri contact = uri_of(addr_of(m.header_value(HeaderId::contact)).uri);
       EXPECT_EQ(contact.user, "cal%6Cer");
       EXPECT_EQ(param_value(contact.params, "n%61me"), "v%61lue%25%34%31");
       EXPECT_EQ(cseq_of(m).number, 234234u);
       EXPECT_EQ(m.body().size(), 150u);
     }},
    {"rfc4475_escnull.dat", "3.1.1.4 Escaped Nulls in URIs: well-formed; %00 does not end the user",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "REGISTER");
       EXPECT_EQ(uri_of(addr_of(m.header_value(HeaderId::to)).uri).user, "null-%00-null");
       EXPECT_EQ(m.count(HeaderId::contact), 2u);
       std::vector<std::string_view> users;
       for (const Header& h : m.headers())
         if (h.id == HeaderId::contact) users.push_back(uri_of(addr_of(h.value).uri).user);
       ASSERT_EQ(users.size(), 2u);
       EXPECT_EQ(users[0], "%00");
       EXPECT_EQ(users[1], "%00%00");
       EXPECT_EQ(cseq_of(m).number, 14398234u);
       EXPECT_EQ(m.content_length(), 0);  // "L:0"
     }},
    {"rfc4475_esc02.dat",
     "3.1.1.5 Use of % When It Is Not an Escape: accept; RE%47IST%45R is an unknown method and "
     "C%6Fntact is not Contact",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "RE%47IST%45R");
       EXPECT_EQ(cseq_of(m).method, "RE%47IST%45R");
       EXPECT_EQ(addr_of(m.header_value(HeaderId::to)).display_name, "%Z%45");
       EXPECT_EQ(via_at(m, 0).branch, "z9hG4bK209%fzsnel234");
       EXPECT_EQ(m.count(HeaderId::contact), 2u);
       const Header* odd = m.find("C%6Fntact");
       ASSERT_NE(odd, nullptr);
       EXPECT_EQ(odd->id, HeaderId::other);
       EXPECT_EQ(odd->value, "<sip:alias2@host2.example.com>");
     }},
    {"rfc4475_lwsdisp.dat", "3.1.1.6 No LWS between Display Name and <: elements should accept",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       const NameAddr from = addr_of(m.header_value(HeaderId::from));
       EXPECT_EQ(from.display_name, "caller");
       EXPECT_EQ(from.uri, "sip:caller@example.com");
       EXPECT_EQ(param_value(from.params, "tag"), "323");
       EXPECT_EQ(cseq_of(m).number, 60u);
     }},
    {"rfc4475_longreq.dat", "3.1.1.7 Long Values in Header Fields: well-formed (34 Via values)",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(vias_of(m).size(), 34u);
       EXPECT_EQ(m.count(HeaderId::via), 34u);  // every case/compact spelling is a Via
       EXPECT_EQ(via_at(m, 0).host, "sip33.example.com");
       EXPECT_EQ(via_at(m, 33).host, "host.example.com");
       EXPECT_EQ(via_at(m, 33).received, "192.0.2.5");
       const NameAddr to = addr_of(m.header_value(HeaderId::to));
       EXPECT_EQ(to.display_name.substr(0, 22), "I have a user name of ");
       EXPECT_EQ(to.display_name.substr(to.display_name.size() - 10), "proportion");
       EXPECT_EQ(uri_of(to.uri).port, 6000);
       EXPECT_NE(m.find(HeaderId::from), nullptr);  // "F:"
       EXPECT_EQ(cseq_of(m).number, 3882340u);
       EXPECT_EQ(m.body().size(), 150u);
     }},
    {"rfc4475_dblreq.dat",
     "3.1.1.8 Extra Trailing Octets in a UDP Datagram: first REGISTER (Content-Length 0) is "
     "the message; the INVITE after it must be ignored",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view data) {
       EXPECT_EQ(m.method(), "REGISTER");
       EXPECT_EQ(m.header_value(HeaderId::call_id), "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
       EXPECT_EQ(m.content_length(), 0);
       EXPECT_EQ(m.bytes().size(), header_end(data));
       // The file has one more CRLF, then the INVITE that must be ignored.
       EXPECT_EQ(data.substr(m.bytes().size(), 9), "\r\nINVITE ");
     }},
    {"rfc4475_semiuri.dat",
     "3.1.1.9 Semicolon-Separated Parameters in URI User Part: user is user;par=u%40example.net",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       const Uri ruri = uri_of(m.request_uri());
       EXPECT_EQ(ruri.user, "user;par=u%40example.net");
       EXPECT_EQ(ruri.host, "example.com");
       EXPECT_EQ(ruri.params, "");
       EXPECT_EQ(for_each_value(m.header_value(HeaderId::accept), [](std::string_view) {}), 6u);
     }},
    {"rfc4475_transports.dat", "3.1.1.10 Varied and Unknown Transport Types: must accept",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       ASSERT_EQ(vias_of(m).size(), 5u);
       const std::string_view expected[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
       for (size_t i = 0; i < 5; ++i) EXPECT_EQ(via_at(m, i).transport, expected[i]);
       EXPECT_EQ(m.header_value(HeaderId::call_id), "transports.kijh4akdnaqjkwendsasfdj");
     }},
    {"rfc4475_mpart01.dat",
     "3.1.1.11 Multipart MIME Message: must accept; binary body framed by Content-Length",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "MESSAGE");
       EXPECT_EQ(m.content_length(), 553);
       EXPECT_EQ(m.body().size(), 553u);
       EXPECT_NE(m.body().find('\0'), std::string_view::npos);  // binary content survives
       EXPECT_EQ(m.header_value(HeaderId::content_type).substr(0, 15), "multipart/mixed");
       EXPECT_FALSE(m.header_value(HeaderId::identity).empty());
     }},
    {"rfc4475_unreason.dat", "3.1.1.12 Unusual Reason Phrase: must accept (UTF-8 reason)",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.status_code(), 200);
       EXPECT_EQ(m.reason_phrase(),
                 "= 2**3 * 5**2 \xd0\xbd\xd0\xbe \xd1\x81\xd1\x82\xd0\xbe "
                 "\xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd0\xbd\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe "
                 "\xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd1\x82\xd1\x8c - "
                 "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe\xd0\xb5");
       EXPECT_EQ(cseq_of(m).method, "INVITE");
       EXPECT_EQ(m.body().size(), 154u);
     }},
    {"rfc4475_noreason.dat", "3.1.1.13 Empty Reason Phrase: must accept", Outcome::parses,
     ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.status_code(), 100);
       EXPECT_EQ(m.reason_phrase(), "");
       EXPECT_EQ(m.header_value(HeaderId::call_id), "noreason.asndj203insdf99223ndf");
     }},

    // ===== RFC 4475 §3.1.2: invalid messages =====
    {"rfc4475_badinv01.dat",
     "3.1.2.1 Extraneous Header Field Separators: RFC says 400. Lenient here: the message "
     "parses; the empty Via items are not via-parms",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       const auto vias = vias_of(m);
       ASSERT_GE(vias.size(), 2u);
       Via v;
       EXPECT_FALSE(parse_via(vias[1], v));
       EXPECT_EQ(m.body().size(), 152u);
     }},
    {"rfc4475_clerr.dat",
     "3.1.2.2 Content Length Larger Than Message: 400 over UDP. Rejected: body_truncated",
     Outcome::rejected, ParseError::body_truncated},
    {"rfc4475_ncl.dat", "3.1.2.3 Negative Content-Length: 400. Rejected: bad_content_length",
     Outcome::rejected, ParseError::bad_content_length},
    {"rfc4475_scalar02.dat",
     "3.1.2.4 Request Scalar Fields with Overlarge Values: 400. Lenient here; parse_cseq "
     "refuses the CSeq overflow",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       CSeq c;
       EXPECT_FALSE(parse_cseq(m.header_value(HeaderId::cseq), c));
       EXPECT_EQ(m.header_value(HeaderId::max_forwards), "300");
     }},
    {"rfc4475_scalarlg.dat",
     "3.1.2.5 Response Scalar Fields with Overlarge Values: receiver discards. Lenient here; "
     "parse_cseq refuses the CSeq overflow",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.status_code(), 503);
       CSeq c;
       EXPECT_FALSE(parse_cseq(m.header_value(HeaderId::cseq), c));
     }},
    {"rfc4475_quotbal.dat",
     "3.1.2.6 Unterminated Quoted String in Display Name: 400. Lenient here; parse_name_addr "
     "refuses the To value",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       NameAddr n;
       EXPECT_FALSE(parse_name_addr(m.header_value(HeaderId::to), n));
     }},
    {"rfc4475_ltgtruri.dat",
     "3.1.2.7 <> Enclosing Request-URI: reasonable to reject. Rejected: bad_start_line",
     Outcome::rejected, ParseError::bad_start_line},
    {"rfc4475_lwsruri.dat",
     "3.1.2.8 Malformed SIP Request-URI (embedded LWS): 400. Rejected: bad_start_line",
     Outcome::rejected, ParseError::bad_start_line},
    {"rfc4475_lwsstart.dat",
     "3.1.2.9 Multiple SP Separating Request-Line Elements: acceptable to reject; a liberal "
     "element may ignore the extra SP. Lenient here",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "INVITE");
       EXPECT_EQ(m.request_uri(), "sip:user@example.com");
       EXPECT_EQ(m.version(), "SIP/2.0");
     }},
    {"rfc4475_trws.dat",
     "3.1.2.10 SP Characters at End of Request-Line: acceptable to reject; tolerant handling "
     "allowed. Lenient here",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "OPTIONS");
       EXPECT_EQ(m.request_uri(), "sip:remote-target@example.com");
       EXPECT_EQ(m.version(), "SIP/2.0");
     }},
    {"rfc4475_escruri.dat",
     "3.1.2.11 Escaped Headers in SIP Request-URI: acceptable to reject; must not become real "
     "headers. Lenient here: the ?Route= part stays inside the URI",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       const Uri u = uri_of(m.request_uri());
       EXPECT_EQ(u.host, "example.com");
       EXPECT_EQ(u.params, "");
       EXPECT_EQ(m.count(HeaderId::route), 0u);
     }},
    {"rfc4475_baddate.dat",
     "3.1.2.12 Invalid Time Zone in Date Header Field: reject only if Date matters. Lenient "
     "here: Date is not interpreted",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.find("Date")->value, "Fri, 01 Jan 2010 16:00:00 EST");
     }},
    {"rfc4475_regbadct.dat",
     "3.1.2.13 Failure to Enclose name-addr URI in <>: reasonable to 400. Lenient here: the "
     "bare addr-spec keeps its ?headers in the URI",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       const NameAddr c = addr_of(m.header_value(HeaderId::contact));
       EXPECT_EQ(uri_of(c.uri).host, "example.com");
     }},
    {"rfc4475_badaspec.dat",
     "3.1.2.14 Spaces within addr-spec: parsers must not break; reasonable to 400. Lenient "
     "here: the SP inside <> is trimmed",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(addr_of(m.header_value(HeaderId::to)).uri, "sip:t.watson@example.org");
       EXPECT_EQ(addr_of(m.header_value(HeaderId::from)).display_name, "Bell, Alexander");
     }},
    {"rfc4475_baddn.dat",
     "3.1.2.15 Non-token Characters in Display Name: reasonable to 400. This copy has no empty "
     "line after the headers: rejected as headers_unterminated",
     Outcome::rejected, ParseError::headers_unterminated},
    {"rfc4475_baddn_ersip-variant.dat",
     "3.1.2.15 (terminated copy): reasonable to 400. Lenient message parse; parse_name_addr "
     "refuses the unquoted 'Bell, Alexander'",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       NameAddr n;
       EXPECT_FALSE(parse_name_addr(m.header_value(HeaderId::from), n));
       EXPECT_FALSE(parse_name_addr(m.header_value(HeaderId::to), n));
     }},
    {"rfc4475_badvers.dat",
     "3.1.2.16 Unknown Protocol Version: answer 505. Lenient here: the version is reported",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.version(), "SIP/7.0");
       EXPECT_EQ(via_at(m, 0).protocol, "SIP/7.0");
       EXPECT_NE(m.leniency() & kLenientSipVersion, 0);
     }},
    {"rfc4475_mismatch01.dat",
     "3.1.2.17 Start Line and CSeq Method Mismatch: 400. Lenient here: both are reported",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "OPTIONS");
       EXPECT_EQ(cseq_of(m).method, "INVITE");
     }},
    {"rfc4475_mismatch02.dat",
     "3.1.2.18 Unknown Method with CSeq Method Mismatch: 501 or 400. Lenient here",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "NEWMETHOD");
       EXPECT_EQ(cseq_of(m).method, "INVITE");
       EXPECT_EQ(m.body().size(), 138u);
     }},
    {"rfc4475_bigcode.dat", "3.1.2.19 Overlarge Response Code: drop. Rejected: bad_start_line",
     Outcome::rejected, ParseError::bad_start_line},

    // ===== RFC 4475 §3.2 / §3.3: syntactically valid, semantically questionable =====
    {"rfc4475_badbranch.dat",
     "3.2.1 Missing Transaction Identifier: must not break; branch is only the magic cookie",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) { EXPECT_EQ(via_at(m, 0).branch, "z9hG4bK"); }},
    {"rfc4475_insuf.dat",
     "3.3.1 Missing Required Header Fields: must not crash; no To, From, Call-ID, Max-Forwards",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.find(HeaderId::to), nullptr);
       EXPECT_EQ(m.find(HeaderId::from), nullptr);
       EXPECT_EQ(m.find(HeaderId::call_id), nullptr);
       EXPECT_EQ(m.find(HeaderId::max_forwards), nullptr);
       EXPECT_EQ(cseq_of(m).number, 193942u);
       EXPECT_EQ(m.body().size(), 152u);
     }},
    {"rfc4475_unkscm.dat", "3.3.2 Request-URI with Unknown Scheme: parses; answer 416",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.request_uri(), "nobodyKnowsThisScheme:totallyopaquecontent");
       EXPECT_EQ(uri_of(m.request_uri()).scheme, "nobodyKnowsThisScheme");
     }},
    {"rfc4475_novelsc.dat", "3.3.3 Request-URI with Known but Atypical Scheme: parses",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(uri_of(m.request_uri()).scheme, "soap.beep");
     }},
    {"rfc4475_unksm2.dat", "3.3.4 Unknown URI Schemes in Header Fields: parses; registrar rejects",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(uri_of(addr_of(m.header_value(HeaderId::to)).uri).scheme, "isbn");
       EXPECT_EQ(addr_of(m.header_value(HeaderId::from)).uri, "http://www.example.com");
       EXPECT_EQ(addr_of(m.header_value(HeaderId::contact)).uri, "name:John_Smith");
     }},
    {"rfc4475_bext01.dat", "3.3.5 Proxy-Require and Require: parses; answer 420", Outcome::parses,
     ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(for_each_value(m.header_value(HeaderId::require), [](std::string_view) {}), 2u);
       EXPECT_EQ(for_each_value(m.find("Proxy-Require")->value, [](std::string_view) {}), 2u);
     }},
    {"rfc4475_invut.dat", "3.3.6 Unknown Content-Type: parses; answer 415", Outcome::parses,
     ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.header_value(HeaderId::content_type), "application/unknownformat");
       EXPECT_EQ(m.body().size(), 40u);
     }},
    {"rfc4475_regaut01.dat", "3.3.7 Unknown Authorization Scheme: parses; registrar challenges",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.header_value(HeaderId::authorization), "NoOneKnowsThisScheme opaque-data=here");
       EXPECT_EQ(m.content_length(), 0);  // "Content-Length:0"
     }},
    {"rfc4475_multi01.dat",
     "3.3.8 Multiple Values in Single Value Required Fields: parses; 400 is the answer",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.count(HeaderId::call_id), 2u);
       EXPECT_EQ(m.count(HeaderId::cseq), 2u);
       EXPECT_EQ(m.count(HeaderId::to), 2u);
       EXPECT_EQ(m.count(HeaderId::from), 2u);
       EXPECT_EQ(m.count(HeaderId::max_forwards), 2u);
       EXPECT_EQ(m.header_value(HeaderId::call_id), "multi01.98asdh@192.0.2.1");  // the first
       EXPECT_EQ(m.body().size(), 154u);
     }},
    {"rfc4475_mcl01.dat",
     "3.3.9 Multiple Content-Length Values (13 and 5): 400. Rejected: bad_content_length "
     "(framing would be a guess)",
     Outcome::rejected, ParseError::bad_content_length},
    {"rfc4475_bcast.dat", "3.3.10 200 OK with Broadcast Via: well-formed response", Outcome::parses,
     ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.status_code(), 200);
       EXPECT_EQ(via_at(m, 1).host, "255.255.255.255");
       EXPECT_EQ(m.body().size(), 154u);
     }},
    {"rfc4475_zeromf.dat", "3.3.11 Max-Forwards of Zero: valid", Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.header_value(HeaderId::max_forwards), "0");
       EXPECT_EQ(cseq_of(m).number, 39234321u);
     }},
    {"rfc4475_cparam01.dat",
     "3.3.12 REGISTER with a Contact Header Parameter: unknownparam is a contact-param",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       const NameAddr c = addr_of(m.header_value(HeaderId::contact));
       EXPECT_EQ(c.uri, "sip:+19725552222@gw1.example.net");
       EXPECT_EQ(c.params, ";unknownparam");
       EXPECT_EQ(uri_of(c.uri).user, "+19725552222");
     }},
    {"rfc4475_cparam02.dat",
     "3.3.13 REGISTER with a url-parameter: unknownparam inside <> is a URI param", Outcome::parses,
     ParseError::ok,
     [](const Message& m, std::string_view) {
       const NameAddr c = addr_of(m.header_value(HeaderId::contact));
       EXPECT_EQ(c.params, "");
       EXPECT_EQ(uri_of(c.uri).params, ";unknownparam");
     }},
    {"rfc4475_regescrt.dat", "3.3.14 REGISTER with a URL Escaped Header: acceptable",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       const NameAddr c = addr_of(m.header_value(HeaderId::contact));  // "M:"
       EXPECT_EQ(c.uri, "sip:user@example.com?Route=%3Csip:sip.example.com%3E");
       EXPECT_EQ(uri_of(c.uri).host, "example.com");
     }},
    {"rfc4475_sdp01.dat", "3.3.15 Unacceptable Accept Offering: parses; answer 406",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.header_value(HeaderId::accept), "text/nobodyKnowsThis");
       EXPECT_EQ(m.body().size(), 150u);
     }},
    {"rfc4475_inv2543.dat",
     "3.4.1 INVITE with RFC 2543 Syntax: accept; no Content-Length, so the body is every octet "
     "after the empty line",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view data) {
       EXPECT_EQ(m.content_length(), -1);
       EXPECT_EQ(m.body().size(), data.size() - header_end(data));
       EXPECT_EQ(via_at(m, 0).branch, "");
       EXPECT_EQ(m.find(HeaderId::max_forwards), nullptr);
       bool tagged = true;
       (void)param_value(addr_of(m.header_value(HeaderId::from)).params, "tag", &tagged);
       EXPECT_FALSE(tagged);
     }},

    // ===== RFC 5118 (IPv6) =====
    {"rfc5118_ipv6-good.dat", "4.1 Valid SIP Message with an IPv6 Reference: accept",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(uri_of(m.request_uri()).host, "2001:db8::10");
       EXPECT_EQ(via_at(m, 0).host, "2001:db8::9:1");
       EXPECT_EQ(uri_of(addr_of(m.header_value(HeaderId::contact)).uri).host, "2001:db8::1");
     }},
    {"rfc5118_ipv6-bad.dat",
     "4.2 Invalid: IPv6 Request-URI host without []: 400. Lenient message parse; parse_uri "
     "accepts the Request-URI and flags the bare IPv6 host",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       Uri u;
       ASSERT_TRUE(parse_uri(m.request_uri(), u));
       EXPECT_TRUE(u.unbracketed_ipv6);
       EXPECT_EQ(u.host, "2001:db8::10");  // REGISTER sip:2001:db8::10 SIP/2.0
       EXPECT_EQ(u.port, 0);
     }},
    {"rfc5118_port-ambiguous.dat", "4.3 Port Ambiguous: [2001:db8::10:5070] is all address",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       const Uri u = uri_of(m.request_uri());
       EXPECT_EQ(u.host, "2001:db8::10:5070");
       EXPECT_EQ(u.port, 0);
     }},
    {"rfc5118_port-unambiguous.dat", "4.4 Port Unambiguous: [2001:db8::10]:5070", Outcome::parses,
     ParseError::ok,
     [](const Message& m, std::string_view) {
       const Uri u = uri_of(m.request_uri());
       EXPECT_EQ(u.host, "2001:db8::10");
       EXPECT_EQ(u.port, 5070);
     }},
    {"rfc5118_via-received-param-with-delim.dat", "4.5 received=[IPv6]: accept", Outcome::parses,
     ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(via_at(m, 0).received, "[2001:db8::9:255]");
       EXPECT_EQ(via_at(m, 0).branch, "z9hG4bKas3-111");
     }},
    {"rfc5118_via-received-param-no-delim.dat", "4.5 received=IPv6 without []: accept",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(via_at(m, 0).received, "2001:db8::9:255");
       EXPECT_EQ(via_at(m, 0).branch, "z9hG4bKas3");
     }},
    {"rfc5118_ipv6-in-sdp.dat",
     "4.6 IPv6 in SDP: this copy's Content-Length (268) exceeds the bytes present: rejected as "
     "body_truncated (see the corrected copy)",
     Outcome::rejected, ParseError::body_truncated},
    {"rfc5118_ipv6-in-sdp_cl-corrected-by-ersip.dat", "4.6 IPv6 in SDP (corrected length): accept",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.body().size(), 241u);
       const sdp::Session s = sdp_of(m);
       EXPECT_EQ(s.connection.addr_type, "IP6");
       EXPECT_EQ(s.connection.address, "2001:db8::20");
       EXPECT_EQ(s.media.size(), 2u);
     }},
    {"rfc5118_mult-ip-in-header.dat", "4.7 Multiple IP Addresses in SIP Headers: accept",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       ASSERT_EQ(vias_of(m).size(), 3u);
       EXPECT_EQ(via_at(m, 0).host, "2001:db8::9:1");
       EXPECT_EQ(via_at(m, 0).port, 6050);
       EXPECT_EQ(via_at(m, 1).host, "192.0.2.1");
       EXPECT_EQ(via_at(m, 2).transport, "TCP");
       EXPECT_EQ(via_at(m, 2).host, "2001:db8::9:255");
       EXPECT_EQ(via_at(m, 2).received, "192.0.2.200");
     }},
    {"rfc5118_mult-ip-in-sdp.dat", "4.8 Multiple IP Addresses in SDP: one IPv4, one IPv6 stream",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       const sdp::Session s = sdp_of(m);
       EXPECT_FALSE(s.connection.present);
       ASSERT_EQ(s.media.size(), 2u);
       EXPECT_EQ(s.media[0].effective_connection(s).address, "192.0.2.1");
       EXPECT_EQ(s.media[1].effective_connection(s).addr_type, "IP6");
       EXPECT_EQ(s.media[1].effective_connection(s).address, "2001:db8::1");
     }},
    {"rfc5118_ipv4-mapped-ipv6.dat", "4.9 IPv4-Mapped IPv6 Addresses: accept", Outcome::parses,
     ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(via_at(m, 0).host, "::ffff:192.0.2.10");
       EXPECT_EQ(via_at(m, 0).port, 19823);
       const NameAddr c = addr_of(m.header_value(HeaderId::contact));
       EXPECT_EQ(c.display_name, "T. desk phone");
       EXPECT_EQ(uri_of(c.uri).host, "::ffff:192.0.2.2");
       EXPECT_EQ(m.body().size(), 236u);
       EXPECT_EQ(sdp_of(m).connection.address, "::ffff:192.0.2.2");
     }},
    {"rfc5118_ipv6-bug-abnf-3-colons.dat",
     "4.10 '2001:db8:::192.0.2.1' (RFC 3261 ABNF bug): contested, must not crash. Lenient: "
     "the bracketed host is not validated as an address",
     Outcome::lenient, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(uri_of(m.request_uri()).host, "2001:db8:::192.0.2.1");
     }},
    {"rfc5118_ipv6-correct-abnf-2-colons.dat", "4.10 '2001:db8::192.0.2.1': accept",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(uri_of(m.request_uri()).host, "2001:db8::192.0.2.1");
     }},

    // ===== resiprocate stream-parser fragments (MANIFEST §4.3) =====
    {"resip_RSP-2_data1.msg",
     "Request-URI without a scheme ('bubba@caley'): rejected as bad_start_line", Outcome::rejected,
     ParseError::bad_start_line},
    {"resip_RSP-2_data2.msg", "complete MESSAGE with LF-only line ends (no Call-ID): parses",
     Outcome::parses, ParseError::ok,
     [](const Message& m, std::string_view) {
       EXPECT_EQ(m.method(), "MESSAGE");
       EXPECT_EQ(cseq_of(m).number, 31415u);
       EXPECT_EQ(m.find(HeaderId::call_id), nullptr);
       EXPECT_EQ(m.body(), "Hiya\n");
     }},
    {"resip_RSP-3_data1.msg",
     "header block without a start line (starts with 'To:'): rejected as not_sip",
     Outcome::rejected, ParseError::not_sip},
    {"resip_RSP-3_data2.msg",
     "MESSAGE whose Content-Length (6) is one more than the bytes present: need more "
     "(body_truncated)",
     Outcome::rejected, ParseError::body_truncated},
    {"resip_RSP-3_data3.msg",
     "header block without a start line (starts with 'Via: SIP/2.0/TCP'): rejected as "
     "bad_start_line",
     Outcome::rejected, ParseError::bad_start_line},
};

fs::path corpus_dir() {
  return fs::path(SIPSCOPE_CORPUS_DIR) / "sipmsgs";
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Rfc4475Corpus, EveryFileHasARowAndEveryRowAFile) {
  if (!fs::is_directory(corpus_dir()))
    GTEST_SKIP() << "corpus not found at " << corpus_dir() << " (set SIPSCOPE_CORPUS_DIR)";
  std::set<std::string> rows;
  for (const Row& r : kRows) EXPECT_TRUE(rows.insert(std::string(r.file)).second) << r.file;
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(corpus_dir()))
    if (e.is_regular_file()) files.insert(e.path().filename().string());
  EXPECT_EQ(files, rows);
}

TEST(Rfc4475Corpus, EachMessageAsTheRfcDescribesIt) {
  if (!fs::is_directory(corpus_dir()))
    GTEST_SKIP() << "corpus not found at " << corpus_dir() << " (set SIPSCOPE_CORPUS_DIR)";
  Message m;
  for (const Row& row : kRows) {
    SCOPED_TRACE(std::string(row.file) + " — RFC " + std::string(row.rfc));
    const fs::path path = corpus_dir() / row.file;
    if (!fs::exists(path)) continue;  // reported by the test above
    const std::string data = read_all(path);
    // Corpus files are single UDP datagrams.
    const auto r = parse_message(data, m, {.datagram = true});
    ASSERT_LE(r.consumed, data.size());
    if (row.outcome == Outcome::rejected) {
      EXPECT_EQ(r.error, row.error) << parse_error_name(r.error);
      EXPECT_EQ(r.consumed, 0u);
      continue;
    }
    ASSERT_EQ(r.error, ParseError::ok) << parse_error_name(r.error);
    // The sniffer accepts any SIP-Version of the §7.1 grammar, as the parser does: every
    // message that parses, badvers (SIP/7.0) included, is recognised as SIP.
    EXPECT_TRUE(looks_like_sip(data));
    if (row.check) row.check(m, data);
  }
}

TEST(Rfc4475Corpus, EveryPrefixOfEveryMessageIsSafe) {
  if (!fs::is_directory(corpus_dir()))
    GTEST_SKIP() << "corpus not found at " << corpus_dir() << " (set SIPSCOPE_CORPUS_DIR)";
  Message m;
  sdp::Session s;
  for (const auto& e : fs::directory_iterator(corpus_dir())) {
    const std::string data = read_all(e.path());
    for (size_t n = 0; n <= data.size(); ++n) {
      const std::string_view prefix(data.data(), n);
      for (bool datagram : {true, false}) {
        const auto r = parse_message(prefix, m, {.datagram = datagram});
        ASSERT_LE(r.consumed, n) << e.path();
        if (r.error == ParseError::ok) (void)sdp::parse_sdp(m.body(), s);
      }
    }
  }
}

}  // namespace
}  // namespace sipscope::decode::sip
