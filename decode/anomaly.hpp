// Named anomalies: every piece of input that sipscope cannot use is reported with one of
// these stable snake_case names (stored in anomalies.kind, counted in the summary).
// Add new kinds at the end of the list; names are a product interface, never rename one.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "decode/enum_name.hpp"

namespace sipscope::decode {

// clang-format off
#define SIPSCOPE_ANOMALY_KINDS(X)                                                     \
  /* capture */                                                                       \
  X(capture_truncated)           /* file ends in the middle of a record */            \
  X(capture_read_error)          /* libpcap reported an error while reading */        \
  X(frame_truncated)             /* caplen < wire length and the cut hit a header */  \
  X(unsupported_link_type)       /* data link type sipscope does not decode */        \
  /* link layer */                                                                    \
  X(truncated_ethernet)                                                               \
  X(truncated_vlan)                                                                   \
  X(truncated_sll)                                                                    \
  X(truncated_sll2)                                                                   \
  X(truncated_null)                                                                   \
  X(vlan_stack_too_deep)                                                              \
  /* network layer */                                                                 \
  X(truncated_ipv4)                                                                   \
  X(bad_ipv4_header_length)                                                           \
  X(bad_ipv4_total_length)                                                            \
  X(truncated_ipv6)                                                                   \
  X(truncated_ipv6_extension)                                                         \
  X(too_many_ipv6_extensions)                                                         \
  X(ip_fragment_not_reassembled) /* no longer emitted: fragments are reassembled */   \
  X(bad_ip_version)                                                                   \
  /* transport layer */                                                               \
  X(truncated_udp)                                                                    \
  X(bad_udp_length)                                                                   \
  X(sip_over_tcp_not_reassembled) /* no longer emitted: TCP streams are reassembled */ \
  /* SIP */                                                                           \
  X(sip_bad_start_line)                                                               \
  X(sip_bad_header_line)                                                              \
  X(sip_headers_unterminated)                                                         \
  X(sip_too_many_headers)                                                             \
  X(sip_bad_content_length)                                                           \
  X(sip_body_truncated)         /* Content-Length larger than the bytes present */     \
  X(sip_missing_required_header) /* no Call-ID, CSeq, From or To */                   \
  X(sip_bad_cseq)                                                                     \
  X(sip_trailing_bytes)         /* datagram has bytes after Content-Length */         \
  /* SDP */                                                                           \
  X(sdp_bad_line)                                                                     \
  X(sdp_bad_media_line)                                                               \
  X(sdp_bad_connection_line)                                                          \
  /* correlation */                                                                   \
  X(call_table_full)            /* open-call limit hit; oldest call flushed early */   \
  X(call_expired_open)          /* call idle past the limit; flushed unfinished */     \
  X(message_without_call_id)                                                          \
  /* transport layer (appended) */                                                    \
  X(truncated_tcp)                                                                    \
  X(bad_tcp_data_offset)                                                              \
  /* link layer (appended) */                                                         \
  X(truncated_pppoe)                                                                  \
  X(truncated_mpls)                                                                   \
  X(mpls_stack_too_deep)                                                              \
  /* IP reassembly and tunnels (appended) */                                          \
  X(ip_fragments_incomplete)    /* fragment set expired or still open at the end */   \
  X(ip_fragment_table_full)     /* reassembly limits hit; oldest open set evicted */  \
  X(ip_fragment_oversized)      /* fragment ends past 65535 bytes */                  \
  X(tunnel_too_deep)            /* more nested tunnels than the decoder follows */    \
  X(truncated_gre)                                                                    \
  X(truncated_erspan)                                                                 \
  X(truncated_vxlan)                                                                  \
  X(gre_unsupported_protocol)   /* GRE version or payload type not decoded */         \
  X(sctp_not_decoded)           /* no longer emitted: SCTP is decoded (sctp.hpp) */          \
  /* correlation (appended) */                                                        \
  X(transaction_table_full)     /* open-transaction limit hit; oldest flushed early */  \
  X(registration_table_full)    /* open-registration limit hit; oldest flushed early */ \
  X(activity_table_full)        /* peer/subscription/MESSAGE limit hit; oldest flushed */ \
  /* SCTP and HEP (appended) */                                                       \
  X(truncated_sctp)                                                                   \
  X(sctp_bad_chunk)             /* chunk length < 4, DATA chunk shorter than header */ \
  X(sctp_fragments_incomplete)  /* fragmented user message never completed */          \
  X(sctp_fragment_table_full)   /* reassembly limits hit; oldest association dropped */ \
  X(sctp_message_oversized)     /* reassembled user message over the size limit */     \
  X(hep_truncated)                                                                    \
  X(hep_bad_chunk)              /* bad chunk length/size, or a required chunk missing */ \
  X(hep_unsupported_version)    /* HEP version or address family not decoded */      \
  X(hep_compressed_payload)     /* gzip payload chunk (16): not decompressed */      \
  /* TCP streams and WebSocket (appended) */                                          \
  X(tcp_gap)                    /* bytes never captured: a lost segment, skipped */     \
  X(sip_stream_truncated)       /* stream closed or ended inside a message */           \
  X(sip_stream_resync)          /* bytes skipped to find the next SIP start line */     \
  X(tcp_buffer_limit)           /* per-connection or total stream buffer limit hit */   \
  X(tcp_connection_table_full)  /* SIP connection evicted from the full table */        \
  X(tls_not_decoded)            /* TLS on port 5061: encrypted SIP, once per connection */ \
  X(ws_bad_frame)               /* WebSocket frame sipscope cannot use (RFC 6455 §5) */ \
  /* SIP messages accepted with a flaw (appended) */                                     \
  X(sip_bad_line_end)           /* a line ends in CR CR LF: the stray CR is dropped */   \
  X(sip_bad_version)            /* SIP-Version is not SIP/2.0 (RFC 4475 badvers) */ \
  /* correlate/ table bounds (docs/limits.md): the oldest item goes, processing goes on */ \
  X(stream_table_full)          /* open RTP streams: the quietest stream flushed early */ \
  X(sdp_binding_table_full)     /* SDP-announced addresses: the oldest forgotten */     \
  X(call_media_table_full)      /* per-call media entries: the quietest flushed early */ \
  X(call_message_limit)         /* messages kept for one open call: later not stored */  \
  X(call_transaction_limit)     /* transactions tracked in one call: later not matched */ \
  X(dialog_limit)               /* dialogs tracked in one call: later not tracked */ \
  /* inputs */                                                                           \
  X(capture_empty)              /* input file of 0 bytes (no capture header) */       \
  /* correlation (appended) */                                                           \
  X(timestamp_backwards)        /* a response captured before its INVITE: no PDD */     \
  X(duplicate_packets)          /* RTP packets whose sequence number already arrived */
// clang-format on

enum class AnomalyKind : uint16_t {
#define SIPSCOPE_ANOMALY_ENUM(name) name,
  SIPSCOPE_ANOMALY_KINDS(SIPSCOPE_ANOMALY_ENUM)
#undef SIPSCOPE_ANOMALY_ENUM
};

[[nodiscard]] constexpr std::string_view anomaly_name(AnomalyKind k) {
  switch (k) {
#define SIPSCOPE_ANOMALY_NAME(name) \
  case AnomalyKind::name:           \
    return #name;
    SIPSCOPE_ANOMALY_KINDS(SIPSCOPE_ANOMALY_NAME)
#undef SIPSCOPE_ANOMALY_NAME
  }
  return "unknown";
}

// Every kind in list order, and how many there are (the last is kAnomalyKindCount - 1).
#define SIPSCOPE_ANOMALY_ITEM(name) AnomalyKind::name,
inline constexpr AnomalyKind kAllAnomalyKinds[] = {SIPSCOPE_ANOMALY_KINDS(SIPSCOPE_ANOMALY_ITEM)};
#undef SIPSCOPE_ANOMALY_ITEM
inline constexpr uint16_t kAnomalyKindCount = std::size(kAllAnomalyKinds);

// anomaly_name() backwards; nullopt for a name not in the list.
[[nodiscard]] constexpr std::optional<AnomalyKind> parse_anomaly_kind(std::string_view name) {
  return enum_from_name(name, static_cast<AnomalyKind>(kAnomalyKindCount - 1), anomaly_name);
}

}  // namespace sipscope::decode
