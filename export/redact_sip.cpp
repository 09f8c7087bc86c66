// Redactor::sip and Redactor::uri: a SIP message parsed by decode/sip (start line, every
// header line with its folds, compact forms, URIs, name-addrs, Via) and rewritten header by
// header according to what the header carries; bodies by content type (redact_body.cpp).
#include <algorithm>
#include <optional>
#include <string>

#include "decode/sip/fields.hpp"
#include "decode/sip/message.hpp"
#include "export/redact.hpp"
#include "export/redact_detail.hpp"

namespace sipscope::export_ {

using namespace detail;
namespace sip = decode::sip;
using sip::HeaderId;

namespace {

// What a header's value is, for redaction.
enum class Policy : uint8_t {
  keep,       // protocol values only (CSeq, Content-Type, Supported ...)
  remove,     // credentials and signatures: the value goes
  name_addr,  // list of name-addr / addr-spec: display names, URIs, params
  via,        // sent-by host, params
  dialog_id,  // Call-ID (whole), Replaces / Join / Target-Dialog (Call-ID then params)
  charging,   // P-Charging-Vector: icid-value, ioi and generated-at values
  version,    // Server, User-Agent: product versions kept
  text,       // anything else: the free-text rules
};

constexpr std::string_view kRemovedValue = "[credentials removed by sipscope --redact]";

Policy policy_of(const sip::Header& h) {
  switch (h.id) {
    case HeaderId::authorization:
    case HeaderId::proxy_authorization:
    case HeaderId::identity:  // RFC 8224: a PASSporT carrying both numbers
      return Policy::remove;
    case HeaderId::from:
    case HeaderId::to:
    case HeaderId::contact:
    case HeaderId::p_asserted_identity:
    case HeaderId::route:
    case HeaderId::record_route:
    case HeaderId::refer_to:
    case HeaderId::referred_by:
      return Policy::name_addr;
    case HeaderId::via:
      return Policy::via;
    case HeaderId::call_id:
    case HeaderId::replaces:
      return Policy::dialog_id;
    case HeaderId::p_charging_vector:
    case HeaderId::session_id:
      return Policy::charging;
    case HeaderId::server:
    case HeaderId::user_agent:
      return Policy::version;
    case HeaderId::accept:
    case HeaderId::allow:
    case HeaderId::allow_events:
    case HeaderId::content_encoding:
    case HeaderId::content_length:
    case HeaderId::content_type:
    case HeaderId::cseq:
    case HeaderId::event:
    case HeaderId::expires:
    case HeaderId::max_forwards:
    case HeaderId::min_expires:
    case HeaderId::privacy:
    case HeaderId::rack:
    case HeaderId::require:
    case HeaderId::rseq:
    case HeaderId::session_expires:
    case HeaderId::subscription_state:
    case HeaderId::supported:
      return Policy::keep;
    default:
      break;
  }
  static constexpr std::string_view kRemove[] = {"Authentication-Info", "Identity-Info",
                                                 "P-Charging-Vector-Key"};
  static constexpr std::string_view kNameAddr[] = {"P-Preferred-Identity",
                                                   "Reply-To",
                                                   "Diversion",
                                                   "History-Info",
                                                   "Remote-Party-ID",
                                                   "P-Called-Party-ID",
                                                   "Path",
                                                   "Service-Route",
                                                   "P-Associated-URI",
                                                   "P-Served-User",
                                                   "P-Asserted-Service",
                                                   "Permission-Missing",
                                                   "Trigger-Consent",
                                                   "Referred-By",
                                                   "P-Refused-URI-List"};
  // X-Call-ID, X-CID, X-Orig-Call-ID: another leg's Call-ID (B2BUA links,
  // correlate/call_tracker.hpp); XCall-ID the same from FreeSWITCH (corpus
  // heplify_sip_tcp_websocket).
  static constexpr std::string_view kDialog[] = {
      "Join", "Target-Dialog", "In-Reply-To", "X-Call-ID", "X-CID", "X-Orig-Call-ID", "XCall-ID"};
  static constexpr std::string_view kKeep[] = {"Proxy-Require",
                                               "Unsupported",
                                               "Accept-Encoding",
                                               "Accept-Language",
                                               "Content-Language",
                                               "Content-Disposition",
                                               "MIME-Version",
                                               "Min-SE",
                                               "Timestamp",
                                               "Date",
                                               "Priority",
                                               "Recv-Info",
                                               "Content-Transfer-Encoding",
                                               "Accept-Resource-Priority",
                                               "Resource-Priority",
                                               "Info-Package",
                                               "Security-Client",
                                               "Security-Server",
                                               "Security-Verify"};
  auto in = [&](const auto& list) {
    return std::any_of(std::begin(list), std::end(list),
                       [&](std::string_view n) { return sip::iequals(n, h.name); });
  };
  if (in(kRemove)) return Policy::remove;
  if (in(kNameAddr)) return Policy::name_addr;
  if (in(kDialog)) return Policy::dialog_id;
  if (in(kKeep)) return Policy::keep;
  return Policy::text;
}

// Builds a rewritten copy of `whole` from replacements of views into it, in order.
class Splice {
 public:
  explicit Splice(std::string_view whole) : whole_(whole) {}
  void replace(std::string_view part, std::string_view with) {
    const auto at = static_cast<size_t>(part.data() - whole_.data());
    if (part.data() < whole_.data() || at < pos_ || at + part.size() > whole_.size()) return;
    out_.append(whole_.substr(pos_, at - pos_));
    out_.append(with);
    pos_ = at + part.size();
  }
  std::string finish() {
    out_.append(whole_.substr(pos_));
    return std::move(out_);
  }

