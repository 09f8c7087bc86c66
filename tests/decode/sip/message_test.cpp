#include "decode/sip/message.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "decode/sip/fields.hpp"

namespace sipscope::decode::sip {
namespace {

// Messages below are written with "\n" for readability and sent with CRLF, as on the wire.
std::string crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// Same, but kept alive for the whole test run so that views from parse_message() into it
// stay valid after the statement that parsed it.
std::string_view wire(std::string_view text) {
  static std::deque<std::string> store;
  return store.emplace_back(crlf(text));
}

// RFC 3261 §24.1, F1.
const std::string kRegister = crlf(
    "REGISTER sip:registrar.biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.example.com>\n"
    "From: Bob <sip:bob@biloxi.example.com>;tag=456248\n"
    "Call-ID: 843817637684230@998sdasdh09\n"
    "CSeq: 1826 REGISTER\n"
    "Contact: <sip:bob@192.0.2.4>\n"
    "Expires: 7200\n"
    "Content-Length: 0\n"
    "\n");

// RFC 3261 §24.1, F2 — the RFC itself folds the Via onto a second line.
const std::string kRegisterOk = crlf(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7\n"
    " ;received=192.0.2.4\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=2493k59kd\n"
    "From: Bob <sip:bob@biloxi.example.com>;tag=456248\n"
    "Call-ID: 843817637684230@998sdasdh09\n"
    "CSeq: 1826 REGISTER\n"
    "Contact: <sip:bob@192.0.2.4>\n"
    "Expires: 7200\n"
    "Content-Length: 0\n"
    "\n");

// RFC 3261 §24.2, F1. The SDP is 7 lines, 151 octets with CRLF — the RFC's Content-Length.
const std::string kInviteBody = crlf(
    "v=0\n"
    "o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com\n"
    "s=-\n"
    "c=IN IP4 192.0.2.101\n"
    "t=0 0\n"
    "m=audio 49172 RTP/AVP 0\n"
    "a=rtpmap:0 PCMU/8000\n");
const std::string kInvite =
    crlf(
        "INVITE sip:bob@biloxi.example.com SIP/2.0\n"
        "Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\n"
        "Max-Forwards: 70\n"
        "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\n"
        "To: Bob <sip:bob@biloxi.example.com>\n"
        "Call-ID: 3848276298220188511@atlanta.example.com\n"
        "CSeq: 314159 INVITE\n"
        "Contact: <sip:alice@client.atlanta.example.com;transport=tcp>\n"
        "Content-Type: application/sdp\n"
        "Content-Length: 151\n"
        "\n") +
    kInviteBody;

TEST(Message, Rfc3261RegisterRequest) {
  Message m;
  const auto r = parse_message(kRegister, m);
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_EQ(r.consumed, kRegister.size());
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), "REGISTER");
  EXPECT_EQ(m.request_uri(), "sip:registrar.biloxi.example.com");
  EXPECT_EQ(m.version(), "SIP/2.0");
  EXPECT_EQ(m.status_code(), 0);
  EXPECT_EQ(m.headers().size(), 9u);  // nine header lines in F1
  EXPECT_EQ(m.header_value(HeaderId::call_id), "843817637684230@998sdasdh09");
  EXPECT_EQ(m.header_value(HeaderId::cseq), "1826 REGISTER");
  EXPECT_EQ(m.header_value(HeaderId::expires), "7200");
  EXPECT_EQ(m.header_value(HeaderId::max_forwards), "70");
  EXPECT_EQ(m.content_length(), 0);
  EXPECT_TRUE(m.body().empty());
  EXPECT_EQ(m.bytes(), kRegister);
  EXPECT_EQ(m.header_value(HeaderId::route), "");
  EXPECT_EQ(m.find(HeaderId::route), nullptr);
}

