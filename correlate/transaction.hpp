// SIP transactions as a passive observer sees them (RFC 3261 §17): which request and
// responses belong together, which messages are retransmissions, how long the answer
// took, and what the capture says about the timers (Timer B/F/H, 2xx without ACK).
//
// Matching (§17.1.3 / §17.2.3): with an RFC 3261 branch (magic cookie "z9hG4bK") a
// transaction is top-Via branch + sent-by + method, where an ACK for a non-2xx final and
// the responses (by CSeq method) join the INVITE they answer, an ACK for a 2xx is a
// transaction of its own (new branch) and CANCEL is its own transaction. Without the
// cookie (RFC 2543 peers) the key is Call-ID + From-tag + CSeq number + method + sent-by.
// A message is a retransmission when its transaction already saw the same kind (method or
// status code and To-tag) on the same hop (src -> dst) at least kDuplicateUs earlier; an
// earlier copy is the same packet captured twice (a duplicate, not a retransmission).
//
// The state machines are pure functions over RFC-named states (client side, §17.1.1.2
// with RFC 6026 "Accepted"; §17.1.2.2), tested from (state, event) tables.
//
// TransactionTable owns copies of what it keeps; SipSummary views are read during
// observe() only.
//
//   TransactionTable t(512);
//   bool retx = t.observe(event, summary).retransmission;
//   for (auto& r : t.records(call_id, now_us, t1_us)) sink.on_transaction(r);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "correlate/records.hpp"
#include "correlate/sip_summary.hpp"
#include "decode/decoder.hpp"

namespace sipscope::correlate {

enum class TxState : uint8_t { calling, trying, proceeding, completed, accepted, terminated };
enum class TxEvent : uint8_t {
  provisional,    // 1xx
  final_2xx,      // 2xx
  final_failure,  // 3xx-6xx
  ack,            // ACK for a non-2xx final (same transaction)
  timer,          // the transaction's time-out (Timer B/F, or D/K/M after a final)
};

[[nodiscard]] std::string_view tx_state_name(TxState s);
[[nodiscard]] std::optional<TxState> parse_tx_state(std::string_view name);
// INVITE client transaction, RFC 3261 §17.1.1.2 (Figure 5) as updated by RFC 6026 §7.2.
[[nodiscard]] TxState next_invite_tx_state(TxState s, TxEvent e);
// Non-INVITE client transaction, RFC 3261 §17.1.2.2 (Figure 6).
[[nodiscard]] TxState next_non_invite_tx_state(TxState s, TxEvent e);

// 64-bit identity of the transaction a message belongs to; `method` is the method the key
// is built for (the CSeq method, or "INVITE" when testing an ACK against its INVITE).
[[nodiscard]] uint64_t transaction_key(const SipSummary& s, std::string_view method);
// RFC 3261 §8.1.1.7: branches of compliant elements start with this cookie.
[[nodiscard]] bool has_magic_cookie(std::string_view branch);

struct Transaction {
  uint64_t key = 0;
  bool invite = false;
  std::string sip_call_id;
  std::string method;
  uint32_t cseq = 0;
  std::string branch;
  decode::Endpoint src, dst;  // requester -> first receiver
  bool saw_request = false;
  TxState state = TxState::trying;
  int64_t start_us = 0, last_us = 0;
  std::optional<int64_t> first_response_us, final_us;
  int final_code = 0;
  bool acked = false;  // ACK seen (non-2xx: same transaction; 2xx: ACK with this CSeq)
  int64_t requests = 0, responses = 0, retransmissions = 0;
  int64_t final_retransmissions = 0;
  struct Copy {
    uint64_t id = 0;    // identity of a message seen (kind, tags, hop)
    int64_t at_us = 0;  // when it was last seen
  };
  std::vector<Copy> copies;      // bounded
  std::vector<uint64_t> frames;  // first frames, for diagnostics
};

struct ObserveResult {
  bool retransmission = false;
  // The same message on the same hop again within kDuplicateUs: the packet captured twice
  // (`-i any`, overlapping captures), not a retransmission (no SIP timer fires that fast).
  bool duplicate = false;
  Transaction* transaction = nullptr;  // nullptr when the table is full
};

class TransactionTable {
 public:
  // RFC 3261 retransmits after T1 (500 ms) at the earliest (§17.1.1.2 Timer A, §17.2.1 for
  // 2xx); an identical copy within 20 ms is the same packet captured twice.
  static constexpr int64_t kDuplicateUs = 20'000;

  explicit TransactionTable(size_t max_transactions) : max_(max_transactions) {}

  ObserveResult observe(const decode::SipEvent& event, const SipSummary& summary);

  [[nodiscard]] size_t size() const { return txs_.size(); }
  [[nodiscard]] bool full() const { return txs_.size() >= max_; }
  [[nodiscard]] const Transaction* oldest() const;
  [[nodiscard]] int64_t retransmissions() const { return retransmissions_; }
  // A request seen with no response yet (diagnosed differently once the capture ended).
  [[nodiscard]] bool awaiting_response() const;
  [[nodiscard]] int64_t duplicates() const { return duplicates_; }
  // Transactions not created because the table was full.
  [[nodiscard]] uint64_t dropped() const { return dropped_; }

  // Every transaction as a row, in order of first message, states advanced by the
  // timers that have run out by now_us (64*T1).
  [[nodiscard]] std::vector<TransactionRecord> records(std::optional<int64_t> call_id,
                                                       int64_t now_us, int64_t t1_us) const;
  // Timer inferences for a call (see file comment) as diagnostics rows.
  void diagnose(int64_t call_id, int64_t now_us, int64_t t1_us,
                std::vector<DiagnosticRecord>& out) const;

  // Removes and returns the oldest transaction (bounded tables outside calls).
  std::optional<Transaction> pop_oldest();

 private:
  Transaction& create(uint64_t key, const decode::SipEvent& event, const SipSummary& s,
                      std::string_view method);

  size_t max_;
  std::unordered_map<uint64_t, Transaction> txs_;
  // Keys by first message from order_[head_] on (a vector: an empty std::deque alone
  // costs ~600 bytes, paid by every open call).
  std::vector<uint64_t> order_;
  size_t head_ = 0;
  // INVITE transactions answered 2xx, by (Call-ID, CSeq number): a 2xx ACK finds what it
  // acknowledges without a scan of the table.
  std::unordered_multimap<uint64_t, uint64_t> answered_invites_;
  int64_t retransmissions_ = 0;
  int64_t duplicates_ = 0;
  uint64_t dropped_ = 0;
};

[[nodiscard]] TransactionRecord make_transaction_record(const Transaction& t,
                                                        std::optional<int64_t> call_id,
                                                        int64_t now_us, int64_t t1_us);

}  // namespace sipscope::correlate
