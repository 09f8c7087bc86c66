#include "report/nodes.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "decode/sip/fields.hpp"
#include "decode/sip/message.hpp"
#include "report/format.hpp"

namespace sipscope::report {

// Merge rules, in the order they are applied (docs/ladder-json.md, "participants"):
//  (0) Two endpoints that exchange a packet directly (one is the src, the other the dst
//      of the same message) are never in one node: SIPp's uac 127.0.0.1:5061 and uas
//      127.0.0.1:5060 share an IP but are two parties. Every merge below is refused when
//      the union would put such a pair together.
//  (2) Via evidence: the top Via of a request names its sender (RFC 3261 §18.1.1), so the
//      sent-by host:port and received:rport endpoints join the packet's src; the top Via
//      of a response names where it goes (§18.2.2, RFC 3581 §4), so they join the dst.
//  (3) Record-Route / Contact: a request that crossed a proxy (two Via values or more)
//      carries the Record-Route of the proxy that just forwarded it on top (§16.6 step
//      4), which joins the src; a request sent by its originator (one Via value) carries
//      the originator's own Contact (§8.1.1.8), which joins the src.
//  (1) Same IP, different ports: one host (a UA or proxy sending from an ephemeral port
//      and listening on 5060). Vetoed when both groups declared where they listen (the
//      top Via sent-by of requests they sent, §18.1.1) and no declaration is shared: SIPp
//      uac :5061 and uas :5062 behind a proxy :5060, all on 127.0.0.1, never talk
//      directly, but each names its own port in its Via.
// Evidence only ever names endpoints already seen as packet src/dst; URIs whose host is a
// name (not an IP literal) are ignored, since resolving them is not passive.

namespace {

namespace sip = decode::sip;

std::string_view ip_of(std::string_view endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return endpoint;
  std::string_view ip = endpoint.substr(0, colon);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

// An IPv4 dotted quad or an IPv6 literal (hex digits, ':' and '.'): host names are not
// resolved.
bool is_ip_literal(std::string_view host) {
  if (host.empty()) return false;
  const bool v6 = host.find(':') != std::string_view::npos;
  return std::all_of(host.begin(), host.end(), [v6](char c) {
    if (c >= '0' && c <= '9') return true;
    if (c == '.') return true;
    if (!v6) return false;
    return c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool parse_port(std::string_view text, int& out) {
  if (text.empty() || text.size() > 5) return false;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v == 0 || v > 65535) return false;
  out = v;
  return true;
}

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) {
    for (size_t i = 0; i < n; ++i) parent_[i] = i;
  }
  size_t find(size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  // Rule (0): refuses when any member of one set talks directly to one of the other.
  void unite(size_t a, size_t b, const std::set<std::pair<size_t, size_t>>& talks) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    for (const auto& [x, y] : talks) {
      const size_t rx = find(x), ry = find(y);
      if ((rx == a && ry == b) || (rx == b && ry == a)) return;
    }
    parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<size_t> parent_;
};

}  // namespace

NodeMap merge_nodes(std::span<const NodeMessage> messages) {
  std::vector<std::string> endpoints;
  std::unordered_map<std::string, size_t> id_of;
  auto id = [&](std::string_view e) {
    auto [it, inserted] = id_of.try_emplace(std::string(e), endpoints.size());
    if (inserted) endpoints.emplace_back(e);
    return it->second;
  };
  std::set<std::pair<size_t, size_t>> talks;
  for (const auto& m : messages) {
    const size_t s = id(m.src), d = id(m.dst);
    if (s != d) talks.emplace(std::min(s, d), std::max(s, d));
  }
  UnionFind uf(endpoints.size());
  auto join_known = [&](size_t anchor, const std::string& candidate) {
    auto it = id_of.find(candidate);
    if (it != id_of.end()) uf.unite(anchor, it->second, talks);
  };

  // Rule (1) veto: listener endpoints each endpoint declared in its requests' top Via.
  std::vector<std::set<std::string>> declared(endpoints.size());
  sip::Message msg;
  for (const auto& m : messages) {
    if (m.raw.empty()) continue;
    if (sip::parse_message(m.raw, msg, {.datagram = true, .lenient = true}).error !=
        sip::ParseError::ok) {
      continue;
    }
    const size_t src = id_of.at(std::string(m.src));
    const size_t dst = id_of.at(std::string(m.dst));
    size_t via_count = 0;
    bool top_seen = false;
    sip::Via top{};
    std::string_view top_rr;
    for (const auto& h : msg.headers()) {
      if (h.id == sip::HeaderId::via) {
        via_count += sip::for_each_value(h.value, [&](std::string_view item) {
          if (!top_seen) top_seen = sip::parse_via(item, top);
        });
      } else if (h.id == sip::HeaderId::record_route && top_rr.empty()) {
        sip::for_each_value(h.value, [&](std::string_view item) {
          if (top_rr.empty()) top_rr = item;
        });
      }
    }
    // Rule (2).
    if (top_seen) {
      const size_t anchor = msg.is_request() ? src : dst;
      int rport = 0;
      const bool has_rport = parse_port(top.rport, rport);
      if (is_ip_literal(top.host)) {
        const std::string sent_by = format::endpoint(top.host, top.port != 0 ? top.port : 5060);
        if (msg.is_request()) declared[src].insert(sent_by);
        join_known(anchor, sent_by);
        if (has_rport) join_known(anchor, format::endpoint(top.host, rport));
      }
      if (is_ip_literal(top.received)) {
        join_known(anchor, format::endpoint(top.received, has_rport       ? rport
                                                          : top.port != 0 ? top.port
                                                                          : 5060));
      }
    }
    // Rule (3).
    if (msg.is_request()) {
      auto join_uri = [&](std::string_view name_addr) {
        sip::NameAddr na;
        sip::Uri uri;
        if (!sip::parse_name_addr(name_addr, na) || !sip::parse_uri(na.uri, uri)) return;
        if (!is_ip_literal(uri.host)) return;
        join_known(src, format::endpoint(uri.host, uri.port != 0 ? uri.port : 5060));
      };
      if (via_count >= 2 && !top_rr.empty()) join_uri(top_rr);
      if (via_count == 1) {
        if (const auto* c = msg.find(sip::HeaderId::contact)) {
          sip::for_each_value(c->value, [&](std::string_view item) { join_uri(item); });
        }
      }
    }
  }
  // Rule (1).
  auto declared_by_group = [&](size_t root) {
    std::set<std::string> out;
    for (size_t k = 0; k < endpoints.size(); ++k) {
      if (uf.find(k) == root) out.insert(declared[k].begin(), declared[k].end());
    }
    return out;
  };
  for (size_t i = 0; i < endpoints.size(); ++i) {
    for (size_t j = i + 1; j < endpoints.size(); ++j) {
      if (ip_of(endpoints[i]) != ip_of(endpoints[j]) || uf.find(i) == uf.find(j)) continue;
      const auto a = declared_by_group(uf.find(i));
      const auto b = declared_by_group(uf.find(j));
      const bool shared =
          std::any_of(a.begin(), a.end(), [&](const auto& d) { return b.count(d) > 0; });
      if (!a.empty() && !b.empty() && !shared) continue;
      uf.unite(i, j, talks);
    }
  }

  NodeMap out;
  std::unordered_map<size_t, int> node_of_root;
  for (size_t i = 0; i < endpoints.size(); ++i) {
    auto [it, inserted] = node_of_root.try_emplace(uf.find(i), static_cast<int>(out.nodes.size()));
    if (inserted) out.nodes.emplace_back();
    out.nodes[static_cast<size_t>(it->second)].push_back(endpoints[i]);
    out.node_of.emplace(endpoints[i], it->second);
  }
  return out;
}

}  // namespace sipscope::report
