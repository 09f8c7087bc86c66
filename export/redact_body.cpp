// SIP bodies under --redact, by content type: SDP (decode/sdp: o= user and addresses,
// c= addresses, SRTP/MIKEY/ICE keys removed), multipart parts, message/sipfrag, ISUP,
// DTMF relay; anything else through the free-text rules.
#include <algorithm>

#include "decode/sdp/sdp.hpp"
#include "decode/sip/fields.hpp"
#include "decode/sip/message.hpp"
#include "export/redact.hpp"
#include "export/redact_detail.hpp"

namespace sipscope::export_ {

using namespace detail;

namespace {

// Lines of `s` with their terminators: fn(content without CR LF, terminator).
template <typename Fn>
void for_each_line(std::string_view s, Fn&& fn) {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t eol = s.find('\n', pos);
    eol = eol == std::string_view::npos ? s.size() : eol + 1;
    std::string_view line = s.substr(pos, eol - pos);
    size_t content = line.size();
    while (content > 0 && (line[content - 1] == '\n' || line[content - 1] == '\r')) --content;
    fn(line.substr(0, content), line.substr(content));
    pos = eol;
  }
}

// Key material replaced by 'A's of the same length: base64 of zero bytes, so the line keeps
// its syntax and its length but holds no key.
std::string blanked(std::string_view key) {
  return std::string(key.size(), 'A');
}

// "inline:KEY|lifetime|mki" (RFC 4568 §6.1), several separated by ';': each KEY blanked.
std::string crypto_line(std::string_view line) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t at = line.find("inline:", pos);
    if (at == std::string_view::npos) break;
    const size_t from = at + 7;
    size_t end = from;
    while (end < line.size() && line[end] != '|' && line[end] != ';' && line[end] != ' ') ++end;
    out.append(line.substr(pos, from - pos));
    out += blanked(line.substr(from, end - from));
    pos = end;
  }
  out.append(line.substr(pos));
  return out;
}

// "a=NAME:token DATA" (key-mgmt, RFC 4567) or "a=NAME:DATA" (ice-pwd): DATA blanked.
std::string attribute_data_blanked(std::string_view line, bool after_token) {
  size_t from = line.find(':');
  if (from == std::string_view::npos) return std::string(line);
  ++from;
  if (after_token) {
    const size_t sp = line.find(' ', from);
    if (sp == std::string_view::npos) return std::string(line);
    from = sp + 1;
  }
  return std::string(line.substr(0, from)) + blanked(line.substr(from));
}

}  // namespace

std::string Redactor::body(std::string_view content_type, std::string_view content) {
  if (content.empty()) return {};
  const size_t semi = content_type.find(';');
  const std::string type = to_lower(strip(content_type.substr(0, semi)));
  const std::string_view params =
      semi == std::string_view::npos ? std::string_view{} : content_type.substr(semi);
  if (depth_ >= kMaxDepth) return text(content);
  // A body without its Content-Type (RFC 3261 §20.15 requires one; corpus heplify_sip_ipv6's
  // 200 OK) that is SDP (RFC 8866 §5: "v=0" first) still loses its o= user and keys.
  if (type == "application/sdp" || (type.empty() && content.starts_with("v=0"))) {
    return sdp(content);
  }
  if (type.rfind("multipart/", 0) == 0) {
    const std::string_view boundary = decode::sip::param_value(params, "boundary");
    if (!boundary.empty()) return multipart(boundary, content);
  }
  if (type == "message/sipfrag" || type == "message/sip") return sip(content);
  if (type == "application/isup") return isup(content);
  if (type == "application/dtmf-relay" || type == "application/dtmf") return dtmf_relay(content);
  return text(content);
}

