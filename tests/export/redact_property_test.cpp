// Property test of --redact: random SIP messages with secrets planted in every field
// (display names, users, hosts, numbers in many forms, Call-ID, icid, crypto keys, folded
// and compact headers, multipart bodies with SDP, ISUP and sipfrag parts); no planted value
// may survive in the redacted SIP text nor in the ladder's JSON, text and HTML renderings.
// The planted values are the test's own (random); what must stay (versions, protocol
// values) is written here by hand.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "decode/sip/message.hpp"
#include "export/redact.hpp"
#include "report/ladder.hpp"

namespace sipscope::export_ {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Planter {
 public:
  explicit Planter(uint32_t seed) : rng_(seed) {}

  std::string letters(size_t n, bool capital = false) {
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      s += static_cast<char>((capital && i == 0 ? 'A' : 'a') + pick(26));
    }
    return s;
  }
  std::string digits(size_t n) {
    std::string s(1, static_cast<char>('2' + pick(8)));  // no leading 0/1: a plain number
    while (s.size() < n) s += static_cast<char>('0' + pick(10));
    return s;
  }
  std::string hex(size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) s += kHex[pick(16)];
    return s;
  }
  std::string base64(size_t n) {
    static constexpr char kB64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string s;
    for (size_t i = 0; i < n; ++i) s += kB64[pick(64)];
    return s;
  }
  // Documentation ranges and others, never 10/8 (the pseudonyms' range).
  std::string ipv4() {
    static constexpr const char* kNets[] = {"192.0.2.", "198.51.100.", "203.0.113.", "172.20.5."};
    return kNets[pick(4)] + std::to_string(1 + pick(250));
  }
  std::string ipv6() { return "2001:db8:" + hex(4) + "::" + hex(3) + "1"; }
  std::string host() { return letters(6) + "-" + letters(5) + ".corp" + letters(3) + ".net"; }
  // A 10-digit national number (NPA-NXX-XXXX) and one of its written forms.
  std::string number(std::string& national) {
    national = digits(10);
    const std::string a = national.substr(0, 3), b = national.substr(3, 3),
                      c = national.substr(6, 4);
    switch (pick(6)) {
      case 0:
        return national;
      case 1:
        return "(" + a + ") " + b + "-" + c;
      case 2:
        return "+1-" + a + "-" + b + "-" + c;
      case 3:
        return "+1 " + a + " " + b + " " + c;
      case 4:
        return a + "." + b + "." + c;
      default:
        return "+1" + national;
    }
  }
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

 private:
  std::mt19937 rng_;
};