TEST(Message, Rfc3261RegisterResponseWithFoldedVia) {
  Message m;
  const auto r = parse_message(kRegisterOk, m);
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_FALSE(m.is_request());
  EXPECT_EQ(m.method(), "");
  EXPECT_EQ(m.status_code(), 200);
  EXPECT_EQ(m.reason_phrase(), "OK");
  EXPECT_EQ(m.count(HeaderId::via), 1u);
  // The value view spans the fold; unfold() turns CRLF SP into one SP.
  const auto via = m.header_value(HeaderId::via);
  EXPECT_EQ(
      via,
      "SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7\r\n ;received=192.0.2.4");
  EXPECT_EQ(unfold(via),
            "SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7 ;received=192.0.2.4");
  Via v;
  ASSERT_TRUE(parse_via(via, v));
  EXPECT_EQ(v.branch, "z9hG4bKnashds7");
  EXPECT_EQ(v.received, "192.0.2.4");
  EXPECT_EQ(m.headers()[1].name, "To");
}

TEST(Message, Rfc3261InviteWithSdpBody) {
  Message m;
  const auto r = parse_message(kInvite, m, {.datagram = false});
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_EQ(r.consumed, kInvite.size());
  EXPECT_EQ(m.method(), "INVITE");
  EXPECT_EQ(m.content_length(), 151);
  EXPECT_EQ(m.body(), kInviteBody);
  EXPECT_EQ(m.body().size(), 151u);
  EXPECT_EQ(m.header_value(HeaderId::content_type), "application/sdp");
  CSeq cs;
  ASSERT_TRUE(parse_cseq(m.header_value(HeaderId::cseq), cs));
  EXPECT_EQ(cs.number, 314159u);
  EXPECT_EQ(cs.method, "INVITE");
}

TEST(Message, EveryCompactFormMapsToItsHeader) {
  const std::string msg = crlf(
      "INVITE sip:bob@example.com SIP/2.0\n"
      "v: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\n"
      "f: <sip:alice@example.com>;tag=1\n"
      "t: <sip:bob@example.com>\n"
      "i: abc@pc33\n"
      "m: <sip:alice@pc33.example.com>\n"
      "c: application/sdp\n"
      "k: 100rel\n"
      "s: lunch\n"
      "e: gzip\n"
      "o: refer\n"
      "u: presence\n"
      "r: <sip:carol@example.com>\n"
      "b: <sip:alice@example.com>\n"
      "x: 1800\n"
      "y: token\n"
      "a: *;audio\n"
      "j: *;video\n"
      "d: proxy\n"
      "CSeq: 1 INVITE\n"
      "l: 0\n"
      "\n");
  Message m;
  ASSERT_EQ(parse_message(msg, m).error, ParseError::ok);
  EXPECT_EQ(m.header_value(HeaderId::via), "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds");
  EXPECT_EQ(m.header_value(HeaderId::from), "<sip:alice@example.com>;tag=1");
  EXPECT_EQ(m.header_value(HeaderId::to), "<sip:bob@example.com>");
  EXPECT_EQ(m.header_value(HeaderId::call_id), "abc@pc33");
  EXPECT_EQ(m.header_value(HeaderId::contact), "<sip:alice@pc33.example.com>");
  EXPECT_EQ(m.header_value(HeaderId::content_type), "application/sdp");
  EXPECT_EQ(m.header_value(HeaderId::supported), "100rel");
  EXPECT_EQ(m.header_value(HeaderId::subject), "lunch");
  EXPECT_EQ(m.header_value(HeaderId::content_encoding), "gzip");
  EXPECT_EQ(m.header_value(HeaderId::event), "refer");
  EXPECT_EQ(m.header_value(HeaderId::allow_events), "presence");
  EXPECT_EQ(m.header_value(HeaderId::refer_to), "<sip:carol@example.com>");
  EXPECT_EQ(m.header_value(HeaderId::referred_by), "<sip:alice@example.com>");
  EXPECT_EQ(m.header_value(HeaderId::session_expires), "1800");
  EXPECT_EQ(m.header_value(HeaderId::identity), "token");
  EXPECT_EQ(m.header_value(HeaderId::accept_contact), "*;audio");
  EXPECT_EQ(m.header_value(HeaderId::reject_contact), "*;video");
  EXPECT_EQ(m.header_value(HeaderId::request_disposition), "proxy");
  EXPECT_EQ(m.content_length(), 0);
  // Lookup by full name finds the compact spelling; the wire name is kept as written.
  const Header* h = m.find("Call-ID");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->name, "i");
  EXPECT_EQ(h->id, HeaderId::call_id);
}

