// TCP stream reassembly for SIP (RFC 3261 §18.3 framing over RFC 9293 byte streams) and
// SIP over WebSocket (RFC 7118, RFC 6455) on top of it.
//
// Connections are keyed by their 5-tuple (both directions share one entry); each direction
// is reassembled by sequence number into a contiguous buffer that the SIP framer
// (sip_framing.hpp) or the WebSocket frame parser (websocket.hpp) consumes:
// - retransmitted and overlapping bytes: the first-received copy wins (deterministic);
// - out-of-order segments wait in a bounded list; a hole that is not filled within
//   TcpLimits::gap_timeout_us of capture time or max_pending_bytes is a lost segment:
//   tcp_gap (byte count in the detail), then framing resynchronises on the next start line;
// - a capture that starts mid-stream resynchronises the same way (sip_stream_resync);
// - keep-alive CRLFs (RFC 5626 §3.5.1) are skipped;
// - FIN closes a direction once every byte before it arrived (a partial message left is
//   sip_stream_truncated), RST closes both, SYN on a known tuple starts over;
// - TLS on port 5061 is reported once per connection (tls_not_decoded) and skipped;
// - buffers are bounded per connection and in total (tcp_buffer_limit), the table is
//   bounded (least recently used evicted: tcp_connection_table_full when it carried SIP),
//   idle connections expire by capture time.
// Only connections that start with SYN or show SIP (or a WebSocket upgrade, or TLS on
// 5061) are tracked; other TCP traffic costs one content sniff per segment.
//
//   struct Sink : StreamSink { ... };   // parses StreamMessage::bytes
//   TcpStreams streams(sink);
//   streams.expire(frame.ref.ts_us);
//   streams.on_segment(segment);         // copies what it must keep
//   ...
//   streams.finish();                    // reports what was left open
//
// StreamMessage::bytes and StreamAnomaly::detail point into internal buffers: valid during
// the callback only. The callbacks must not call back into the TcpStreams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "decode/anomaly.hpp"
#include "decode/frame.hpp"
#include "decode/net.hpp"

namespace sipscope::decode {

namespace tcp_flag {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
}  // namespace tcp_flag

struct TcpSegment {
  FrameRef frame;
  Endpoint src;
  Endpoint dst;
  uint32_t seq = 0;
  uint8_t flags = 0;  // tcp_flag bits
  std::span<const uint8_t> payload;
};

struct StreamMessage {
  FrameRef frame;  // the frame whose arrival completed the message
  Endpoint src;
  Endpoint dst;
  Transport transport = Transport::tcp;
  std::string_view bytes;  // one framed message (no keep-alive CRLFs)
  // true when the transport gave the boundaries (one WebSocket message): parse it with
  // datagram rules (body = rest) rather than stream rules.
  bool whole = false;
  // Every frame whose bytes are part of the message, ascending, `frame` included (bounded
  // by kMaxMessageFrames). Valid during the callback only.
  std::span<const uint64_t> frames;
};

struct StreamAnomaly {
  FrameRef frame;
  AnomalyKind kind{};
  std::string_view detail;
  Endpoint src;
  Endpoint dst;
};

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void on_message(const StreamMessage& m) = 0;
  virtual void on_anomaly(const StreamAnomaly& a) = 0;
};

// The one place the TCP reassembly bounds live (filled from options in cli/).
struct TcpLimits {
  // Default 65536 tracked connections. At the limit the least recently used one is evicted
  // in O(1): tcp_connection_table_full when it carried SIP (its buffered bytes are lost).
  size_t max_connections = 65536;
  // Default 256 KiB buffered per connection, both directions (half of it for out-of-order
  // data). At the limit the unfinished message is dropped (tcp_buffer_limit) and framing
  // resynchronises; out-of-order data over its half becomes a tcp_gap.
  size_t max_connection_bytes = size_t{256} * 1024;
  // Default 64 MiB buffered in all connections; at the limit as for max_connection_bytes.
  size_t max_total_bytes = size_t{64} << 20;
  // Default 10 s of capture time: a hole older than this is a lost segment (tcp_gap).
  int64_t gap_timeout_us = 10'000'000;
  // Default 300 s: a connection silent this long is dropped (a partial message left is
  // sip_stream_truncated).
  int64_t idle_timeout_us = 300'000'000;
};

class TcpStreams {
 public:
  explicit TcpStreams(StreamSink& sink, TcpLimits limits = {}) : sink_(sink), limits_(limits) {}
  // Connections hold iterators into this object's lru_ list: not copyable.
  TcpStreams(const TcpStreams&) = delete;
  TcpStreams& operator=(const TcpStreams&) = delete;

  void on_segment(const TcpSegment& s);
  // Lost-segment timeouts and idle expiry, by capture time. Cheap when nothing is due.
  void expire(int64_t now_us);
  // End of input: holes become tcp_gap, partial messages sip_stream_truncated; the table
  // is emptied.
  void finish();

  [[nodiscard]] size_t connections() const { return table_.size(); }
  [[nodiscard]] size_t buffered_bytes() const { return total_bytes_; }