// Q.763 BCD address signals of a number: low nibble first.
std::string bcd(const std::string& d) {
  std::string out;
  for (size_t i = 0; i < d.size(); i += 2) {
    const int lo = d[i] - '0';
    const int hi = i + 1 < d.size() ? d[i + 1] - '0' : 0;
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

// An ISUP IAM (Q.763 §1.3, Table 32): called party number (mandatory variable) and calling
// party number (optional), both 10 digits, even.
std::string isup_iam(const std::string& called, const std::string& calling) {
  std::string m = {0x01, 0x00, 0x20, 0x01, 0x0a, 0x00};  // type, NCI, FCI, CPC, TMR
  const std::string called_value = std::string("\x03\x10", 2) + bcd(called);
  // pointers: called party number at +2, optional part after it
  m += static_cast<char>(2);
  m += static_cast<char>(1 + 1 + called_value.size());
  m += static_cast<char>(called_value.size());
  m += called_value;
  m += static_cast<char>(0x0a);  // calling party number
  const std::string calling_value = std::string("\x03\x13", 2) + bcd(calling);
  m += static_cast<char>(calling_value.size());
  m += calling_value;
  m += '\0';
  return m;
}

struct Planted {
  std::string message;
  std::vector<std::string> secrets;  // searched case-insensitively in every output
  std::vector<std::string> binary;   // searched as bytes (BCD numbers)
  std::string from_user, to_user, call_id, caller_ip;
};

Planted plant(Planter& p) {
  Planted t;
  auto secret = [&](std::string s) {
    t.secrets.push_back(s);
    return s;
  };
  std::string national;
  const std::string caller_name = secret(p.letters(7, true) + " " + p.letters(9, true));
  const std::string folded_name = secret(p.letters(8, true) + " " + p.letters(10, true));
  const std::string user = secret("u" + p.letters(8));
  const std::string host = secret(p.host());
  const std::string host2 = secret(p.host());
  const std::string ip = secret(p.ipv4());
  const std::string ip2 = secret(p.ipv4());
  const std::string ip6 = secret(p.ipv6());
  std::string to_number;
  (void)p.number(to_number);
  secret(to_number);
  const std::string orig_form = p.number(national);
  secret(national);
  secret(orig_form);
  std::string subject_national;
  const std::string subject_form = secret(p.number(subject_national));
  const std::string call_id = secret(p.hex(12) + "@" + host);
  const std::string icid = secret(p.hex(16));
  const std::string crypto = secret(p.base64(40));
  const std::string mikey = secret(p.base64(60));
  const std::string nonce = secret(p.hex(32));
  const std::string response = secret(p.hex(32));
  const std::string sdp_user = secret("o" + p.letters(7));
  std::string called, calling;
  (void)p.number(called);
  (void)p.number(calling);
  t.binary = {bcd(called), bcd(calling)};
  const std::string frag_user = secret("f" + p.letters(7));
  const std::string text_name = caller_name.substr(0, caller_name.find(' '));
  const bool compact = p.pick(2) == 0;
  t.from_user = user;
  t.to_user = to_number;
  t.call_id = call_id;
  t.caller_ip = ip;

  const std::string sdp = "v=0\r\no=" + sdp_user + " 2890844526 2890844526 IN IP4 " + ip +
                          "\r\ns=-\r\nc=IN IP6 " + ip6 +
                          "\r\nt=0 0\r\nm=audio 49170 RTP/SAVP 0 101\r\n"
                          "a=rtpmap:101 telephone-event/8000\r\n"
                          "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" +
                          crypto + "|2^20|1:32\r\na=key-mgmt:mikey " + mikey + "\r\n";
  const std::string boundary = "b" + p.hex(8);
  std::string body =
      "--" + boundary + "\r\nContent-Type: application/sdp\r\n\r\n" + sdp + "\r\n--" + boundary +
      "\r\nContent-Type: application/ISUP;version=itu-t92+\r\n"
      "Content-Disposition: signal;handling=optional\r\n\r\n" +
      isup_iam(called, calling) + "\r\n--" + boundary +
      "\r\nContent-Type: message/sipfrag\r\n\r\nSIP/2.0 200 OK\r\nFrom: <sip:" + frag_user + "@" +
      host2 + ">\r\n\r\n--" + boundary + "\r\nContent-Type: text/plain\r\n\r\nCall " + text_name +
      " at " + subject_form + "\r\n--" + boundary + "--\r\n";
  std::string m = "INVITE sip:" + to_number + "@" + host2 + ";user=phone SIP/2.0\r\n";
  m += std::string(compact ? "v" : "Via") + ": SIP/2.0/UDP " + ip + ":5060;branch=z9hG4bK" +
       p.hex(5) + ip + ";received=" + ip2 + "\r\n";
  m += "Max-Forwards: 70\r\n";
  m += std::string(compact ? "f" : "From") + ": \"" + caller_name + "\" <sip:" + user + "@" + host +
       ">;tag=" + p.hex(8) + "\r\n";
  // A folded header line (RFC 3261 §7.3.1): the display name on the continuation line.
  m += std::string(compact ? "t" : "To") + ":\r\n \"" + folded_name + "\" <sip:" + to_number + "@" +
       ip2 + ">\r\n";
  m += std::string(compact ? "i" : "Call-ID") + ": " + call_id + "\r\n";
  m += "CSeq: 314159 INVITE\r\n";
  m += std::string(compact ? "m" : "Contact") + ": <sip:" + user + "@[" + ip6 + "]:5060>\r\n";
  m += "Record-Route: <sip:" + host2 + ";lr>\r\nRecord-Route: <sip:" + ip2 + ";lr>\r\n";
  m += "P-Asserted-Identity: \"" + caller_name + "\" <tel:+1" + national + ">\r\n";
  m += "X-Orig-Number: " + orig_form + "\r\n";
  m += "Subject: callback " + subject_form + "\r\n";
  m += "P-Charging-Vector: icid-value=" + icid + ";icid-generated-at=" + ip2 + ";orig-ioi=" + host +
       "\r\n";
  m += "Authorization: Digest username=\"" + user + "\", realm=\"" + host + "\",\r\n nonce=\"" +
       nonce + "\", response=\"" + response + "\"\r\n";
  m += "User-Agent: FPBX-13.0.194.2\r\nServer: Asterisk PBX 16.2.1\r\n";
  m += std::string(compact ? "c" : "Content-Type") + ": multipart/mixed;boundary=" + boundary +
       "\r\n";
  m += std::string(compact ? "l" : "Content-Length") + ": " + std::to_string(body.size()) +
       "\r\n\r\n";
  t.message = m + body;
  return t;
}

report::Ladder ladder_of(const Planted& t) {
  report::Ladder l;
  correlate::CallRecord c;
  c.id = 1;
  c.sip_call_id = t.call_id;
  c.from_user = t.from_user;
  c.to_user = t.to_user;
  c.caller_ip = t.caller_ip;
  l.calls.push_back(c);
  l.participants = {{0, t.caller_ip + ":5060", {}}, {1, "192.0.2.254:5060", {}}};
  report::LadderEvent e;
  e.raw = t.message;
  e.label = "INVITE";
  e.to = 1;
  l.events.push_back(e);
  return l;
}

TEST(RedactProperty, NoPlantedValueSurvivesInAnyOutput) {
  const std::vector<uint8_t> key(32, 0x5a);
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Planter p(seed);
    const Planted t = plant(p);
    for (const auto& s : t.secrets) {
      ASSERT_NE(lower(t.message).find(lower(s)), std::string::npos) << "not planted: " << s;
    }
    Redactor r(key);
    report::Ladder ladder = ladder_of(t);
    r.learn_ladder(ladder);
    const std::string sip = r.sip(t.message);
    redact_ladder(ladder, r);
    const std::vector<std::pair<std::string, std::string>> outputs = {
        {"sip", sip},
        {"json", report::render_json(ladder)},
        {"text", report::render_text(ladder, 120)},
        {"html", report::render_html({ladder}, "t")}};
    for (const auto& [name, out] : outputs) {
      const std::string hay = lower(out);
      for (const auto& s : t.secrets) {
        EXPECT_EQ(hay.find(lower(s)), std::string::npos) << "'" << s << "' survives in " << name;
      }
      for (const auto& b : t.binary) {
        EXPECT_EQ(out.find(b), std::string::npos) << "ISUP number survives in " << name;
      }
    }
    // Versions and protocol values stay; the message still parses with a true length.
    EXPECT_NE(sip.find("User-Agent: FPBX-13.0.194.2\r\n"), std::string::npos);
    EXPECT_NE(sip.find("Server: Asterisk PBX 16.2.1\r\n"), std::string::npos);
    EXPECT_NE(sip.find("CSeq: 314159 INVITE\r\n"), std::string::npos);
    EXPECT_NE(sip.find("m=audio 49170 RTP/SAVP 0 101\r\n"), std::string::npos);
    EXPECT_NE(sip.find("[credentials removed by sipscope --redact]"), std::string::npos);
    decode::sip::Message msg;
    ASSERT_EQ(decode::sip::parse_message(sip, msg, {.datagram = true}).error,
              decode::sip::ParseError::ok)
        << sip;
    EXPECT_EQ(msg.content_length(), static_cast<int64_t>(msg.body().size()));
    EXPECT_EQ(msg.body().size() + (msg.body().data() - sip.data()), sip.size());
  }
}

}  // namespace
}  // namespace sipscope::export_