TEST(Message, HeaderNamesAreCaseInsensitiveAndUnknownOnesFoundByName) {
  const std::string msg = crlf(
      "OPTIONS sip:x@example.com SIP/2.0\n"
      "CALL-id: one\n"
      "cseq: 7 OPTIONS\n"
      "x-call-id: leg-a\n"
      "Content-LENGTH   : 0\n"
      "\n");
  Message m;
  ASSERT_EQ(parse_message(msg, m).error, ParseError::ok);
  EXPECT_EQ(m.header_value(HeaderId::call_id), "one");
  EXPECT_EQ(m.header_value(HeaderId::cseq), "7 OPTIONS");
  EXPECT_EQ(m.content_length(), 0);
  const Header* x = m.find("X-Call-ID");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->value, "leg-a");
  EXPECT_EQ(x->id, HeaderId::other);
  EXPECT_EQ(m.find("X-Other"), nullptr);
}

TEST(Message, FoldedLinesAndEmptyFirstLineValue) {
  // Modelled on RFC 4475 wsinv: a value that starts on the continuation line, and one that
  // continues over two lines; trailing WSP on each line is not part of the value.
  const std::string msg = crlf(
      "OPTIONS sip:x@example.com SIP/2.0\n"
      "To :\n"
      " sip:vivekg@example.com \n"
      "Subject: first\t\n"
      "\tsecond\n"
      "  third\n"
      "Empty:\n"
      "Content-Length: 0\n"
      "\n");
  Message m;
  ASSERT_EQ(parse_message(msg, m).error, ParseError::ok);
  EXPECT_EQ(m.header_value(HeaderId::to), "sip:vivekg@example.com");
  EXPECT_EQ(m.header_value(HeaderId::subject), "first\t\r\n\tsecond\r\n  third");
  EXPECT_EQ(unfold(m.header_value(HeaderId::subject)), "first second third");
  const Header* e = m.find("Empty");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value, "");
}

TEST(Message, RepeatedHeadersAndCommaValues) {
  const std::string msg = crlf(
      "SIP/2.0 180 Ringing\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\n"
      "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\n"
      "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\n"
      "Contact: \"Doe, John\" <sip:j@d.example.com>, <sip:k@e.example.com;a=\"x,y\">\n"
      "Content-Length: 0\n"
      "\n");
  Message m;
  ASSERT_EQ(parse_message(msg, m).error, ParseError::ok);
  EXPECT_EQ(m.count(HeaderId::via), 2u);
  std::vector<std::string_view> vias;
  for (const Header& h : m.headers())
    if (h.id == HeaderId::via)
      for_each_value(h.value, [&](std::string_view v) { vias.push_back(v); });
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[0], "SIP/2.0/UDP a.example.com;branch=z9hG4bK1");
  EXPECT_EQ(vias[1], "SIP/2.0/UDP b.example.com;branch=z9hG4bK2");
  EXPECT_EQ(vias[2], "SIP/2.0/UDP c.example.com;branch=z9hG4bK3");
  std::vector<std::string_view> contacts;
  // The comma inside the quoted display name and inside the quoted param do not split.
  EXPECT_EQ(for_each_value(m.header_value(HeaderId::contact),
                           [&](std::string_view v) { contacts.push_back(v); }),
            2u);
  EXPECT_EQ(contacts[0], "\"Doe, John\" <sip:j@d.example.com>");
  EXPECT_EQ(contacts[1], "<sip:k@e.example.com;a=\"x,y\">");
  EXPECT_EQ(for_each_value(m.header_value(HeaderId::record_route), [](std::string_view) {}), 2u);
}