 private:
  enum class Mode : uint8_t { probe, sip, ws_http, ws, ignored };
  enum class Resync : uint8_t { none, midstream, quiet };

  struct Key {
    Endpoint a;  // the lower endpoint
    Endpoint b;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept {
      return EndpointHash{}(k.a) * 1000003u ^ EndpointHash {}(k.b);
    }
  };

  // Directions waiting for a hole to fill, by the capture time the oldest hole opened:
  // expire() visits only the ones whose gap timeout passed.
  struct GapRef {
    Key key;
    int d = 0;
  };
  using GapQueue = std::multimap<int64_t, GapRef>;

  struct Pending {
    uint64_t offset = 0;  // stream offset of data[0]
    std::string data;
    FrameRef frame;
  };

  struct Direction {
    Mode mode = Mode::probe;
    Resync resync = Resync::none;
    bool have_seq = false;
    bool from_start = false;  // SYN seen: the first byte is the stream's first
    bool fin = false;
    bool closed = false;
    uint32_t next_seq = 0;  // sequence number of stream offset `end`
    uint64_t end = 0;       // stream offset just past the contiguous bytes
    uint64_t fin_offset = 0;
    std::string buf;               // contiguous bytes not consumed yet; buf ends at `end`
    size_t needed = 0;             // framer hint: wait until buf holds this many bytes
    uint64_t skip = 0;             // bytes of an over-limit message still to drop
    std::vector<Pending> pending;  // out of order: sorted, non-overlapping, after `end`
    size_t pending_bytes = 0;
    int64_t pending_since_us = 0;
    size_t skipped = 0;         // bytes dropped while resynchronising
    bool skipped_text = false;  // ... and some of them were not keep-alive whitespace
    // WebSocket (RFC 6455 §5.4): payload of the data message being assembled.
    std::string app;
    bool in_message = false;
    bool discard_message = false;  // the message outgrew the buffer limit
    size_t accounted = 0;          // bytes of this direction counted in total_bytes_
    FrameRef last_frame;
    // Which frame carried the buffered bytes: {stream offset of the piece's first byte,
    // frame number}, ascending offsets; a piece runs to the next one's offset (or `end`).
    std::vector<std::pair<uint64_t, uint64_t>> pieces;
    FrameList app_frames;     // frames of the WebSocket message in `app`
    bool gap_queued = false;  // in gap_queue_ (at gap_pos) while `pending` is not empty
    GapQueue::iterator gap_pos;
  };

  struct Connection {
    Key key;
    Direction dir[2];  // 0: a -> b, 1: b -> a
    bool sip_seen = false;
    bool ws_sip = false;  // a WebSocket upgrade offering "sip" was requested
    bool tls_reported = false;
    bool syn_seen[2] = {false, false};
    uint32_t isn[2] = {0, 0};
    bool closed = false;  // tombstone: FIN/RST seen; kept so late retransmissions are ignored
    int64_t last_seen_us = 0;
    std::list<Key>::iterator lru;
  };

  Connection* find_or_create(const TcpSegment& s, const Key& key);
  [[nodiscard]] bool worth_tracking(const TcpSegment& s) const;
  void touch(Connection& c, int64_t ts_us);
  void ingest(Connection& c, int d, const TcpSegment& s);
  void add_pending(Direction& d, uint64_t offset, std::span<const uint8_t> bytes,
                   const FrameRef& frame);
  void drain(Connection& c, int d, const FrameRef* trigger);
  void deliver(Connection& c, int d, const FrameRef& frame);
  void probe(Connection& c, int d);
  void run_sip(Connection& c, int d, const FrameRef& frame);
  void run_ws_http(Connection& c, int d);
  void run_ws(Connection& c, int d, const FrameRef& frame);
  void emit_ws_message(Connection& c, int d, const FrameRef& frame);
  void declare_gap(Connection& c, int d);
  void check_gap(Connection& c, int d, int64_t now_us);
  void close_direction(Connection& c, int d, const FrameRef& frame, std::string_view why);
  void check_fin(Connection& c, int d, const FrameRef& frame);
  void ignore_connection(Connection& c);
  void account(Direction& d);
  void enforce_limits(Connection& c, int d, const FrameRef& frame);
  void flush(Connection& c, std::string_view why);
  void erase(Connection& c);
  void emit(Connection& c, int d, const FrameRef& frame, std::string_view bytes, bool whole,
            Transport t);
  void report(const Connection& c, int d, const FrameRef& frame, AnomalyKind kind);
  void sync_gap_queue(Connection& c);
  static void reset_direction(Direction& d);
  static void note_piece(Direction& d, uint64_t frame_number);
  static void collect_frames(const Direction& d, uint64_t begin, uint64_t end, FrameList& out);

  StreamSink& sink_;
  TcpLimits limits_;
  std::unordered_map<Key, Connection, KeyHash> table_;
  std::list<Key> lru_;  // least recently used first
  GapQueue gap_queue_;
  size_t total_bytes_ = 0;
  int64_t last_gap_sweep_us_ = 0;
  std::string detail_;
  FrameList frames_;  // reused for StreamMessage::frames
};

}  // namespace sipscope::decode
