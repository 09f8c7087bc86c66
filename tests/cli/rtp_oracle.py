#!/usr/bin/env python3
"""Independent RTP oracle for tests/cli/media_tshark_test.cpp: what tshark says about the RTP
streams of each capture and which SIP call set each one up.

Usage: rtp_oracle.py CAPTURE [CAPTURE ...]   (prints one JSON object to stdout)

For each capture, one tshark run (RTP heuristic on, plus the "tshark_args" of the capture's
F.truth.json when there is one) gives both
  - `-z rtp,streams`: tshark's stream table (packets, lost, jitter), passed through as text
    under "rtp_streams" for the C++ side to parse (tests/cli/tshark_rtp.hpp), and
  - per-packet fields: for every RTP packet its stream (innermost addresses, ports, SSRC) and
    rtp.setup-frame / rtp.setup-method, the frame whose SDP made tshark's RTP dissector
    expect that stream. The Call-ID carried by that frame (sip.Call-ID of the same run) is
    the call tshark ties the stream to.
Per stream: "call_ids" {Call-ID: packets set up by an SDP of that call}, "setup_frames"
(distinct SDP setup frames, ascending), "no_sdp" (packets tshark found by heuristic only or
with no setup at all), "sdp_fallback" (issue #5 point 1's rules over tshark's SDP fields, for
streams tshark has no SDP setup for), "lost_rfc3550" and "lost_tshark_rule" (both counts
recomputed from tshark's per-packet sequence numbers). Per capture, "other_udp": UDP flows
tshark dissected as something else than RTP, with the protocols it chose.
Captures tshark cannot read the way sipscope does get {"skipped": "why"}: HEP (truth "wire"
has "hep"; tshark 4.0 has no HEP dissector, so it sees neither the SIP nor the RTP inside).
Exit status 0 unless tshark itself fails; tshark's failure is reported as {"error": ...}.
"""
import collections
import json
import multiprocessing
import os
import subprocess
import sys

FIELDS = ["frame.number", "frame.protocols", "ip.src", "ipv6.src", "udp.srcport", "ip.dst", "ipv6.dst",
          "udp.dstport", "rtp.ssrc", "rtp.seq", "rtp.timestamp", "rtp.setup-frame",
          "rtp.setup-method", "sip.Call-ID", "sdp.connection_info.address", "sdp.media.port"]
AGG = "\x1f"  # between several occurrences of one field (tunnels: outer and inner IP)
STREAMS_BANNER = "========================= RTP Streams"


def truth_of(capture):
    stem, _ = os.path.splitext(capture)
    path = stem + ".truth.json"
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def last(value):
    return value.split(AGG)[-1] if value else ""


def nearest(announcements, first_frame):
    """The Call-IDs of the last announcement at or before first_frame, else of the first after
    (an SDP that arrives after the first packets still names the stream)."""
    before = [a for a in announcements if a[0] <= first_frame]
    if before:
        frame = max(a[0] for a in before)
    else:
        frame = min(a[0] for a in announcements)
    return frame, sorted({cid for f, cid in announcements if f == frame})


def sdp_fallback(announced, announced_port, src, sport, dst, dport, first_frame):
    """Issue #5 point 1 applied to tshark's SDP fields, for streams tshark's RTP dissector has
    no SDP setup for: the destination announced (sdp), else the source announced (symmetric
    RTP, sdp_source), else both ports announced by one call with an address that differs
    (NAT, latched)."""
    for rule, key in (("sdp", (dst, dport)), ("sdp_source", (src, sport))):
        if announced.get(key):
            frame, cids = nearest(announced[key], first_frame)
            return {"rule": rule, "frame": frame, "call_ids": cids}
    to = {cid for _, cid in announced_port.get(dport, [])}
    frm = {cid for _, cid in announced_port.get(sport, [])}
    both = [a for a in announced_port.get(dport, []) if a[1] in to & frm]
    if both:
        frame, cids = nearest(both, first_frame)
        return {"rule": "latched", "frame": frame, "call_ids": cids}
    return {"rule": "", "frame": 0, "call_ids": []}


def lost_rfc3550(seqs):
    """RFC 3550 A.1/A.3 without probation: expected = highest extended sequence number -
    first + 1 (wraps followed through signed 16-bit steps from the highest), lost = expected -
    packets."""
    first = highest = seqs[0][0]
    for seq, _ in seqs[1:]:
        step = (seq - highest) & 0xFFFF
        if 0 < step < 0x8000:
            highest += step
    return (highest - first + 1) - len(seqs)


def lost_tshark_rule(seqs):
    """The same count as Wireshark 4.0's RTP stream analysis makes it (ui/tap-rtp-analysis.c,
    rtppacket_analyse and rtpstream_info_calc): expected = last packet's sequence number (not
    the highest) + 65536 * cycles - first + 1, a cycle counted when an in-time-sequence packet
    (timestamp not before the first's) has a sequence number below the first's while the
    "under" flag is clear, the flag cleared again by one above it."""
    start, first_ts = seqs[0]
    cycles, under, stop = 0, False, start
    for seq, ts in seqs[1:]:
        diff = (ts - first_ts) & 0xFFFFFFFF
        in_time = diff < 0x80000000
        if seq < start and in_time and not under:
            cycles, under = cycles + 1, True
        elif seq == 0 and stop == 65535 and in_time and not under:
            cycles, under = cycles + 1, True
        elif seq > start and in_time and under:
            under = False
        stop = seq
    return (stop + cycles * 65536 - start + 1) - len(seqs)