TEST(Message, ContentLengthDelimitsBodyTrailingBytesLeftOver) {
  const std::string first = crlf(
                                "MESSAGE sip:a@example.com SIP/2.0\n"
                                "Content-Length: 5\n"
                                "\n") +
                            "hello";
  const std::string data = first + "TRAILING";
  for (bool datagram : {true, false}) {
    Message m;
    const auto r = parse_message(data, m, {.datagram = datagram});
    ASSERT_EQ(r.error, ParseError::ok);
    EXPECT_EQ(r.consumed, first.size());
    EXPECT_EQ(m.body(), "hello");
    EXPECT_EQ(m.bytes(), first);
  }
}

TEST(Message, MissingContentLengthDatagramVersusStream) {
  const std::string head = crlf("MESSAGE sip:a@example.com SIP/2.0\nCall-ID: x\n\n");
  const std::string data = head + "body bytes";
  Message m;
  // §18.3: on a datagram the body runs to the end of the packet...
  auto r = parse_message(data, m, {.datagram = true});
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_EQ(m.content_length(), -1);
  EXPECT_EQ(m.body(), "body bytes");
  EXPECT_EQ(r.consumed, data.size());
  // ...on a stream the message ends at the blank line.
  r = parse_message(data, m, {.datagram = false});
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_TRUE(m.body().empty());
  EXPECT_EQ(r.consumed, head.size());
}

TEST(Message, BodyTruncated) {
  const std::string data =
      crlf("MESSAGE sip:a@example.com SIP/2.0\nContent-Length: 10\n\n") + "12345";
  Message m;
  for (bool datagram : {true, false}) {
    const auto r = parse_message(data, m, {.datagram = datagram});
    EXPECT_EQ(r.error, ParseError::body_truncated);
    EXPECT_EQ(r.consumed, 0u);
  }
}

TEST(Message, BadContentLength) {
  Message m;
  for (std::string_view cl : {"abc", "-5", "12x", "", "99999999999999999999999", "1 2"}) {
    const std::string data =
        crlf("MESSAGE sip:a@example.com SIP/2.0\nContent-Length: " + std::string(cl) + "\n\n");
    const auto r = parse_message(data, m);
    EXPECT_EQ(r.error, ParseError::bad_content_length) << cl;
    EXPECT_EQ(r.consumed, 0u);
  }
  // Two values that disagree (RFC 4475 mcl01) cannot frame the body.
  const std::string two = crlf("MESSAGE sip:a@example.com SIP/2.0\nContent-Length: 3\nl: 2\n\nabc");
  EXPECT_EQ(parse_message(two, m).error, ParseError::bad_content_length);
  // Equal repeats and leading zeros are fine.
  const std::string same =
      crlf("MESSAGE sip:a@example.com SIP/2.0\nContent-Length: 3\nl: 003\n\nabc");
  ASSERT_EQ(parse_message(same, m).error, ParseError::ok);
  EXPECT_EQ(m.content_length(), 3);
  EXPECT_EQ(m.body(), "abc");
}

