#!/usr/bin/env python3
"""Fills the timing fields of a real capture's truth file from tshark's view of it.

The tools' timing is not scripted, so these values are taken from an independent decoder
(tshark), applying docs/states.md's definitions by hand. The caller of each call is the
source (address and port) of its first INVITE, so "delivered to the caller" = sent to
that address and port, whatever the transport (UDP, TCP, WebSocket) or tunnel (tshark
lists outer and inner headers; the innermost, last, values are the SIP ones).
  start_us  = first INVITE          ring_us   = first 18x to the caller
  answer_us = first 2xx (CSeq INVITE) to the caller
  end_us    = first BYE             pdd_ms = ring - start, duration_ms = end - answer
Usage: timing_from_tshark.py CAPTURE TRUTH.json [tshark options...]
"""
import json
import subprocess
import sys
from decimal import Decimal

capture, truth_path, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
fields = ["frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "udp.srcport",
          "tcp.srcport", "udp.dstport", "tcp.dstport", "sip.Call-ID", "sip.Method",
          "sip.Status-Code", "sip.CSeq.method"]
cmd = ["tshark", "-r", capture, *extra, "-Y", "sip", "-T", "fields", "-E", "separator=\t"]
for f in fields:
    cmd += ["-e", f]
rows = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()


def last(v):
    return v.split(",")[-1] if v else ""


first = {}
for row in rows:
    (epoch, ip4s, ip6s, ip4d, ip6d, usp, tsp, udp_, tdp, call_id, method, status,
     cseq_method) = (row.split("\t") + [""] * 13)[:13]
    if "," in call_id:
        sys.exit(f"timing_from_tshark.py: several SIP messages in one frame ({call_id}); "
                 "cannot attribute times")
    us = int(Decimal(epoch) * 1_000_000)  # floor: capture timestamps are whole microseconds
    # A UDP tunnel (VXLAN) puts the outer UDP port first: the inner, last one is SIP's.
    src = (last(ip6s) or last(ip4s), last(tsp) or last(usp))
    dst = (last(ip6d) or last(ip4d), last(tdp) or last(udp_))
    t = first.setdefault(call_id, {})
    if method == "INVITE":
        t.setdefault("start_us", us)
        t.setdefault("caller", src)
    elif method == "BYE":
        t.setdefault("end_us", us)
    elif status and dst == t.get("caller") and 180 <= int(status) <= 189:
        t.setdefault("ring_us", us)
    elif status and dst == t.get("caller") and 200 <= int(status) < 300 and cseq_method == "INVITE":
        t.setdefault("answer_us", us)

with open(truth_path) as f:
    truth = json.load(f)
for call in truth["calls"]:
    t = first[call["sip_call_id"]]
    call.update({k: t.get(k) for k in ("start_us", "ring_us", "answer_us", "end_us")})
    call["pdd_ms"] = (t["ring_us"] - t["start_us"]) / 1000.0 if "ring_us" in t else None
    call["duration_ms"] = ((t["end_us"] - t["answer_us"]) / 1000.0
                           if "end_us" in t and "answer_us" in t else None)
truth.setdefault("notes", []).append(
    "Timing fields measured by tshark (samples/sipp/timing_from_tshark.py) with docs/states.md's "
    "definitions.")
with open(truth_path, "w") as f:
    json.dump(truth, f, indent=2)
    f.write("\n")
