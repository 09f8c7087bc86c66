#!/usr/bin/env python3
"""RTCP report blocks of captures as tshark dissects them (oracle for rtcp_tshark_test).

usage: rtcp_oracle.py CAPTURE...

For every capture whose bytes hold a compound RTCP datagram (an SR or RR header followed,
at the offset its length field gives, by another RTCP header: RFC 3550 §6.1 makes every
datagram compound and start with SR/RR), runs tshark 4.x with its RTCP heuristic (on by
default) and round-trip calculation on, and prints:

  # FILE
  frame  pt  sender  source  fraction  cum_lost  ext_high  jitter  rtt  xr_rtdelay  moslq
  moscq  rfactor  derived_rtt

one line per report block (SR/RR "Source N" subtree, or XR VoIP Metrics block) or per
RTCP packet without one (SRTCP: its clear header only), in dissection order, as sipscope
stores rtcp_reports rows (docs/schema.md); RTCP quoted inside ICMP errors is skipped, as
sipscope does not read ICMP payloads. '-' = absent. Captures without a candidate are
listed as "# FILE none" (tshark is not run on them: it costs ~0.4 s a file).

`rtt` is tshark's rtcp.roundtrip-delay (whole ms). tshark finds the echoed SR only as the
last SR of the address pair's conversation, so it often computes none; `derived_rtt`
re-derives the round trip from tshark's own fields for every block with an LSR, the way
docs/media.md defines it: the latest earlier SR of the block's source SSRC whose NTP middle
32 bits equal the LSR and that was sent to the report's sender address (else to its host,
else any), report time - SR time - DLSR in ms, '-' when negative or when the block is about
the report's own sender.
"""
import json
import re
from decimal import Decimal
import subprocess
import sys

HEADER = re.compile(rb"[\x80-\xbf][\xc8\xc9]")


def has_compound_rtcp(data):
    for m in HEADER.finditer(data):
        i = m.start()
        if i + 4 > len(data):
            break
        words = int.from_bytes(data[i + 2:i + 4], "big")
        j = i + 4 * (words + 1)
        if words < 1 or j + 2 > len(data):
            continue
        if 0x80 <= data[j] <= 0xBF and 202 <= data[j + 1] <= 207:
            return True
    return False


def pairs_hook(pairs):
    # tshark repeats keys ("rtcp" once per packet of a compound): keep them all in order.
    return pairs


def find(node, key):
    """Values of `key` anywhere under node (depth first, document order)."""
    out = []
    if isinstance(node, list):
        for k, v in node:
            if k == key:
                out.append(v)
            out.extend(find(v, key))
    return out


def first(node, key):
    v = find(node, key)
    return v[0] if v else None


def children(node, prefix):
    return [v for k, v in node if k.startswith(prefix)] if isinstance(node, list) else []


def addresses(layers):
    ip = first(layers, "ip") or first(layers, "ipv6") or []
    udp = first(layers, "udp") or []
    src = first(ip, "ip.src") or first(ip, "ipv6.src")
    dst = first(ip, "ip.dst") or first(ip, "ipv6.dst")
    return (src, first(udp, "udp.srcport")), (dst, first(udp, "udp.dstport"))


def derive_rtt(srs, source, lsr, dlsr, when, reporter):
    """Round trip from the SRs seen so far (see the module comment)."""
    exact = host = latest = None
    for sr in srs:
        if sr["ssrc"] != source or sr["mid"] != lsr:
            continue
        if sr["to"] == reporter:
            exact = sr
        if sr["to"][0] == reporter[0]:
            host = sr
        latest = sr
    sr = exact or host or latest
    if sr is None:
        return "-"
    rtt = (when - sr["time"]) * 1000 - Decimal(dlsr) * 1000 / 65536
    return "-" if rtt < 0 else f"{rtt:.6f}"


def rows(capture):
    out = subprocess.run(
        ["tshark", "-r", capture, "-Y", "rtcp || srtcp", "-T", "json", "-J",
         "rtcp srtcp frame ip ipv6 udp icmp icmpv6", "-o", "rtcp.show_roundtrip_calculation:TRUE", "-o",
         "rtcp.roundtrip_min_threshhold:0"],
        check=True, capture_output=True, text=True).stdout
    result = []
    srs = []  # every SR so far: sender SSRC, NTP middle 32 bits, time, destination
    for pkt in json.loads(out, object_pairs_hook=pairs_hook):
        layers = first(pkt, "layers")
        if first(layers, "icmp") is not None or first(layers, "icmpv6") is not None:
            continue  # RTCP quoted in an ICMP error: not a datagram anyone received
        frame_layer = first(layers, "frame") or []
        frame = first(frame_layer, "frame.number")
        when = Decimal(first(frame_layer, "frame.time_epoch"))
        src, dst = addresses(layers)
        for key, rtcp in layers:
            if key not in ("rtcp", "srtcp") or not isinstance(rtcp, list):
                continue
            pt = first(rtcp, "rtcp.pt")
            if pt is None:
                continue
            sender = first(rtcp, "rtcp.senderssrc") or first(rtcp, "rtcp.ssrc.identifier") or "0"
            sender = int(sender, 16)
            blocks = []
            if key == "rtcp" and pt in ("200", "201"):
                if pt == "200":
                    msw = int(first(rtcp, "rtcp.timestamp.ntp.msw"))
                    lsw = int(first(rtcp, "rtcp.timestamp.ntp.lsw"))
                    srs.append({"ssrc": sender, "mid": ((msw & 0xFFFF) << 16) | (lsw >> 16),
                                "time": when, "to": dst})
                for b in children(rtcp, "Source "):
                    source = int(first(b, "rtcp.ssrc.identifier"), 16)
                    lsr = int(first(b, "rtcp.ssrc.lsr"))
                    derived = "-"
                    if lsr != 0 and source != sender:
                        derived = derive_rtt(srs, source, lsr, int(first(b, "rtcp.ssrc.dlsr")),
                                             when, src)
                    blocks.append([str(source), first(b, "rtcp.ssrc.fraction"),
                                   first(b, "rtcp.ssrc.cum_nr"), first(b, "rtcp.ssrc.ext_high"),
                                   first(b, "rtcp.ssrc.jitter"),
                                   first(b, "rtcp.roundtrip-delay") or "-", "-", "-", "-", "-",
                                   derived])
            elif key == "rtcp" and pt == "207":
                for b in children(rtcp, "Block "):
                    if first(b, "rtcp.xr.bt") != "7":
                        continue
                    c = first(b, "Contents")
                    blocks.append([str(int(first(c, "rtcp.ssrc.identifier"), 16)),
                                   first(c, "rtcp.ssrc.fraction"), "-", "-", "-", "-",
                                   first(c, "rtcp.xr.voipmetrics.rtdelay"),
                                   first(c, "rtcp.xr.voipmetrics.moslq"),
                                   first(c, "rtcp.xr.voipmetrics.moscq"),
                                   first(c, "rtcp.xr.voipmetrics.rfactor"), "-"])
                    break  # sipscope keeps the first VoIP Metrics block of a packet
            if not blocks:
                blocks = [["-"] * 11]
            for b in blocks:
                result.append("\t".join([frame, pt, str(sender)] +
                                        [x if x is not None else "-" for x in b]))
    return result


def main(argv):
    for capture in argv[1:]:
        with open(capture, "rb") as f:
            data = f.read()
        if not has_compound_rtcp(data):
            print(f"# {capture} none")
            continue
        print(f"# {capture}")
        for r in rows(capture):
            print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