// ParseOptions::lenient (datagram mode only), the "never lose a message" policy.
TEST(Message, LenientDatagramAcceptsUnterminatedHeaders) {
  Message m;
  // The datagram ends right after the last header's CRLF: no empty line.
  const std::string_view a =
      wire("OPTIONS sip:a@example.com SIP/2.0\nCall-ID: x1\nCSeq: 1 OPTIONS\n");
  auto r = parse_message(a, m, {.datagram = true, .lenient = true});
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_EQ(r.consumed, a.size());
  EXPECT_EQ(m.leniency(), kLenientUnterminatedHeaders);
  EXPECT_EQ(m.header_value(HeaderId::cseq), "1 OPTIONS");
  EXPECT_EQ(m.body(), "");
  // The datagram ends inside the last header line (no CRLF at all): that line still counts.
  const std::string_view b =
      wire("OPTIONS sip:a@example.com SIP/2.0\nCall-ID: x2\nContent-Length: 10");
  r = parse_message(b, m, {.datagram = true, .lenient = true});
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_EQ(m.header_value(HeaderId::call_id), "x2");
  EXPECT_EQ(m.header_value(HeaderId::content_length), "10");
  EXPECT_EQ(m.body(), "");  // headers used the whole datagram
  EXPECT_EQ(m.leniency(), kLenientUnterminatedHeaders);
  // Without the option (and always in stream mode) it is still "need more".
  EXPECT_EQ(parse_message(a, m, {.datagram = true}).error, ParseError::headers_unterminated);
  EXPECT_EQ(parse_message(a, m, {.datagram = false, .lenient = true}).error,
            ParseError::headers_unterminated);
}

TEST(Message, LenientDatagramTakesTheRestOnBadContentLength) {
  Message m;
  for (std::string_view cl : {"abc", "-5", "99999999999999999999999"}) {
    const std::string data =
        crlf("MESSAGE sip:a@example.com SIP/2.0\nContent-Length: " + std::string(cl) + "\n\nhello");
    const auto r = parse_message(data, m, {.datagram = true, .lenient = true});
    ASSERT_EQ(r.error, ParseError::ok) << cl;
    EXPECT_EQ(r.consumed, data.size());
    EXPECT_EQ(m.body(), "hello");
    EXPECT_EQ(m.content_length(), -1);
    EXPECT_EQ(m.leniency(), kLenientBadContentLength);
    // Stream mode is unchanged.
    EXPECT_EQ(parse_message(data, m, {.datagram = false, .lenient = true}).error,
              ParseError::bad_content_length);
  }
  // Disagreeing repeats (RFC 4475 mcl01): body = rest of the datagram.
  const std::string two =
      crlf("MESSAGE sip:a@example.com SIP/2.0\nContent-Length: 3\nl: 2\n\nabcd");
  ASSERT_EQ(parse_message(two, m, {.datagram = true, .lenient = true}).error, ParseError::ok);
  EXPECT_EQ(m.body(), "abcd");
  // A well-formed message has no leniency bits.
  ASSERT_EQ(parse_message(kInvite, m, {.datagram = true, .lenient = true}).error, ParseError::ok);
  EXPECT_EQ(m.leniency(), 0);
}

TEST(Message, ConsumedNeverExceedsInputForEveryPrefix) {
  Message m;
  for (bool datagram : {true, false}) {
    for (size_t n = 0; n <= kInvite.size(); ++n) {
      const std::string_view prefix(kInvite.data(), n);
      const auto r = parse_message(prefix, m, {.datagram = datagram});
      ASSERT_LE(r.consumed, n);
      if (n < kInvite.size()) {
        // Every strict prefix is "need more": either the headers or the body are incomplete.
        EXPECT_TRUE(r.error == ParseError::headers_unterminated ||
                    r.error == ParseError::body_truncated)
            << n << " " << parse_error_name(r.error);
        EXPECT_EQ(r.consumed, 0u);
      } else {
        EXPECT_EQ(r.error, ParseError::ok);
        EXPECT_EQ(r.consumed, n);
      }
    }
  }
}

