#!/usr/bin/env python3
"""Fills the timing fields of the SIPp truth file from tshark's view of the capture.

SIPp's timing is not scripted, so these values are taken from an independent decoder
(tshark), applying design.md's definitions by hand: the caller is the uac at
127.0.0.1:5061, so "delivered to the caller" = sent to udp port 5061.
  start_us  = first INVITE          ring_us   = first 18x to port 5061
  answer_us = first 2xx (CSeq INVITE) to port 5061
  end_us    = first BYE             pdd_ms = ring - start, duration_ms = end - answer
Usage: timing_from_tshark.py CAPTURE TRUTH.json
"""
import json
import subprocess
import sys
from decimal import Decimal

capture, truth_path = sys.argv[1], sys.argv[2]
fields = ["frame.time_epoch", "udp.dstport", "sip.Call-ID", "sip.Method", "sip.Status-Code",
          "sip.CSeq.method"]
cmd = ["tshark", "-r", capture, "-Y", "sip", "-T", "fields", "-E", "separator=\t"]
for f in fields:
    cmd += ["-e", f]
rows = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()

first = {}
for row in rows:
    epoch, dport, call_id, method, status, cseq_method = (row.split("\t") + [""] * 6)[:6]
    us = int(Decimal(epoch) * 1_000_000)  # floor: capture timestamps are whole microseconds
    to_caller = dport == "5061"
    t = first.setdefault(call_id, {})
    if method == "INVITE":
        t.setdefault("start_us", us)
    elif method == "BYE":
        t.setdefault("end_us", us)
    elif status and to_caller and 180 <= int(status) <= 189:
        t.setdefault("ring_us", us)
    elif status and to_caller and 200 <= int(status) < 300 and cseq_method == "INVITE":
        t.setdefault("answer_us", us)

with open(truth_path) as f:
    truth = json.load(f)
for call in truth["calls"]:
    t = first[call["sip_call_id"]]
    call.update({k: t[k] for k in ("start_us", "ring_us", "answer_us", "end_us")})
    call["pdd_ms"] = (t["ring_us"] - t["start_us"]) / 1000.0
    call["duration_ms"] = (t["end_us"] - t["answer_us"]) / 1000.0
truth["notes"] = ["Counts, users, states and hangup side derived from the SIPp built-in "
                  "scenarios (the built-in uas sends no 100 Trying); timing fields measured "
                  "by tshark (samples/sipp/timing_from_tshark.py) with design.md's definitions."]
with open(truth_path, "w") as f:
    json.dump(truth, f, indent=2)
    f.write("\n")
