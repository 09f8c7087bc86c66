// A small scripting language for SIP calls (RFC 3261) that emits messages AND records
// the ground truth at the same time.
//
// A Call knows its path: caller -> zero or more proxies -> callee. Each method is one
// step of the call flow at a given capture time; it renders the message on every hop
// (requests forward, responses back, each hop `hop_delay` later), builds the Via stack,
// tags, Record-Route/Route set and SDP offer/answer the way RFC 3261 §8, §12, §16 and
// §17 describe, and updates the CallTruth per docs/states.md (start = first
// INVITE on the wire, ring/answer = first 18x/2xx on the hop towards the caller, …).
// Hop-by-hop messages (100 Trying, CANCEL + its 200, ACK for non-2xx) are emitted on
// every hop; end-to-end ones (2xx ACK, BYE) follow the route set.
//
//   Context ctx{emission, truth, rng};
//   Call c(ctx, "a84b4c76e66710@pc33.example.com", alice, bob);
//   c.invite(t); c.trying(t + 20'000); c.ringing(t + 300'000); c.answer(t + 3'000'000);
//   c.ack(t + 3'020'000); c.media(t + 3'050'000, t + 8'000'000); c.bye(t + 8'010'000,
//   Side::kCaller);
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "net.hpp"
#include "sip_builder.hpp"
#include "timeline.hpp"
#include "truth.hpp"

namespace sipscope::gen {

struct Party {
  std::string user;
  std::string display;  // empty: no display name
  std::string domain;   // host part of the AoR (From/To URI)
  Endpoint sip;         // where the UA sends and receives SIP
  Endpoint media;       // where it receives RTP
  std::string agent = "sipscope-gen UA";

  [[nodiscard]] std::string uri() const { return "sip:" + user + "@" + domain; }
  [[nodiscard]] std::string contact_uri() const { return "sip:" + user + "@" + sip.host_port(); }
  [[nodiscard]] std::string name_addr() const;
};

enum class Side { kCaller, kCallee };

struct Context {
  Emission& out;
  Truth& truth;
  Rng& rng;
};

using ExtraHeaders = std::vector<std::pair<std::string, std::string>>;

// What an SDP offer in a re-INVITE asks of the media (RFC 3264 §8.4): keep it flowing, put
// it on hold with a=sendonly (answered recvonly), or hold the RFC 2543 way with the
// connection address 0.0.0.0 ("::" over IPv6).
enum class Media { kSendrecv, kHold, kHoldNullAddress };

class Call {
 public:
  Call(Context ctx, std::string call_id, Party caller, Party callee,
       std::vector<Endpoint> proxies = {}, std::int64_t hop_delay_us = 1500);

  [[nodiscard]] CallTruth& truth() { return truth_; }
  [[nodiscard]] const std::string& from_tag() const { return from_tag_; }
  [[nodiscard]] const std::string& to_tag() const { return to_tag_; }
  void set_codec(int payload_type);  // preferred codec of the offer (PCMU by default)
  [[nodiscard]] int codec() const { return offered_pts_.front(); }
  // Where `side` receives RTP from now on, for the SDP bodies that follow (a re-INVITE
  // moving the media to another port).
  void move_media(Side side, Endpoint to) {
    (side == Side::kCaller ? caller_.media : callee_.media) = std::move(to);
  }

  // New INVITE transaction from the caller. Before the dialog is confirmed it is the
  // initial INVITE (or its retry after 401/407, CSeq + 1, `extra` carries credentials).
  void invite(std::int64_t t, const ExtraHeaders& extra = {});
  void retransmit_invite(std::int64_t t);  // same bytes again on the first hop (Timer A)
  void trying(std::int64_t t);             // 100 from each hop's receiver
  // 183 carries the SDP answer; `extra` e.g. Require: 100rel + RSeq (RFC 3262).
  void ringing(std::int64_t t, int code = 180, const ExtraHeaders& extra = {});
  void answer(std::int64_t t);
  void retransmit_answer(std::int64_t t);  // 2xx again on every hop (Timer G, no ACK yet)
  void ack(std::int64_t t);                // ACK for the 2xx, end to end
  // Final non-2xx from the callee, each hop ACKed by its upstream element (§17.1.1.3).
  // `last_hop_only`: the last proxy absorbs it (a forking proxy's CANCELled branch, §16.7).
  void reject(std::int64_t t, int code, const ExtraHeaders& extra = {}, bool last_hop_only = false);
  // CANCEL + 200, hop by hop (§9.1, §16.10); `last_hop_only`: the proxy CANCELs a branch.
  void cancel(std::int64_t t, bool last_hop_only = false);
  void bye(std::int64_t t, Side from);
  void reinvite(std::int64_t t, Side from, Media media = Media::kSendrecv);  // INVITE, 200, ACK
  // Any other in-dialog request end to end and its final answer `code` (PRACK, UPDATE,
  // INFO, REFER 202, NOTIFY ...). A body needs its `content_type`.
  void in_dialog(std::int64_t t, Side from, const std::string& method, const ExtraHeaders& extra,
                 int code = 200, const std::string& body = {},
                 const std::string& content_type = {});