TEST(Message, RandomGarbageNeverCrashes) {
  std::mt19937 rng(4475);
  Message m;
  std::string buf;
  const std::string alphabet = "SIP/2.0 INVITE:;<>\"\\,\r\n\t@=abc0123456789";
  for (int iter = 0; iter < 6000; ++iter) {
    const size_t len = rng() % 300;
    buf.clear();
    if (iter % 3 == 0) {
      for (size_t i = 0; i < len; ++i) buf += static_cast<char>(rng() & 0xff);
    } else if (iter % 3 == 1) {
      for (size_t i = 0; i < len; ++i) buf += alphabet[rng() % alphabet.size()];
    } else {
      // Mutate a real message: flip a few bytes and cut it somewhere.
      buf = kInvite.substr(0, rng() % (kInvite.size() + 1));
      for (int k = 0; k < 4 && !buf.empty(); ++k)
        buf[rng() % buf.size()] = static_cast<char>(rng() & 0xff);
    }
    for (bool datagram : {true, false}) {
      const auto r = parse_message(buf, m, {.datagram = datagram});
      ASSERT_LE(r.consumed, buf.size());
      if (r.error != ParseError::ok) {
        EXPECT_EQ(r.consumed, 0u);
      } else {
        // Every view must lie inside the input.
        const char* lo = buf.data();
        const char* hi = buf.data() + buf.size();
        for (const Header& h : m.headers()) {
          ASSERT_GE(h.value.data(), lo);
          ASSERT_LE(h.value.data() + h.value.size(), hi);
        }
        ASSERT_LE(m.body().data() + m.body().size(), hi);
      }
      (void)looks_like_sip(buf);
    }
  }
}

TEST(Message, StatusLines) {
  Message m;
  ASSERT_EQ(parse_message(wire("SIP/2.0 180 Ringing\nContent-Length: 0\n\n"), m).error,
            ParseError::ok);
  EXPECT_EQ(m.status_code(), 180);
  EXPECT_EQ(m.reason_phrase(), "Ringing");
  // Empty reason phrase (RFC 4475 §3.1.1.13), with and without the SP before it.
  ASSERT_EQ(parse_message(wire("SIP/2.0 100 \n\n"), m).error, ParseError::ok);
  EXPECT_EQ(m.status_code(), 100);
  EXPECT_EQ(m.reason_phrase(), "");
  ASSERT_EQ(parse_message(wire("SIP/2.0 486\n\n"), m).error, ParseError::ok);
  EXPECT_EQ(m.status_code(), 486);
  // Reason phrases may contain spaces.
  ASSERT_EQ(parse_message(wire("SIP/2.0 503 Service Unavailable\n\n"), m).error, ParseError::ok);
  EXPECT_EQ(m.reason_phrase(), "Service Unavailable");
  for (std::string_view bad :
       {"SIP/2.0 4294967301 big\n\n", "SIP/2.0 20 OK\n\n", "SIP/2.0 099 Low\n\n",
        "SIP/2.0 700 High\n\n", "SIP/2.0\n\n", "SIP/x 200 OK\n\n"}) {
    EXPECT_EQ(parse_message(wire(bad), m).error, ParseError::bad_start_line) << bad;
  }
}

TEST(Message, RequestLineErrors) {
  Message m;
  EXPECT_EQ(parse_message(wire("GET / HTTP/1.1\nHost: x\n\n"), m).error, ParseError::not_sip);
  EXPECT_EQ(parse_message(std::string_view("\x16\x03\x01\x02\x00", 5), m).error,
            ParseError::not_sip);
  // LWS inside the Request-URI (RFC 4475 lwsruri) and a Request-URI in <> (ltgtruri).
  EXPECT_EQ(parse_message(wire("INVITE sip:user@example.com; lr SIP/2.0\n\n"), m).error,
            ParseError::bad_start_line);
  EXPECT_EQ(parse_message(wire("INVITE <sip:user@example.com> SIP/2.0\n\n"), m).error,
            ParseError::bad_start_line);
  EXPECT_EQ(parse_message(wire("INV@ITE sip:user@example.com SIP/2.0\n\n"), m).error,
            ParseError::bad_start_line);
  EXPECT_EQ(parse_message(wire("INVITE sip:user@example.com SIP/2.0X\n\n"), m).error,
            ParseError::bad_start_line);
  // Tolerated: extra SP between elements and at the end (RFC 4475 lwsstart, trws).
  ASSERT_EQ(parse_message(wire("INVITE  sip:user@example.com  SIP/2.0  \n\n"), m).error,
            ParseError::ok);
  EXPECT_EQ(m.request_uri(), "sip:user@example.com");
  EXPECT_EQ(m.version(), "SIP/2.0");
}

