// The capture filter of a live capture. SIP messages larger than the path MTU (an INVITE
// with a big SDP, TLS-less SIP over UDP with many headers) arrive as IP fragments, and
// only the first fragment carries the UDP/TCP header: a filter such as `port 5060` drops
// every later fragment, so the message is lost. The default keeps them, and a user's
// filter that would drop them is detected by running it (pcap_offline_filter) on
// synthetic SIP packets and their non-first fragments (docs/capture.md "Filters").
#pragma once

#include <optional>
#include <string>

namespace sipscope::capture {

// What sipscope can decode, by what BPF can see: SIP over UDP/TCP/SCTP (HEP and VXLAN
// are UDP); GRE (incl. ERSPAN), IP-in-IP and IPv6-in-IPv4 tunnels; IPv4 fragments with a
// non-zero offset (only the first one has the UDP/TCP header); every IPv6 packet whose
// next header is a Fragment header (44; libpcap's `udp`/`tcp` look one Fragment header
// deep, not at other protocols behind it). On Ethernet the same behind one 802.1Q tag
// (libpcap has no `vlan` for the Linux cooked headers of `-i any`).
std::string default_filter(int link_type);

// When `filter` accepts a SIP packet over UDP (IPv4 or IPv6, on one of the usual SIP
// ports) but drops a non-first fragment of that same packet, the filter extended so that
// it keeps them (e.g. "(port 5060) or (ip[6:2] & 0x1fff != 0) or (ip6[6] == 44)");
// nullopt when it keeps them, when no test packet passes it at all (it selects by
// something else), or for a link type other than Ethernet, Linux SLL/SLL2 or raw IP.
// Throws CaptureError when the filter does not compile.
std::optional<std::string> fragment_safe_filter(const std::string& filter, int link_type);

}  // namespace sipscope::capture
