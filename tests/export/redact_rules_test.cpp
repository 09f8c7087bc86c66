// The individual rules of --redact with hand-written expectations: versions kept, numbers in
// their forms, glued addresses, keys blanked, DTMF dropped or kept, ISUP numbers, RTCP BYE,
// keyed pseudonyms (same key: same pseudonym; other key: another).
#include <gtest/gtest.h>

#include "export/redact.hpp"

namespace sipscope::export_ {
namespace {

const std::vector<uint8_t> kKey(32, 0x11);

std::string invite(const std::string& headers, const std::string& type = "",
                   const std::string& body = "") {
  std::string m =
      "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-1\r\n"
      "Call-ID: c1@192.0.2.7\r\nCSeq: 1 INVITE\r\n" +
      headers;
  if (!type.empty()) m += "Content-Type: " + type + "\r\n";
  return m + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(RedactRules, ProductVersionsSurviveAddressesOfTheCallDoNot) {
  Redactor r(kKey);
  const std::string out =
      r.sip(invite("User-Agent: FPBX-13.0.194.2 (sip 2.1.3) Version 2.0.51.16\r\n"
                   "Server: Asterisk PBX 16.2.1 at 192.0.2.7\r\n"));
  EXPECT_NE(out.find("User-Agent: FPBX-13.0.194.2 (sip 2.1.3) Version 2.0.51.16\r\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Server: Asterisk PBX 16.2.1 at "), std::string::npos) << out;
  EXPECT_EQ(out.find("192.0.2.7"), std::string::npos) << out;  // the Via's address
  // Elsewhere a dotted quad is an address, also glued to a token (a Via branch).
  EXPECT_EQ(r.text("branch=z9hG4bK-524287-1---41192.168.1.2").find("192.168.1.2"),
            std::string::npos);
  EXPECT_EQ(r.text("branch=z9hG4bK-524287-1---41192.168.1.2").substr(0, 27),
            "branch=z9hG4bK-524287-1---4");
  // Glued on both sides: the branch of a request whose method follows the address. The
  // Via's address 192.0.2.7 (learned from the message) goes; the method stays.
  const std::string glued =
      r.sip(invite("", "", "")
                .replace(invite("", "", "").find("z9hG4bK-1"), 9, "z9hG4bK41192.0.2.7INVITE"));
  const size_t via = glued.find("Via: ");
  ASSERT_NE(via, std::string::npos) << glued;
  const std::string line = glued.substr(via, glued.find("\r\n", via) - via);
  EXPECT_EQ(glued.find("192.0.2.7"), std::string::npos) << glued;
  EXPECT_NE(line.find(";branch=z9hG4bK41"), std::string::npos) << line;
  EXPECT_TRUE(line.ends_with("INVITE")) << line;
}

TEST(RedactRules, AnotherLegsCallIdInALinkHeaderIsACallId) {
  // A B2BUA leg names the other leg's Call-ID (X-Call-ID / X-CID / X-Orig-Call-ID); a redacted
  // output of this leg alone must not keep it, and gives it the pseudonym the other leg's own
  // Call-ID header gets under the same key.
  const std::string other = "1cc52098ced2a0176cee8561@192.0.2.10";
  std::string leg1 = invite("");
  leg1.replace(leg1.find("c1@192.0.2.7"), 12, other);
  Redactor a(kKey);
  const std::string own = a.sip(leg1);
  const size_t at = own.find("Call-ID: ") + 9;
  const std::string pseudonym = own.substr(at, own.find("\r\n", at) - at);
  for (const std::string name : {"X-Call-ID", "X-CID", "X-Orig-Call-ID", "XCall-ID"}) {
    Redactor b(kKey);
    const std::string out = b.sip(invite(name + ": " + other + "\r\n"));
    EXPECT_EQ(out.find("1cc52098ced2a0176cee8561"), std::string::npos) << out;
    EXPECT_NE(out.find(name + ": " + pseudonym + "\r\n"), std::string::npos) << out;
  }
}

TEST(RedactRules, TelephoneNumbersInEveryUsualFormAndNotProtocolNumbers) {
  Redactor r(kKey);
  for (const std::string n : {"4155550123", "(415) 555-0123", "+1-415-555-0123", "+1 415 555 0123",
                              "415.555.0123", "+14155550123"}) {
    const std::string out = r.text("X-Orig-Number: " + n);
    EXPECT_EQ(out.find(n), std::string::npos) << n << " -> " << out;
    EXPECT_EQ(out.find("555"), std::string::npos) << n << " -> " << out;
  }
  // The same digits give the same pseudonym whatever the separators.
  EXPECT_EQ(r.text("4155550123"), r.text("(415) 555-0123"));
  // SDP format lists, versions, CSeq, ports: not numbers.
  const std::string out = r.sip(
      invite("", "application/sdp",
             "v=0\r\no=- 1234567890 1234567890 IN IP4 192.0.2.7\r\ns=-\r\nc=IN IP4 192.0.2.7\r\n"
             "t=0 0\r\nm=audio 49170 RTP/AVP 0 8 18 101 96 97\r\na=ssrc:1234567890 cname:x\r\n"));
  EXPECT_NE(out.find("o=- 1234567890 1234567890 IN IP4 "), std::string::npos) << out;
  EXPECT_NE(out.find("m=audio 49170 RTP/AVP 0 8 18 101 96 97\r\n"), std::string::npos);
  EXPECT_NE(out.find("a=ssrc:1234567890 cname:x\r\n"), std::string::npos);
  EXPECT_NE(out.find("CSeq: 1 INVITE\r\n"), std::string::npos);
}

TEST(RedactRules, FoldedCompactAndRepeatedHeaders) {
  Redactor r(kKey);
  const std::string out =
      r.sip(invite("t:\r\n \"Roberta Secretname\" <sip:roberta@corp.example.org>\r\n"
                   "f: Secret Sam <sip:sam@corp.example.org>;tag=9\r\n"
                   "Route: <sip:p1.corp.example.org;lr>\r\nRoute: <sip:p2.corp.example.org;lr>\r\n"
                   "Subject: for Roberta\r\n"));
  for (const char* s :
       {"Roberta", "Secretname", "roberta", "Secret Sam", "sam@", "corp.example", "p1.", "p2."}) {
    EXPECT_EQ(out.find(s), std::string::npos) << s << " in\n" << out;
  }
}

// RFC 3261 §25.1: a quoted display name may hold a comma; the header stays one name-addr
// (a To with two, a P-Asserted-Identity with a tel URI) and every quoted part is replaced.
TEST(RedactRules, QuotedDisplayNamesWithCommas) {
  Redactor r(kKey);
  const std::string out =
      r.sip(invite("From: \"Secretlast, Secretfirst\" <sip:alice@corp.example.org>;tag=1\r\n"
                   "To: \"Roberta, Q\" <sip:bob@corp.example.org>, <sip:other@corp.example.org>\r\n"
                   "P-Asserted-Identity: \"Hiddenname, Jr\" <tel:+14155550123>\r\n"));
  for (const char* s : {"Secretlast", "Secretfirst", "Roberta", ", Q", "Hiddenname", "Jr", "alice",
                        "bob", "other", "5550123", "corp.example"}) {
    EXPECT_EQ(out.find(s), std::string::npos) << s << " in\n" << out;
  }
  EXPECT_NE(out.find(";tag=1\r\n"), std::string::npos) << out;  // the parameter after it kept
}

TEST(RedactRules, KeysAreBlankedNotPseudonymised) {
  Redactor r(kKey);
  const std::string key = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
  const std::string out = r.sip(invite(
      "", "application/sdp",
      "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=-\r\nc=IN IP4 192.0.2.7\r\nt=0 0\r\n"
      "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" +
          key + "|2^20|1:4\r\na=key-mgmt:mikey QUJDRA==\r\na=ice-pwd:asd88fgpdd777uzjYhagZg\r\n"));
  EXPECT_NE(out.find("inline:" + std::string(key.size(), 'A') + "|2^20|1:4\r\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("a=key-mgmt:mikey AAAAAAAA\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("a=ice-pwd:" + std::string(22, 'A') + "\r\n"), std::string::npos) << out;
}

TEST(RedactRules, SdpWithoutContentTypeIsStillSdp) {
  // No Content-Type header (heplify_sip_ipv6's 200 OK): the body is SDP by its first line
  // (RFC 8866 §5), so the o= user name and the SRTP key go as in any SDP.
  Redactor r(kKey);
  const std::string key = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
  const std::string out =
      r.sip(invite("", "",
                   "v=0\r\no=Valid8.com-UserAgent 8521 32 IN IP4 192.0.2.7\r\ns=-\r\n"
                   "c=IN IP4 192.0.2.7\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0\r\n"
                   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" +
                       key + "\r\n"));
  EXPECT_EQ(out.find("Valid8"), std::string::npos) << out;
  EXPECT_EQ(out.find(key), std::string::npos) << out;
  EXPECT_NE(out.find("\r\no=user-"), std::string::npos) << out;
}

TEST(RedactRules, DtmfDigitsDroppedUnlessKept) {
  const std::string info = invite("", "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
  Redactor r(kKey);
  EXPECT_NE(r.sip(info).find("Signal=?\r\nDuration=160\r\n"), std::string::npos);
  Redactor keep(kKey, {.keep_dtmf = true});
  EXPECT_NE(keep.sip(info).find("Signal=5\r\n"), std::string::npos);
  // RFC 4733 events of a payload type an SDP rtpmap announced: the event code goes.
  (void)r.sip(invite("", "application/sdp",
                     "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP "
                     "101\r\na=rtpmap:101 telephone-event/8000\r\n"));
  const std::vector<uint8_t> event = {0x80, 101, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5, 0x8a, 0, 160};
  EXPECT_EQ(r.rtp(event)[12], 255);
  EXPECT_EQ(keep.rtp(event)[12], 5);  // keep never saw the rtpmap, and keeps digits anyway
  std::vector<uint8_t> audio = event;
  audio[1] = 0;  // PCMU: untouched
  EXPECT_EQ(r.rtp(audio), audio);
}

TEST(RedactRules, IsupNumbersReplacedDigitForDigit) {
  // IAM (Q.763): called 9275890000 + ST (odd, 11 signals), calling 9171969136 (even).
  const std::string iam(
      "\x01\x00\x20\x01\x0a\x00\x02\x0a\x08\x83\x10\x29\x57\x98\x00\x00\x0f"
      "\x0a\x07\x03\x13\x19\x17\x69\x19\x63\x00",
      27);
  Redactor r(kKey);
  const std::string out = r.sip(invite("", "application/ISUP;version=itu-t92+", iam));
  const std::string body = out.substr(out.size() - iam.size());
  ASSERT_EQ(body.size(), iam.size());
  EXPECT_EQ(body.substr(0, 11), iam.substr(0, 11));  // type, indicators, pointers, length, NAI
  EXPECT_NE(body.substr(11, 5), iam.substr(11, 5));  // called digits (Q.763 §3.9 BCD)
  EXPECT_EQ(static_cast<uint8_t>(body[16]), 0x0F);   // ST and filler kept
  EXPECT_EQ(body.substr(17, 4), iam.substr(17, 4));  // calling code, length, indicators
  EXPECT_NE(body.substr(21, 5), iam.substr(21, 5));  // calling digits
  for (size_t i = 11; i < 26; ++i) {
    if (i >= 16 && i < 21) continue;
    EXPECT_LE(static_cast<uint8_t>(body[i]) & 0x0F, 9) << i;
    EXPECT_LE(static_cast<uint8_t>(body[i]) >> 4, 9) << i;
  }
  // The same number written in SIP gets the same digits.
  Redactor again(kKey);
  const std::string calling = again.text("9171969136");
  std::string bcd;
  for (size_t i = 0; i < 10; i += 2) {
    bcd += static_cast<char>((calling[i + 1] - '0') << 4 | (calling[i] - '0'));
  }
  EXPECT_EQ(body.substr(21, 5), bcd);
}

TEST(RedactRules, RtcpByeLosesItsReason) {
  // BYE, SC 1, length 3 words: SSRC, reason "bob!" (len 4) + padding to the word.
  const std::vector<uint8_t> bye = {0x81, 203, 0, 3, 1, 2, 3, 4, 4, 'b', 'o', 'b', '!', 0, 0, 0};
  std::vector<uint8_t> out;
  redact_rtcp_bye(std::span<const uint8_t>(bye.data(), 16), out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x81, 203, 0, 1, 1, 2, 3, 4}));
}

TEST(RedactRules, KeyedPseudonymsAgreeAcrossRedactorsOfOneKey) {
  Redactor a(kKey);
  Redactor b(kKey);
  Redactor other(std::vector<uint8_t>(32, 0x22));
  const std::string m = invite("From: \"Ann Example\" <sip:ann@a.example.com>;tag=1\r\n");
  const std::string x = a.sip(m);
  EXPECT_EQ(x, b.sip(m));
  EXPECT_NE(x, other.sip(m));
  EXPECT_NE(x.find("<sip:user-"), std::string::npos) << x;
  EXPECT_NE(x.find("\"name-"), std::string::npos) << x;
  EXPECT_NE(x.find(".example.invalid"), std::string::npos) << x;
  EXPECT_NE(x.find("Call-ID: callid-"), std::string::npos) << x;
  EXPECT_NE(x.find("Via: SIP/2.0/UDP 10."), std::string::npos) << x;
  EXPECT_TRUE(parse_key_hex("00112233445566778899aabbccddeeff").size() == 16);
  EXPECT_TRUE(parse_key_hex("0011").empty());
  EXPECT_TRUE(parse_key_hex("zz112233445566778899aabbccddeeff").empty());
}

}  // namespace
}  // namespace sipscope::export_