TEST(Message, HeaderLineErrors) {
  Message m;
  EXPECT_EQ(parse_message(wire("OPTIONS sip:a@b SIP/2.0\nNoColonHere\n\n"), m).error,
            ParseError::bad_header_line);
  EXPECT_EQ(parse_message(wire("OPTIONS sip:a@b SIP/2.0\n: value\n\n"), m).error,
            ParseError::bad_header_line);
  EXPECT_EQ(parse_message(wire("OPTIONS sip:a@b SIP/2.0\nBad Name: v\n\n"), m).error,
            ParseError::bad_header_line);
  // A continuation line with nothing to continue.
  EXPECT_EQ(parse_message(wire("OPTIONS sip:a@b SIP/2.0\n folded: v\n\n"), m).error,
            ParseError::bad_header_line);
  EXPECT_EQ(parse_message(wire("OPTIONS sip:a@b SIP/2.0\nCall-ID: x\n"), m).error,
            ParseError::headers_unterminated);
  EXPECT_TRUE(m.headers().empty());  // a failed parse leaves nothing half-filled
}

TEST(Message, TooManyHeaders) {
  std::string msg = "OPTIONS sip:a@b SIP/2.0\r\n";
  for (size_t i = 0; i < kMaxHeaders; ++i) msg += "X-H: v\r\n";
  Message m;
  const std::string full = msg + "\r\n";
  ASSERT_EQ(parse_message(full, m).error, ParseError::ok);
  EXPECT_EQ(m.headers().size(), kMaxHeaders);
  const std::string over = msg + "X-H: one too many\r\n\r\n";
  EXPECT_EQ(parse_message(over, m).error, ParseError::too_many_headers);
}

TEST(Message, LeadingCrlfAndBareLf) {
  Message m;
  // §7.5: CRLFs before the start line are ignored; they count as consumed bytes.
  const std::string data = "\r\n\r\n" + kRegister;
  auto r = parse_message(data, m, {.datagram = false});
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_EQ(r.consumed, data.size());
  EXPECT_EQ(m.bytes(), kRegister);
  // Bare LF line ends, as resiprocate's stream tests use.
  const std::string lf = "MESSAGE sip:a@example.com SIP/2.0\nCall-ID: q\nContent-Length: 3\n\nabc";
  r = parse_message(lf, m);
  ASSERT_EQ(r.error, ParseError::ok);
  EXPECT_EQ(m.header_value(HeaderId::call_id), "q");
  EXPECT_EQ(m.body(), "abc");
  // Only keep-alive CRLFs so far: need more.
  EXPECT_EQ(parse_message("\r\n\r\n", m, {.datagram = false}).error,
            ParseError::headers_unterminated);
  EXPECT_EQ(parse_message("", m).error, ParseError::headers_unterminated);
}

TEST(Message, ReuseClearsPreviousMessage) {
  Message m;
  ASSERT_EQ(parse_message(kInvite, m).error, ParseError::ok);
  ASSERT_EQ(parse_message(kRegisterOk, m).error, ParseError::ok);
  EXPECT_EQ(m.method(), "");
  EXPECT_EQ(m.request_uri(), "");
  EXPECT_EQ(m.status_code(), 200);
  EXPECT_EQ(m.header_value(HeaderId::content_type), "");
  m.clear();
  EXPECT_TRUE(m.headers().empty());
  EXPECT_EQ(m.content_length(), -1);
  EXPECT_TRUE(m.is_request());
}

TEST(Message, ParseErrorNames) {
  EXPECT_EQ(parse_error_name(ParseError::ok), "ok");
  EXPECT_EQ(parse_error_name(ParseError::body_truncated), "body_truncated");
  EXPECT_EQ(parse_error_name(ParseError::bad_content_length), "bad_content_length");
}

