#include "correlate/transaction.hpp"

#include <algorithm>
#include <cstdlib>

#include "decode/enum_name.hpp"

namespace sipscope::correlate {

namespace {

// Only the first copies and frames matter: a hostile peer can retransmit forever.
constexpr size_t kMaxCopies = 32;
constexpr size_t kMaxFrames = 8;

class Hash {
 public:
  Hash& add(std::string_view s) {
    for (const char c : s) byte(static_cast<uint8_t>(c));
    byte(0xff);
    return *this;
  }
  Hash& add(uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Hash& add(const decode::Endpoint& e) {
    byte(e.ip.version);
    for (const uint8_t b : e.ip.bytes) byte(b);
    return add(static_cast<uint64_t>(e.port));
  }
  [[nodiscard]] uint64_t value() const { return h_; }

 private:
  void byte(uint8_t b) {
    h_ ^= b;
    h_ *= 0x100000001b3ULL;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Hosts compare case-insensitively (§19.1.4); hash a lowercased copy byte by byte.
void add_host(Hash& h, std::string_view host) {
  std::string tmp;
  tmp.reserve(host.size());
  for (const char c : host) tmp.push_back(lower(c));
  h.add(tmp);
}

TxEvent event_of(int code) {
  if (code < 200) return TxEvent::provisional;
  return code < 300 ? TxEvent::final_2xx : TxEvent::final_failure;
}

std::string cseq_text(const Transaction& t) {
  return "CSeq " + std::to_string(t.cseq) + " " + t.method;
}

// The state the timers have brought the transaction to by now_us: 64*T1 is Timer B/F/H
// and bounds Timer D/K (RFC 3261 §17.1.1.2, §17.1.2.2, Table 4).
TxState state_at(const Transaction& t, int64_t now_us, int64_t t1_us) {
  if (t.method == "ACK") return TxState::terminated;  // no response, no transaction state
  const int64_t since = now_us - (t.final_us ? *t.final_us : t.start_us);
  if (since < 64 * t1_us) return t.state;
  return t.invite ? next_invite_tx_state(t.state, TxEvent::timer)
                  : next_non_invite_tx_state(t.state, TxEvent::timer);
}

}  // namespace

std::string_view tx_state_name(TxState s) {
  switch (s) {
    case TxState::calling:
      return "calling";
    case TxState::trying:
      return "trying";
    case TxState::proceeding:
      return "proceeding";
    case TxState::completed:
      return "completed";
    case TxState::accepted:
      return "accepted";
    case TxState::terminated:
      return "terminated";
  }
  return "terminated";
}

std::optional<TxState> parse_tx_state(std::string_view name) {
  return decode::enum_from_name(name, TxState::terminated, tx_state_name);
}

TxState next_invite_tx_state(TxState s, TxEvent e) {
  switch (s) {
    case TxState::calling:
    case TxState::proceeding:
      switch (e) {
        case TxEvent::provisional:
          return TxState::proceeding;
        case TxEvent::final_2xx:
          return TxState::accepted;  // RFC 6026: wait for 2xx retransmissions (Timer M)
        case TxEvent::final_failure:
          return TxState::completed;
        case TxEvent::ack:
          return s;
        case TxEvent::timer:  // Timer B runs in Calling only; Proceeding waits (Timer C)
          return s == TxState::calling ? TxState::terminated : s;
      }
      break;
    case TxState::completed:  // absorbs retransmitted finals, sends ACK; Timer D ends it
    case TxState::accepted:   // absorbs 2xx from any branch; Timer M ends it
      return e == TxEvent::timer ? TxState::terminated : s;
    case TxState::trying:  // not an INVITE state: treat as Calling
      return next_invite_tx_state(TxState::calling, e);
    case TxState::terminated:
      return s;
  }
  return s;
}

TxState next_non_invite_tx_state(TxState s, TxEvent e) {
  switch (s) {
    case TxState::trying:
    case TxState::proceeding:
      switch (e) {
        case TxEvent::provisional:
          return TxState::proceeding;
        case TxEvent::final_2xx:
        case TxEvent::final_failure:
          return TxState::completed;
        case TxEvent::ack:
          return s;
        case TxEvent::timer:  // Timer F
          return TxState::terminated;
      }
      break;
    case TxState::completed:  // Timer K
      return e == TxEvent::timer ? TxState::terminated : s;
    case TxState::calling:
    case TxState::accepted:  // not non-INVITE states
      return next_non_invite_tx_state(s == TxState::calling ? TxState::trying : TxState::completed,
                                      e);
    case TxState::terminated:
      return s;
  }
  return s;
}

bool has_magic_cookie(std::string_view branch) {
  return branch.size() > 7 && branch.substr(0, 7) == "z9hG4bK";
}

uint64_t transaction_key(const SipSummary& s, std::string_view method) {
  Hash h;
  if (has_magic_cookie(s.via_branch)) {
    h.add(s.via_branch);
  } else {
    // RFC 2543 (§17.2.3 last paragraphs): the dialog identifiers the request carries, the
    // CSeq and the top Via. To-tags differ between a request and its responses, so the
    // From-tag and Call-ID stand in for the dialog.
    h.add(std::string_view("2543")).add(s.call_id).add(s.from_tag).add(uint64_t{s.cseq});
    h.add(s.via_branch);
  }
  add_host(h, s.via_host);
  h.add(uint64_t{s.via_port});
  h.add(method);
  return h.value();
}

const Transaction* TransactionTable::oldest() const {
  if (head_ == order_.size()) return nullptr;
  return &txs_.at(order_[head_]);
}

namespace {

uint64_t ack_key(std::string_view call_id, uint32_t cseq) {
  return Hash().add(call_id).add(uint64_t{cseq}).value();
}

}  // namespace

std::optional<Transaction> TransactionTable::pop_oldest() {
  if (head_ == order_.size()) return std::nullopt;
  auto node = txs_.extract(order_[head_++]);
  if (head_ > 64 && head_ * 2 > order_.size()) {  // amortized O(1): drop the popped half
    order_.erase(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  const Transaction& t = node.mapped();
  if (t.invite && t.final_code >= 200 && t.final_code < 300) {
    auto [lo, hi] = answered_invites_.equal_range(ack_key(t.sip_call_id, t.cseq));
    for (auto it = lo; it != hi; ++it) {
      if (it->second == t.key) {
        answered_invites_.erase(it);
        break;
      }
    }
  }
  return std::move(node.mapped());
}

Transaction& TransactionTable::create(uint64_t key, const decode::SipEvent& ev, const SipSummary& s,
                                      std::string_view method) {
  Transaction& t = txs_[key];
  order_.push_back(key);
  t.key = key;
  t.sip_call_id = std::string(s.call_id);
  t.method = std::string(method);
  t.invite = method == "INVITE";
  t.state = t.invite ? TxState::calling : TxState::trying;
  t.cseq = s.cseq;
  t.branch = std::string(s.via_branch);
  // Oriented from the requester; a response seen first tells it by its receiver.
  t.src = s.is_request ? ev.src : ev.dst;
  t.dst = s.is_request ? ev.dst : ev.src;
  t.start_us = ev.frame.ts_us;
  return t;
}

ObserveResult TransactionTable::observe(const decode::SipEvent& ev, const SipSummary& s) {
  const int64_t ts = ev.frame.ts_us;
  Transaction* t = nullptr;
  Hash identity;
  if (s.is_request) {
    if (s.method == "ACK") {
      // A non-2xx ACK reuses its INVITE's branch (§17.1.1.3): same transaction.
      const uint64_t inv = transaction_key(s, "INVITE");
      if (auto it = txs_.find(inv); it != txs_.end() && it->second.final_code >= 300) {
        t = &it->second;
        t->acked = true;
        t->state = next_invite_tx_state(t->state, TxEvent::ack);
      } else {
        // A 2xx ACK is a transaction of its own (§13.2.2.4): it acknowledges every
        // answered INVITE transaction of its Call-ID with its CSeq number.
        auto [lo, hi] = answered_invites_.equal_range(ack_key(s.call_id, s.cseq));
        for (auto a = lo; a != hi; ++a) {
          if (auto x = txs_.find(a->second); x != txs_.end() && x->second.cseq == s.cseq) {
            x->second.acked = true;
          }
        }
      }
    }
    if (t == nullptr) {
      const uint64_t key = transaction_key(s, s.method);
      auto it = txs_.find(key);
      if (it != txs_.end()) {
        t = &it->second;
      } else if (!full()) {
        t = &create(key, ev, s, s.method);
      } else {
        ++dropped_;
      }
    }
    identity.add(s.method);
  } else {
    const uint64_t key = transaction_key(s, s.cseq_method);
    auto it = txs_.find(key);
    if (it != txs_.end()) {
      t = &it->second;
    } else if (!full()) {
      t = &create(key, ev, s, s.cseq_method);
    } else {
      ++dropped_;
    }
    identity.add(uint64_t(s.status_code)).add(s.to_tag);
  }
  if (t == nullptr) return {};

  identity.add(t->key).add(ev.src).add(ev.dst);
  const uint64_t id = identity.value();
  auto copy = std::find_if(t->copies.begin(), t->copies.end(),
                           [&](const Transaction::Copy& c) { return c.id == id; });
  const bool duplicate = copy != t->copies.end() && std::abs(ts - copy->at_us) < kDuplicateUs;
  const bool retx = copy != t->copies.end() && !duplicate;
  if (copy != t->copies.end()) {
    if (!duplicate) copy->at_us = ts;
  } else if (t->copies.size() < kMaxCopies) {
    t->copies.push_back({id, ts});
  }
  if (duplicate) {
    ++duplicates_;
    return {false, true, t};
  }
  if (t->frames.size() < kMaxFrames) t->frames.push_back(ev.frame.number);
  t->last_us = std::max(t->last_us, ts);
  if (retx) {
    ++t->retransmissions;
    ++retransmissions_;
  }
  if (s.is_request) {
    ++t->requests;
    if (!t->saw_request && s.method == t->method) {
      t->saw_request = true;
      t->src = ev.src;
      t->dst = ev.dst;
      t->start_us = std::min(t->start_us, ts);
    }
  } else {
    ++t->responses;
    if (!t->first_response_us) t->first_response_us = ts;
    const int code = s.status_code;
    if (code >= 200) {
      if (!t->final_us) {
        t->final_us = ts;
        t->final_code = code;
        if (t->invite && code < 300)
          answered_invites_.emplace(ack_key(t->sip_call_id, t->cseq), t->key);
      }
      if (retx) ++t->final_retransmissions;
    }
    t->state = t->invite ? next_invite_tx_state(t->state, event_of(code))
                         : next_non_invite_tx_state(t->state, event_of(code));
  }
  return {retx, false, t};
}

TransactionRecord make_transaction_record(const Transaction& t, std::optional<int64_t> call_id,
                                          int64_t now_us, int64_t t1_us) {
  TransactionRecord r;
  r.call_id = call_id;
  r.sip_call_id = t.sip_call_id;
  r.method = t.method;
  r.cseq = t.cseq;
  r.branch = t.branch;
  r.src_ip = t.src.ip.to_string();
  r.src_port = t.src.port;
  r.dst_ip = t.dst.ip.to_string();
  r.dst_port = t.dst.port;
  r.state = state_at(t, now_us, t1_us);
  r.start_us = t.start_us;
  r.first_response_us = t.first_response_us;
  r.final_us = t.final_us;
  if (t.final_code != 0) r.final_code = t.final_code;
  if (t.final_us && t.saw_request) {
    r.response_ms = static_cast<double>(*t.final_us - t.start_us) / 1000.0;
  }
  r.requests = t.requests;
  r.responses = t.responses;
  r.retransmissions = t.retransmissions;
  return r;
}

std::vector<TransactionRecord> TransactionTable::records(std::optional<int64_t> call_id,
                                                         int64_t now_us, int64_t t1_us) const {
  std::vector<TransactionRecord> out;
  out.reserve(order_.size() - head_);
  for (size_t i = head_; i < order_.size(); ++i) {
    const uint64_t k = order_[i];
    out.push_back(make_transaction_record(txs_.at(k), call_id, now_us, t1_us));
  }
  return out;
}

bool TransactionTable::awaiting_response() const {
  for (size_t i = head_; i < order_.size(); ++i) {
    const Transaction& t = txs_.at(order_[i]);
    if (t.method != "ACK" && t.saw_request && !t.first_response_us) return true;
  }
  return false;
}

void TransactionTable::diagnose(int64_t call_id, int64_t now_us, int64_t t1_us,
                                std::vector<DiagnosticRecord>& out) const {
  const int64_t timer = 64 * t1_us;
  for (size_t i = head_; i < order_.size(); ++i) {
    const Transaction& t = txs_.at(order_[i]);
    if (t.method == "ACK") continue;
    auto add = [&](DiagnosticKind kind, std::optional<int64_t> ts, std::string detail) {
      out.push_back({call_id, ts, kind, std::move(detail), t.frames});
    };
    const bool success = t.final_code >= 200 && t.final_code < 300;
    if (t.invite && success && !t.acked && t.final_retransmissions > 0) {
      // The UAS retransmits its 2xx until an ACK arrives (§13.3.1.4): copies with no ACK
      // mean the ACK was lost or never sent.
      add(DiagnosticKind::no_ack_for_2xx, t.final_us,
          std::to_string(t.final_code) + " to " + cseq_text(t) + " sent " +
              std::to_string(t.final_retransmissions + 1) + " times, no ACK seen");
    } else if (t.invite && t.final_code >= 300 && !t.acked && now_us - *t.final_us >= timer) {
      add(DiagnosticKind::timer_h_expired, t.final_us,
          std::to_string(t.final_code) + " to " + cseq_text(t) + " never acknowledged (Timer H, " +
              std::to_string(timer / 1000) + " ms)");
    } else if (t.saw_request && !t.first_response_us) {
      if (now_us - t.start_us >= timer) {
        add(t.invite ? DiagnosticKind::timer_b_expired : DiagnosticKind::timer_f_expired,
            t.start_us,
            cseq_text(t) + " sent " + std::to_string(t.requests) + " times, no response in " +
                std::to_string(timer / 1000) + " ms");
      } else {
        add(t.invite ? DiagnosticKind::invite_no_response : DiagnosticKind::request_no_response,
            t.start_us,
            cseq_text(t) + " sent " + std::to_string(t.requests) +
                " times, no response before the capture ended");
      }
    } else if (!t.invite && t.saw_request && !t.final_us && now_us - t.start_us >= timer) {
      add(DiagnosticKind::timer_f_expired, t.start_us,
          cseq_text(t) + " had no final response in " + std::to_string(timer / 1000) + " ms");
    }
  }
}

}  // namespace sipscope::correlate
