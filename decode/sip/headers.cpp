#include "decode/sip/headers.hpp"

#include <array>

namespace sipscope::decode::sip {
namespace {

// Indexed by HeaderId; kTable[i].id == i is checked at compile time below. Compact forms:
// RFC 3261 §7.3.3 (i f t v m l c k s e), RFC 6665 (o u), RFC 3515 (r), RFC 3892 (b),
// RFC 4028 (x), RFC 8224 (y), RFC 3841 (a j d).
constexpr std::array kTable{
    HeaderInfo{HeaderId::other, "", 0, ""},
    HeaderInfo{HeaderId::accept, "Accept", 0, "RFC 3261"},
    HeaderInfo{HeaderId::accept_contact, "Accept-Contact", 'a', "RFC 3841"},
    HeaderInfo{HeaderId::allow, "Allow", 0, "RFC 3261"},
    HeaderInfo{HeaderId::allow_events, "Allow-Events", 'u', "RFC 6665"},
    HeaderInfo{HeaderId::authorization, "Authorization", 0, "RFC 3261"},
    HeaderInfo{HeaderId::call_id, "Call-ID", 'i', "RFC 3261"},
    HeaderInfo{HeaderId::contact, "Contact", 'm', "RFC 3261"},
    HeaderInfo{HeaderId::content_encoding, "Content-Encoding", 'e', "RFC 3261"},
    HeaderInfo{HeaderId::content_length, "Content-Length", 'l', "RFC 3261"},
    HeaderInfo{HeaderId::content_type, "Content-Type", 'c', "RFC 3261"},
    HeaderInfo{HeaderId::cseq, "CSeq", 0, "RFC 3261"},
    HeaderInfo{HeaderId::event, "Event", 'o', "RFC 6665"},
    HeaderInfo{HeaderId::expires, "Expires", 0, "RFC 3261"},
    HeaderInfo{HeaderId::from, "From", 'f', "RFC 3261"},
    HeaderInfo{HeaderId::identity, "Identity", 'y', "RFC 8224"},
    HeaderInfo{HeaderId::max_forwards, "Max-Forwards", 0, "RFC 3261"},
    HeaderInfo{HeaderId::min_expires, "Min-Expires", 0, "RFC 3261"},
    HeaderInfo{HeaderId::p_asserted_identity, "P-Asserted-Identity", 0, "RFC 3325"},
    HeaderInfo{HeaderId::p_charging_vector, "P-Charging-Vector", 0, "RFC 7315"},
    HeaderInfo{HeaderId::privacy, "Privacy", 0, "RFC 3323"},
    HeaderInfo{HeaderId::proxy_authenticate, "Proxy-Authenticate", 0, "RFC 3261"},
    HeaderInfo{HeaderId::proxy_authorization, "Proxy-Authorization", 0, "RFC 3261"},
    HeaderInfo{HeaderId::rack, "RAck", 0, "RFC 3262"},
    HeaderInfo{HeaderId::reason, "Reason", 0, "RFC 3326"},
    HeaderInfo{HeaderId::record_route, "Record-Route", 0, "RFC 3261"},
    HeaderInfo{HeaderId::refer_to, "Refer-To", 'r', "RFC 3515"},
    HeaderInfo{HeaderId::referred_by, "Referred-By", 'b', "RFC 3892"},
    HeaderInfo{HeaderId::reject_contact, "Reject-Contact", 'j', "RFC 3841"},
    HeaderInfo{HeaderId::replaces, "Replaces", 0, "RFC 3891"},
    HeaderInfo{HeaderId::request_disposition, "Request-Disposition", 'd', "RFC 3841"},
    HeaderInfo{HeaderId::require, "Require", 0, "RFC 3261"},
    HeaderInfo{HeaderId::route, "Route", 0, "RFC 3261"},
    HeaderInfo{HeaderId::rseq, "RSeq", 0, "RFC 3262"},
    HeaderInfo{HeaderId::server, "Server", 0, "RFC 3261"},
    HeaderInfo{HeaderId::session_expires, "Session-Expires", 'x', "RFC 4028"},
    HeaderInfo{HeaderId::session_id, "Session-ID", 0, "RFC 7989"},
    HeaderInfo{HeaderId::subject, "Subject", 's', "RFC 3261"},
    HeaderInfo{HeaderId::subscription_state, "Subscription-State", 0, "RFC 6665"},
    HeaderInfo{HeaderId::supported, "Supported", 'k', "RFC 3261"},
    HeaderInfo{HeaderId::to, "To", 't', "RFC 3261"},
    HeaderInfo{HeaderId::user_agent, "User-Agent", 0, "RFC 3261"},
    HeaderInfo{HeaderId::via, "Via", 'v', "RFC 3261"},
    HeaderInfo{HeaderId::warning, "Warning", 0, "RFC 3261"},
    HeaderInfo{HeaderId::www_authenticate, "WWW-Authenticate", 0, "RFC 3261"},
};

constexpr bool table_is_indexed_by_id() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].id) != i) return false;
  return true;
}
static_assert(table_is_indexed_by_id(), "kTable must list HeaderId values in enum order");
static_assert(kTable.back().id == HeaderId::www_authenticate, "kTable must cover HeaderId");

constexpr char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// Compact form -> id, indexed by 'a'..'z'. Built once at compile time from kTable so the
// two cannot disagree.
constexpr std::array<HeaderId, 26> make_compact_index() {
  std::array<HeaderId, 26> idx{};
  for (const auto& h : kTable)
    if (h.compact != 0) idx[static_cast<size_t>(h.compact - 'a')] = h.id;
  return idx;
}
constexpr auto kCompact = make_compact_index();

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

HeaderId lookup_header(std::string_view name) {
  if (name.size() == 1) {
    const char c = lower(name[0]);
    return (c >= 'a' && c <= 'z') ? kCompact[static_cast<size_t>(c - 'a')] : HeaderId::other;
  }
  // ~45 entries; the length and first-letter checks reject almost every row before the
  // full comparison, so a linear scan is cheaper than hashing the name.
  if (name.empty()) return HeaderId::other;
  const char first = lower(name[0]);
  for (size_t i = 1; i < kTable.size(); ++i) {
    const auto& h = kTable[i];
    if (h.name.size() == name.size() && lower(h.name[0]) == first && iequals(h.name, name))
      return h.id;
  }
  return HeaderId::other;
}

const HeaderInfo& header_info(HeaderId id) {
  const auto i = static_cast<size_t>(id);
  return i < kTable.size() ? kTable[i] : kTable[0];
}

}  // namespace sipscope::decode::sip