TEST(LooksLikeSip, RequestAndStatusLines) {
  EXPECT_TRUE(looks_like_sip(kInvite));
  EXPECT_TRUE(looks_like_sip(kRegisterOk));
  EXPECT_TRUE(looks_like_sip("SIP/2.0 100 Trying\r\n"));
  EXPECT_TRUE(looks_like_sip("sip/2.0 100"));
  EXPECT_TRUE(looks_like_sip("OPTIONS sip:a@b sip/2.0\r\n"));
  EXPECT_TRUE(looks_like_sip("ACK sip:a@b SIP/2.0"));  // no line end yet: the whole input
  EXPECT_FALSE(looks_like_sip(""));
  EXPECT_FALSE(looks_like_sip("SIP/2.0 1"));
  EXPECT_FALSE(looks_like_sip("SIP/2.0 abc Foo\r\n"));
  EXPECT_FALSE(looks_like_sip("GET / HTTP/1.1\r\n"));
  EXPECT_FALSE(looks_like_sip(" INVITE sip:a@b SIP/2.0\r\n"));
  EXPECT_FALSE(looks_like_sip("INVITE SIP/2.0\r\n"));  // nothing between method and version
  EXPECT_FALSE(looks_like_sip("\x80\x01 garbage"));
}

// RFC 3261 §7.3.1 / §25.1: a header line ends in CRLF, so in "Call-ID: abc\r\r\n" the
// value is "abc" (the CR before CRLF is not a value character: callid = word ["@" word],
// and CR is not a word character). The message is kept and the flaw flagged, in both modes.
TEST(Message, CrCrLfLineEndDropsTheStrayCr) {
  const std::string msg =
      "BYE sip:bob@192.0.2.4 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: abc\r\r\nCSeq: 2 BYE\r\n"
      "Content-Length: 0\r\n\r\n";
  for (bool datagram : {true, false}) {
    Message m;
    const ParseResult r = parse_message(msg, m, {.datagram = datagram});
    ASSERT_EQ(r.error, ParseError::ok);
    EXPECT_EQ(r.consumed, msg.size());
    EXPECT_EQ(m.header_value(HeaderId::call_id), "abc");
    EXPECT_EQ(m.header_value(HeaderId::cseq), "2 BYE");
    EXPECT_EQ(m.leniency(), kLenientStrayCr);
  }
  Message m;
  const std::string clean = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: abc\r\n\r\n";
  ASSERT_EQ(parse_message(clean, m).error, ParseError::ok);
  EXPECT_EQ(m.leniency(), 0);
}

// RFC 4475 §3.1.2.16 (badvers): SIP/7.0 parses (a UAS answers 505) and is flagged; the
// sniffer recognises it as SIP so it is not taken for other UDP traffic.
TEST(Message, OtherSipVersionIsFlagged) {
  const std::string msg = "OPTIONS sip:t.watson@example.org SIP/7.0\r\nCall-ID: x\r\n\r\n";
  Message m;
  ASSERT_EQ(parse_message(msg, m).error, ParseError::ok);
  EXPECT_EQ(m.version(), "SIP/7.0");
  EXPECT_EQ(m.leniency(), kLenientSipVersion);
  EXPECT_TRUE(looks_like_sip(msg));
  EXPECT_TRUE(looks_like_sip("SIP/3.1 200 OK\r\n"));
  const std::string lower = "OPTIONS sip:a@b sip/2.0\r\nCall-ID: x\r\n\r\n";  // §7.1
  ASSERT_EQ(parse_message(lower, m).error, ParseError::ok);
  EXPECT_EQ(m.leniency(), 0);
  EXPECT_FALSE(looks_like_sip("GET / HTTP/1.1\r\n"));
  EXPECT_FALSE(looks_like_sip("OPTIONS SIP/2.0\r\n"));
}

}  // namespace
}  // namespace sipscope::decode::sip