  // Forking (RFC 3261 §16.7): the last proxy also tries `other`, with its own Via branch
  // and the other UA's own To-tag. Returns the branch number for use_branch(); branch 0 is
  // the callee given to the constructor. Responses, CANCEL and in-dialog requests follow
  // the branch in use.
  std::size_t fork(Party other);
  void use_branch(std::size_t b);
  void fork_invite(std::int64_t t);  // the initial INVITE on the last hop of this branch
  // Two-way G.711 at 20 ms from `from_us` (callee's stream 7 ms later) until `to_us`.
  void media(std::int64_t from_us, std::int64_t to_us,
             std::vector<std::uint32_t> drop_to_callee = {},
             std::vector<std::uint32_t> drop_to_caller = {}, std::uint32_t jitter_us = 0);
  // The dialog existed before the capture started (mid_call): tags are known and the
  // caller's CSeq continues from `caller_cseq`.
  void assume_established(std::uint32_t caller_cseq);

 private:
  struct Txn {
    std::string method;
    std::uint32_t cseq = 0;
    Side origin = Side::kCaller;
    bool initial = false;
    std::vector<std::string> branch;  // per node index
  };

  [[nodiscard]] std::size_t hops() const { return nodes_.size() - 1; }
  [[nodiscard]] Txn new_txn(std::string method, Side origin, std::uint32_t cseq, bool initial);
  // Hop index reached at travel step s by a message flowing from `from`.
  [[nodiscard]] std::size_t hop_at(Side from, std::size_t step) const {
    return from == Side::kCaller ? step : hops() - 1 - step;
  }
  void hop_ends(Side from, std::size_t hop, Endpoint& src, Endpoint& dst) const;
  [[nodiscard]] SipMessage request(const Txn& txn, std::size_t hop, std::size_t step) const;
  [[nodiscard]] SipMessage response(const Txn& txn, std::size_t hop, int code) const;
  void add_vias(SipMessage& m, const Txn& txn, std::size_t hop) const;
  void add_from_to(SipMessage& m, Side origin, bool with_to_tag) const;
  void emit(std::int64_t t, const Endpoint& src, const Endpoint& dst, const SipMessage& m);
  [[nodiscard]] std::string sdp(Side side, Media media = Media::kSendrecv, bool is_answer = false);
  // Dialog truth of the branch in use (nullptr unless the scenario records dialogs).
  DialogTruth* dialog(bool create, int first_code, std::int64_t t);
  void invite_hop(std::int64_t t, std::size_t step);  // the INVITE on one hop
  void invite_final();  // the initial INVITE got its final answer: early dialogs end
  void transact(std::int64_t t, Side from, const std::string& method, const ExtraHeaders& extra,
                int code, const std::string& body, const std::string& content_type);
  // Time the caller-side hop sees a response that the callee sent at t.
  [[nodiscard]] std::int64_t at_caller(std::int64_t t) const {
    return t + static_cast<std::int64_t>(hops() - 1) * hop_delay_;
  }

  Context ctx_;
  CallTruth& truth_;
  std::string call_id_;
  Party caller_, callee_;
  std::vector<Endpoint> nodes_;  // caller, proxies..., callee
  std::int64_t hop_delay_;
  std::string from_tag_, to_tag_;
  bool to_tag_sent_ = false;  // callee's tag has reached the dialog
  bool established_ = false;
  std::uint32_t caller_cseq_ = 0, callee_cseq_ = 0;
  std::vector<int> offered_pts_{0, 8};
  std::uint64_t caller_sess_ = 0, callee_sess_ = 0;
  std::uint64_t caller_sdp_version_ = 0, callee_sdp_version_ = 0;
  Txn invite_;
  ExtraHeaders invite_extra_;  // of the last INVITE, for fork_invite
  std::string invite_body_;
  std::vector<SipPacket> last_invite_hop0_;  // for retransmit_invite
  std::vector<SipPacket> last_answer_;       // per hop, for retransmit_answer
  struct Branch {
    Party callee;
    std::string to_tag;
    std::string proxy_branch;  // the forking proxy's Via branch towards this UA
  };
  std::vector<Branch> branches_;  // empty unless fork() was called
  std::size_t branch_ = 0;
  bool on_hold_ = false;
};

// Non-call activity (docs/states.md): counted in Truth::non_call_sip_messages.
// REGISTER (optionally challenged with 401 and retried with credentials) and its 200.
// `final_code` answers the (retried) REGISTER; the truth's registrations get the attempt
// when the scenario records them.
void register_flow(Context ctx, std::int64_t t, const Party& ua, const Endpoint& registrar,
                   bool challenge, int final_code = 200);
// OPTIONS keep-alive and its 200 OK.
void options_ping(Context ctx, std::int64_t t, const Endpoint& from, const Endpoint& to);

}  // namespace sipscope::gen