def analyse(capture):
    truth = truth_of(capture)
    if "hep" in truth.get("wire", {}):
        return {"skipped": "HEP encapsulation: tshark 4.0 has no HEP dissector, it sees neither "
                           "the SIP nor the RTP carried inside"}
    cmd = ["tshark", "-r", capture, "-o", "rtp.heuristic_rtp:TRUE", *truth.get("tshark_args", []),
           "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=" + AGG]
    for f in FIELDS:
        cmd += ["-e", f]
    cmd += ["-z", "rtp,streams"]
    run = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if run.returncode != 0:
        return {"error": f"tshark exit {run.returncode}: {run.stderr.strip()[:400]}"}
    out = run.stdout
    cut = out.find(STREAMS_BANNER)
    packets, table = (out[:cut], out[cut:]) if cut >= 0 else (out, "")
    call_ids_of_frame = {}
    announced = collections.defaultdict(list)  # (address, port) -> [(frame, Call-ID)]
    announced_port = collections.defaultdict(list)  # port -> [(frame, Call-ID)]
    other_udp = collections.defaultdict(collections.Counter)  # non-RTP UDP flow -> protocols
    streams = collections.OrderedDict()
    for line in packets.splitlines():
        cols = line.split("\t")
        if len(cols) != len(FIELDS):
            continue
        row = dict(zip(FIELDS, cols))
        frame = int(row["frame.number"])
        # Tunnels (6in4, GRE, VXLAN ...) carry several IP layers: the stream is the innermost.
        protocols = row["frame.protocols"].split(":")
        layers = [p for p in protocols if p in ("ip", "ipv6")]
        fam = layers[-1] if layers else "ip"
        src, dst = last(row[fam + ".src"]), last(row[fam + ".dst"])
        sport, dport = int(last(row["udp.srcport"]) or 0), int(last(row["udp.dstport"]) or 0)
        if row["sip.Call-ID"]:
            cids = sorted(set(row["sip.Call-ID"].split(AGG)))
            call_ids_of_frame[frame] = cids
            ports = [int(p) for p in row["sdp.media.port"].split(AGG) if p]
            for cid in cids:
                for port in ports:
                    announced_port[port].append((frame, cid))
                    for addr in row["sdp.connection_info.address"].split(AGG):
                        if addr:
                            announced[(addr, port)].append((frame, cid))
        ssrc = last(row["rtp.ssrc"])
        if not ssrc:
            if "udp" in protocols and sport and dport:
                other_udp["%s:%d>%s:%d" % (src, sport, dst, dport)][protocols[-1]] += 1
            continue
        key = (src, sport, dst, dport, int(ssrc, 16))
        s = streams.setdefault(key, {"packets": 0, "setups": collections.Counter(), "no_sdp": 0,
                                     "first_frame": frame, "last_frame": frame, "seq": []})
        s["packets"] += 1
        s["last_frame"] = frame
        s["seq"].append((int(last(row["rtp.seq"])), int(last(row["rtp.timestamp"]))))
        method, setup = last(row["rtp.setup-method"]), last(row["rtp.setup-frame"])
        if method == "SDP" and setup:
            s["setups"][int(setup)] += 1
        else:
            s["no_sdp"] += 1
    result = []
    for (src, sport, dst, dport, ssrc), s in streams.items():
        call_ids = collections.Counter()
        for setup, n in s["setups"].items():
            for cid in call_ids_of_frame.get(setup, ["(setup frame %d has no Call-ID)" % setup]):
                call_ids[cid] += n
        result.append({"src": src, "sport": sport, "dst": dst, "dport": dport, "ssrc": ssrc,
                       "packets": s["packets"], "first_frame": s["first_frame"],
                       "last_frame": s["last_frame"], "call_ids": dict(call_ids),
                       "setup_frames": sorted(s["setups"]), "no_sdp": s["no_sdp"],
                       "sdp_fallback": sdp_fallback(announced, announced_port, src, sport, dst,
                                                    dport, s["first_frame"]),
                       "lost_rfc3550": lost_rfc3550(s["seq"]),
                       "lost_tshark_rule": lost_tshark_rule(s["seq"])})
    return {"rtp_streams": table, "streams": result,
            "other_udp": {f: dict(c) for f, c in other_udp.items()}}


def main():
    captures = sys.argv[1:]
    if not captures:
        print(__doc__, file=sys.stderr)
        return 2
    # tshark's start-up dominates on small captures: two at a time.
    with multiprocessing.Pool(2) as pool:
        results = pool.map(analyse, captures, chunksize=1)
    json.dump(dict(zip(captures, results)), sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