std::string Redactor::sdp(std::string_view content) {
  // The o= user name (RFC 8866 §5.2) is often a product's name ("SIPPS", "FreeSWITCH",
  // "root") also met in User-Agent: replaced on the o= line only, not learned for free text
  // (a person's user name there is learned from the URIs). Its address is learned.
  decode::sdp::Session session;
  if (decode::sdp::parse_sdp(content, session) == decode::sdp::SdpError::ok) {
    learn_ip(session.origin.address);
    learn_ip(session.connection.address);
    for (const auto& m : session.media) learn_ip(m.connection.address);
  }
  TextRules numeric;  // a=, m=, b=, k= ...: payload types, ports, SSRCs are no numbers
  numeric.phones = false;
  numeric.digit_originals = false;
  std::string out;
  for_each_line(content, [&](std::string_view line, std::string_view eol) {
    const bool free_text = line.size() < 2 || line[1] != '=' || line[0] == 's' || line[0] == 'i' ||
                           line[0] == 'u' || line[0] == 'e' || line[0] == 'p';
    if (free_text) {
      out += text(line);  // not "x=", or s= i= u= e= p= (names, URIs, e-mail, phone)
    } else if (line[0] == 'o' || line[0] == 'c') {
      // o=<user> <sess-id> <sess-version> IN IP4 <address>; c=IN IP4 <address>[/ttl]
      // (RFC 8866 §5.2, §5.7): the user and the address replaced, the numbers kept.
      size_t field = 0;
      size_t pos = 2;
      out.append(line.substr(0, 2));
      while (pos <= line.size()) {
        size_t sp = line.find(' ', pos);
        if (sp == std::string_view::npos) sp = line.size();
        std::string_view f = line.substr(pos, sp - pos);
        const size_t last = line[0] == 'o' ? 5 : 2;
        if (line[0] == 'o' && field == 0 && f != "-") {
          out += unlearned_pseudonym(f, Kind::user);
        } else if (field == last) {
          const size_t slash = f.find('/');
          const std::string_view a = f.substr(0, slash);
          out += canonical_ip(a).empty() ? pseudonym(a, Kind::host) : ip(a);
          if (slash != std::string_view::npos) out.append(f.substr(slash));
        } else {
          out.append(f);
        }
        if (sp < line.size()) out += ' ';
        ++field;
        pos = sp + 1;
      }
    } else if (istarts(line, "a=crypto:")) {
      out += crypto_line(line);
    } else if (istarts(line, "a=key-mgmt:")) {
      out += attribute_data_blanked(line, true);
    } else if (istarts(line, "a=ice-pwd:") || istarts(line, "k=")) {
      out += attribute_data_blanked(line, false);
    } else {
      if (istarts(line, "a=rtpmap:")) {
        // RFC 4733 events: their RTP packets lose the digit (rtp()).
        int pt = 0;
        size_t k = 9;
        while (k < line.size() && digit(line[k]) && pt < 1000) pt = pt * 10 + (line[k++] - '0');
        if (k > 9 && pt < 128 && line.find("telephone-event", k) != std::string_view::npos) {
          note_telephone_event(pt);
        }
      }
      out += text(line, numeric);
    }
    out.append(eol);
  });
  return out;
}

// RFC 2046 §5.1: parts between "--boundary" lines, each with MIME headers, a blank line
// and its content; preamble and epilogue are free text.
std::string Redactor::multipart(std::string_view boundary, std::string_view content) {
  const std::string delimiter = "--" + std::string(boundary);
  std::string out;
  size_t at = content.find(delimiter);
  if (at == std::string_view::npos) return text(content);
  out += text(content.substr(0, at));
  ++depth_;
  while (at != std::string_view::npos) {
    // The delimiter line as it is, up to and including its line end.
    size_t eol = content.find('\n', at);
    eol = eol == std::string_view::npos ? content.size() : eol + 1;
    out.append(content.substr(at, eol - at));
    if (content.substr(at + delimiter.size(), 2) == "--") {
      out += text(content.substr(eol));  // epilogue
      break;
    }
    size_t next = content.find("\n" + delimiter, eol);
    const size_t part_end = next == std::string_view::npos ? content.size() : next + 1;
    std::string_view part = content.substr(eol, part_end - eol);
    // The CR LF before the next delimiter belongs to it (RFC 2046 §5.1.1).
    std::string_view tail;
    if (next != std::string_view::npos) {
      size_t cut = part.size();
      if (cut > 0 && part[cut - 1] == '\n') --cut;
      if (cut > 0 && part[cut - 1] == '\r') --cut;
      tail = part.substr(cut);
      part = part.substr(0, cut);
    }
    // Part headers up to the blank line; Content-Type picks how the content is read.
    size_t head_end = part.find("\r\n\r\n");
    size_t sep = 4;
    if (head_end == std::string_view::npos) {
      head_end = part.find("\n\n");
      sep = 2;
    }
    if (part.rfind("\r\n", 0) == 0 || part.rfind('\n', 0) == 0) {
      head_end = 0;  // no headers: text/plain (RFC 2046 §5.1)
      sep = part[0] == '\r' ? 2 : 1;
    }
    if (head_end == std::string_view::npos) {
      out += text(part);
    } else {
      std::string_view type;
      const std::string_view head = part.substr(0, head_end);
      for_each_line(head, [&](std::string_view line, std::string_view eol2) {
        const size_t colon = line.find(':');
        const std::string_view name = strip(line.substr(0, colon));
        if (colon != std::string_view::npos && decode::sip::iequals(name, "Content-Type")) {
          type = strip(line.substr(colon + 1));
          out.append(line);
        } else if (colon != std::string_view::npos &&
                   (decode::sip::iequals(name, "Content-Disposition") ||
                    decode::sip::iequals(name, "Content-Transfer-Encoding"))) {
          out.append(line);
        } else {
          out += text(line);
        }
        out.append(eol2);
      });
      out.append(part.substr(head_end, sep));
      out += body(type, part.substr(head_end + sep));
    }
    out.append(tail);
    at = next == std::string_view::npos ? std::string_view::npos : next + 1;
  }
  --depth_;
  return out;
}