 private:
  std::string_view whole_;
  size_t pos_ = 0;
  std::string out_;
};

}  // namespace

std::string Redactor::uri(std::string_view text) {
  sip::Uri u;
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return this->text(text);
  TextRules no_uri;
  no_uri.uris = false;
  if (!sip::parse_uri(text, u) || u.scheme.empty()) {
    return std::string(text.substr(0, colon + 1)) + this->text(text.substr(colon + 1), no_uri);
  }
  Splice s(text);
  if (sip::iequals(u.scheme, "tel")) {
    s.replace(u.user, pseudonym(u.user, Kind::number));
    return s.finish();
  }
  if (!sip::iequals(u.scheme, "sip") && !sip::iequals(u.scheme, "sips")) {
    return std::string(text.substr(0, colon + 1)) + this->text(text.substr(colon + 1), no_uri);
  }
  if (!u.user.empty()) {
    s.replace(u.user, pseudonym(u.user, Kind::user));
    // ":password" (deprecated, RFC 3261 §19.1.1) up to the '@': dropped.
    const size_t at = text.find('@', static_cast<size_t>(u.user.data() - text.data()));
    const size_t after = static_cast<size_t>(u.user.data() - text.data()) + u.user.size();
    if (at != std::string_view::npos && at > after) s.replace(text.substr(after, at - after), "");
  }
  if (!u.host.empty()) {
    const std::string c = canonical_ip(u.host);
    s.replace(u.host, !c.empty() ? ip(u.host) : pseudonym(u.host, Kind::host));
  }
  // Params and ?headers (an escaped Replaces=...): the free-text rules.
  const size_t tail = static_cast<size_t>(u.host.data() - text.data()) + u.host.size();
  if (tail < text.size()) {
    const std::string_view rest = text.substr(tail);
    s.replace(rest, this->text(rest, no_uri));
  }
  return s.finish();
}

namespace {

// Each comma-separated item of a header value (decode/sip for_each_value) rewritten by
// `item_fn(item) -> optional<string>`; an item it cannot parse goes through text().
template <typename ItemFn>
std::string each_item(Redactor& r, std::string_view value, ItemFn&& item_fn) {
  Splice s(value);
  (void)sip::for_each_value(value, [&](std::string_view item) {
    auto rewritten = item_fn(item);
    s.replace(item, rewritten ? *rewritten : r.text(item));
  });
  return s.finish();
}

std::string name_addr_list(Redactor& r, std::string_view value) {
  return each_item(r, value, [&](std::string_view item) -> std::optional<std::string> {
    sip::NameAddr na;
    if (!sip::parse_name_addr(item, na)) return std::nullopt;
    Splice in(item);
    if (!na.display_name.empty()) {
      in.replace(na.display_name, r.pseudonym(sip::unfold(na.display_name), Kind::name));
    }
    in.replace(na.uri, r.uri(na.uri));
    if (!na.params.empty()) in.replace(na.params, r.text(na.params));
    return in.finish();
  });
}

std::string via_list(Redactor& r, std::string_view value) {
  return each_item(r, value, [&](std::string_view item) -> std::optional<std::string> {
    sip::Via v;
    if (!sip::parse_via(item, v)) return std::nullopt;
    Splice in(item);
    in.replace(v.host,
               canonical_ip(v.host).empty() ? r.pseudonym(v.host, Kind::host) : r.ip(v.host));
    if (!v.params.empty()) in.replace(v.params, r.text(v.params));
    return in.finish();
  });
}

// Call-ID (RFC 3261 §20.8) whole; Replaces (RFC 3891), Join (RFC 3911), Target-Dialog
// (RFC 4538): the Call-ID before the first ';', then params. The local part and the host
// are learned too: an escaped copy in a Refer-To (?Replaces=id%40host) is split by '%40'.
std::string dialog_id(Redactor& r, const sip::Header& h) {
  std::string_view id = h.value;
  const bool whole = h.id == HeaderId::call_id;
  if (!whole) id = strip(id.substr(0, id.find(';')));
  Splice s(h.value);
  s.replace(id, r.pseudonym(id, Kind::call_id));
  if (const size_t at = id.find('@'); at != std::string_view::npos) {
    r.learn_host(id.substr(at + 1));
    (void)r.pseudonym(id.substr(0, at), Kind::call_id);
  }
  if (!whole && id.data() + id.size() < h.value.data() + h.value.size()) {
    const size_t from = static_cast<size_t>(id.data() - h.value.data()) + id.size();
    s.replace(h.value.substr(from), r.text(h.value.substr(from)));
  }
  return s.finish();
}

// P-Charging-Vector (RFC 7315 §4.6): icid-value is a correlation identifier; icid-generated-at,
// orig-ioi and term-ioi name networks or hosts. Session-ID (RFC 7989): the UUID before the
// first ';' and its remote= are correlation identifiers too.
std::string charging(Redactor& r, std::string_view value) {
  std::string out;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t end = value.find(';', pos);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view param = value.substr(pos, end - pos);
    const size_t eq = param.find('=');
    const std::string name = to_lower(strip(param.substr(0, eq)));
    if ((eq == std::string_view::npos && pos == 0 && !strip(param).empty()) ||
        (eq != std::string_view::npos && (name == "icid-value" || name == "remote"))) {
      const size_t from = eq == std::string_view::npos ? 0 : eq + 1;
      out.append(param.substr(0, from));
      out += r.pseudonym(param.substr(from), Kind::call_id);
    } else if (eq != std::string_view::npos &&
               (name == "icid-generated-at" || name == "orig-ioi" || name == "term-ioi")) {
      const std::string_view v = strip(param.substr(eq + 1));
      out.append(param.substr(0, eq + 1));
      out += canonical_ip(v).empty() ? r.pseudonym(v, Kind::host) : r.ip(v);
    } else {
      out += r.text(param);
    }
    if (end < value.size()) out += ';';
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string Redactor::sip(std::string_view raw) {
  sip::Message msg;
  if (depth_ >= kMaxDepth ||
      sip::parse_message(raw, msg, {.datagram = true, .lenient = true, .partial_body = true})
              .error != sip::ParseError::ok) {
    return text(raw);
  }
  ++depth_;
  const bool cut = (msg.leniency() & sip::kLenientPartialBody) != 0;
  const std::string head(raw.substr(0, static_cast<size_t>(msg.body().data() - raw.data())));
  // The body first: Content-Length follows its new length (RFC 3261 §20.14), so the
  // redacted message still frames and decodes.
  const std::string new_body = body(msg.header_value(HeaderId::content_type), msg.body());
  Splice s(raw);
  if (msg.is_request()) {
    s.replace(msg.request_uri(), uri(msg.request_uri()));
  } else if (!msg.reason_phrase().empty()) {
    s.replace(msg.reason_phrase(), text(msg.reason_phrase()));
  }
  for (const sip::Header& h : msg.headers()) {
    if (h.value.empty()) continue;
    switch (policy_of(h)) {
      case Policy::keep:
        if (h.id == HeaderId::content_length && !cut &&
            msg.content_length() == static_cast<int64_t>(msg.body().size())) {
          s.replace(h.value, std::to_string(new_body.size()));
        } else if (h.id == HeaderId::content_length && cut) {
          if (auto it = cut_lengths_.find(head); it != cut_lengths_.end()) {
            s.replace(h.value, std::to_string(it->second));
          }
        }
        break;
      case Policy::remove:
        s.replace(h.value, kRemovedValue);
        break;
      case Policy::name_addr:
        s.replace(h.value, name_addr_list(*this, h.value));
        break;
      case Policy::via:
        s.replace(h.value, via_list(*this, h.value));
        break;
      case Policy::dialog_id:
        s.replace(h.value, dialog_id(*this, h));
        break;
      case Policy::charging:
        s.replace(h.value, charging(*this, h.value));
        break;
      case Policy::version: {
        TextRules rules;
        rules.versions = true;
        rules.hosts = false;
        s.replace(h.value, text(h.value, rules));
        break;
      }
      case Policy::text:
        s.replace(h.value, text(h.value));
        break;
    }
  }
  if (!msg.body().empty()) s.replace(msg.body(), new_body);
  // Bytes after the message (a datagram longer than its Content-Length): free text.
  const auto end = static_cast<size_t>(msg.bytes().data() - raw.data()) + msg.bytes().size();
  if (end < raw.size()) s.replace(raw.substr(end), text(raw.substr(end)));
  --depth_;
  if (cut && depth_ == 0) {
    cut_ = Cut{head, static_cast<size_t>(msg.content_length()), msg.body().size(), new_body.size()};
  }
  return s.finish();
}

void Redactor::learn_sip(std::string_view raw) {
  (void)sip(raw);
}

}  // namespace sipscope::export_