std::string Redactor::fragment(std::string_view piece) {
  std::string_view rest = piece;
  while (!rest.empty() && (rest.front() == '\r' || rest.front() == '\n')) rest.remove_prefix(1);
  if (decode::sip::looks_like_sip(rest)) {
    cut_.reset();
    return sip(piece);  // a cut message leaves cut_ set
  }
  std::optional<Cut> cut = std::move(cut_);
  cut_.reset();
  std::string out = rest_of_message(piece);
  if (cut) {
    cut->old_seen += piece.size();
    cut->new_seen += out.size();
    if (cut->old_seen >= cut->declared) {
      // Bytes past the body (another message) are assumed to keep their length.
      cut_lengths_[cut->head] = cut->new_seen - (cut->old_seen - cut->declared);
    } else {
      cut_ = std::move(cut);
    }
  }
  return out;
}

std::string Redactor::rest_of_message(std::string_view piece) {
  std::string out;
  size_t pos = 0;
  while (pos < piece.size()) {
    // The next "Content-Type:" at a line start, the blank line closing its header block.
    size_t at = pos;
    size_t found = std::string_view::npos;
    while (at < piece.size()) {
      if ((at == 0 || piece[at - 1] == '\n') && istarts(piece.substr(at), "content-type:")) {
        found = at;
        break;
      }
      const size_t nl = piece.find('\n', at);
      if (nl == std::string_view::npos) break;
      at = nl + 1;
    }
    const size_t blank = found == std::string_view::npos ? found : piece.find("\r\n\r\n", found);
    if (blank == std::string_view::npos) break;
    const size_t eol = piece.find('\n', found);
    const std::string_view type = strip(piece.substr(found + 13, eol - found - 13));
    const size_t start = blank + 4;
    size_t end = piece.find("\r\n--", start);
    if (end == std::string_view::npos) end = piece.size();
    out += text(piece.substr(pos, found - pos));
    out.append(piece.substr(found, start - found));  // the part's headers
    out += body(type, piece.substr(start, end - start));
    pos = end;
    if (end == piece.size()) break;
    // the delimiter line as it is
    const size_t next = piece.find('\n', end + 2);
    const size_t stop = next == std::string_view::npos ? piece.size() : next + 1;
    out.append(piece.substr(end, stop - end));
    pos = stop;
  }
  out += text(piece.substr(pos));
  return out;
}

// application/dtmf-relay ("Signal=5\r\nDuration=160") and application/dtmf ("5"): the
// digit becomes '?' unless --keep-dtmf.
std::string Redactor::dtmf_relay(std::string_view content) const {
  if (options_.keep_dtmf) return std::string(content);
  std::string out;
  const bool relay = content.find('=') != std::string_view::npos;
  for_each_line(content, [&](std::string_view line, std::string_view eol) {
    const size_t eq = line.find('=');
    if (relay && (eq == std::string_view::npos ||
                  !decode::sip::iequals(strip(line.substr(0, eq)), "Signal"))) {
      out.append(line);
    } else {
      const size_t from = relay ? eq + 1 : 0;
      out.append(line.substr(0, from));
      for (const char c : line.substr(from)) out += c == ' ' || c == '\t' ? c : '?';
    }
    out.append(eol);
  });
  return out;
}

void Redactor::note_telephone_event(int payload_type) {
  if (payload_type >= 0 && payload_type < 128) {
    telephone_event_pt_[static_cast<size_t>(payload_type)] = true;
  }
}

std::vector<uint8_t> Redactor::rtp(std::span<const uint8_t> p) const {
  std::vector<uint8_t> out(p.begin(), p.end());
  if (options_.keep_dtmf || p.size() < 12 || (p[0] >> 6) != 2) return out;
  const uint8_t pt = p[1] & 0x7F;
  if (!telephone_event_pt_[pt]) return out;
  size_t head = 12 + 4 * size_t{static_cast<uint8_t>(p[0] & 0x0F)};
  if ((p[0] & 0x10) != 0 && head + 4 <= p.size())
    head += 4 + 4 * (size_t{p[head + 2]} << 8 | p[head + 3]);
  // RFC 4733 §2.3: event, E/R/volume, duration. The event code goes (255: no DTMF digit).
  if (head + 4 <= p.size()) out[head] = 255;
  return out;
}

}  // namespace sipscope::export_
