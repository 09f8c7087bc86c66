#!/usr/bin/env python3
"""An independent derivation of the calls of a capture from tshark's dissection.

Reads a tshark field dump (the corpus baseline F.sip_msgs.tsv: frame, time, addresses,
ports, Method, Status-Code, Call-ID, CSeq, From/To tags, Via branch) and applies
docs/states.md's definitions by hand, without sipscope's code:
  - a call starts at an INVITE without a To-tag; the caller is its source (IP, port);
    later INVITEs without a To-tag and the same Call-ID (401/407 retries, forks seen on
    other hops) belong to it; INVITEs with a To-tag are re-INVITEs.
  - the final response of the call is the last final response to an initial INVITE CSeq
    sent to the caller (any hop when none was sent to the caller), ignoring 401/407
    followed by a retry; state from its code (2xx answered, 487 cancelled, 486/600 busy,
    603/607/608 rejected, 408/480 no_answer, 3xx redirected, other >= 400 failed); no
    final response: cancelled if a CANCEL was answered, else after a BYE (an early
    dialog, RFC 3261 §15) cancelled when the caller sent it and failed when the callee
    did, else no_answer when the capture ran on 32 s after the INVITE, else in_progress. A Call-ID seen first without an
    initial INVITE but with a request only an INVITE dialog carries (re-INVITE, ACK, BYE,
    UPDATE, PRACK, INFO), a CANCEL (it cancels an INVITE, RFC 3261 §9.1) or a response to
    one is `unknown`.
  - ring = first 18x to the caller, answer = first 2xx to an initial INVITE to the
    caller, end = the final non-2xx to the caller, else the first BYE; pdd = ring - start,
    duration = end - answer (answered calls).
  - hangup_by = caller when the first BYE's From-tag is the initial INVITE's From-tag
    (the caller's side of the dialog), else callee.
Frames carrying several SIP messages (TCP) are expanded when every field lists the same
number of values; otherwise the Call-IDs involved are reported as "ambiguous".
Output: JSON {"calls": {call_id: {...}}, "ambiguous": [call_id, ...]}.
Usage: call_oracle.py FILE.sip_msgs.tsv [CAPTURE_END_US]  (default: the last SIP frame)
"""
import json
import sys
from decimal import Decimal

# Methods that only occur inside an INVITE dialog: seen without the initial INVITE, the
# capture began mid-call.
IN_CALL = ("INVITE", "ACK", "BYE", "UPDATE", "PRACK", "INFO")
STATE_BY_CODE = {487: "cancelled", 486: "busy", 600: "busy", 603: "rejected", 607: "rejected",
                 608: "rejected", 408: "no_answer", 480: "no_answer"}


def last(v):
    return v.split(",")[-1] if v else ""


def read_messages(path):
    rows = open(path, encoding="utf-8", errors="replace").read().splitlines()
    header = rows[0].split("\t")
    out, ambiguous, capture_end = [], set(), 0
    for line in rows[1:]:
        f = dict(zip(header, line.split("\t") + [""] * len(header)))
        us = int(Decimal(f["frame.time_epoch"]) * 1_000_000)
        capture_end = max(capture_end, us)
        ids = f["sip.Call-ID"].split(",") if f["sip.Call-ID"] else []
        methods = f["sip.Method"].split(",") if f["sip.Method"] else []
        codes = f["sip.Status-Code"].split(",") if f["sip.Status-Code"] else []
        cseqs = f["sip.CSeq"].split(",") if f["sip.CSeq"] else []
        if len(ids) != 1:
            if len(ids) > 1 and not (len(methods) == len(ids) and not codes) and \
                    not (len(codes) == len(ids) and not methods):
                ambiguous.update(ids)
                continue
        src = (last(f["ipv6.src"]) or last(f["ip.src"]),
               last(f["tcp.srcport"]) or last(f["udp.srcport"]) or last(f["sctp.srcport"]))
        dst = (last(f["ipv6.dst"]) or last(f["ip.dst"]),
               last(f["tcp.dstport"]) or last(f["udp.dstport"]) or last(f["sctp.dstport"]))
        from_tags = f["sip.from.tag"].split(",")
        to_tags = f["sip.to.tag"].split(",") if f["sip.to.tag"] else []
        for i, cid in enumerate(ids):
            cseq = cseqs[i] if i < len(cseqs) else ""
            num, _, cseq_method = cseq.partition(" ")
            out.append({
                "us": us, "src": src, "dst": dst, "call_id": cid,
                "method": methods[i] if i < len(methods) else "",
                "code": int(codes[i]) if i < len(codes) and codes[i].isdigit() else None,
                "cseq": int(num) if num.isdigit() else None, "cseq_method": cseq_method,
                "from_tag": from_tags[i] if i < len(from_tags) else "",
                # to-tags are aggregated without blanks: only trust them for single messages
                "to_tag": to_tags[0] if len(ids) == 1 and to_tags else
                ("?" if to_tags else ""),
            })
    return out, ambiguous, capture_end


def derive(messages, capture_end):
    calls = {}
    for m in messages:
        c = calls.get(m["call_id"])
        if c is None:
            if m["method"] == "INVITE" and not m["to_tag"]:
                c = calls[m["call_id"]] = {"start_us": m["us"], "caller": m["src"],
                                           "from_tag": m["from_tag"], "cseqs": set(),
                                           "finals": [], "cancel_answered": False}
            elif m["method"] in IN_CALL + ("CANCEL",) or m["cseq_method"] in IN_CALL + ("CANCEL",):
                calls[m["call_id"]] = {"state": "unknown"}
                continue
            else:
                continue
        if c.get("state") == "unknown" and "caller" not in c:
            continue
        if m["method"] == "INVITE" and not m["to_tag"]:
            c["cseqs"].add(m["cseq"])
        if m["method"] == "BYE" and "end_us" not in c:
            c["end_us"] = m["us"]
            c["hangup_by"] = "caller" if m["from_tag"] == c["from_tag"] else "callee"
        code = m["code"]
        if code is None:
            continue
        to_caller = m["dst"] == c["caller"]
        if m["cseq_method"] == "CANCEL" and 200 <= code < 300:
            c["cancel_answered"] = True
        if m["cseq_method"] != "INVITE" or m["cseq"] not in c["cseqs"]:
            continue
        if 180 <= code <= 189 and to_caller:
            c.setdefault("ring_us", m["us"])
        if 200 <= code < 300 and to_caller:
            c.setdefault("answer_us", m["us"])
        if code >= 200:
            c["finals"].append((m["cseq"], code, m["us"], to_caller))
    out = {}
    for cid, c in calls.items():
        if "caller" not in c:
            out[cid] = {"state": "unknown"}
            continue
        finals = [f for f in c["finals"] if f[3]] or c["finals"]
        top = max(c["cseqs"])
        # 401/407 to an earlier CSeq were followed by a retry; the last CSeq decides.
        finals = [f for f in finals if f[0] == top] or finals
        two = [f for f in finals if 200 <= f[1] < 300]
        final = two[0] if two else (finals[0] if finals else None)
        r = {"start_us": c["start_us"], "ring_us": c.get("ring_us"),
             "answer_us": c.get("answer_us"), "hangup_by": c.get("hangup_by")}
        if final is None:
            r["final_code"] = None
            if c["cancel_answered"]:
                r["state"] = "cancelled"
            elif "hangup_by" in c:
                # RFC 3261 §15: a BYE on an early dialog; the caller may send it (its INVITE
                # is answered 487: cancelled), the callee must not (failed).
                r["state"] = "cancelled" if c["hangup_by"] == "caller" else "failed"
            else:
                r["state"] = "no_answer" if capture_end - c["start_us"] >= 32_000_000 else \
                    "in_progress"
        else:
            code = final[1]
            r["final_code"] = code
            if 200 <= code < 300:
                r["state"] = "answered"
            elif 300 <= code < 400:
                r["state"] = "redirected"
            else:
                r["state"] = STATE_BY_CODE.get(code, "failed")
        end = c.get("end_us")
        if final is not None and final[1] >= 300:
            end = final[2]  # unanswered: the decisive final, else the (early) BYE
        r["end_us"] = end
        r["pdd_ms"] = (r["ring_us"] - r["start_us"]) / 1000.0 if r["ring_us"] else None
        r["duration_ms"] = ((end - r["answer_us"]) / 1000.0
                            if end is not None and r["answer_us"] else None)
        out[cid] = r
    return out


messages, ambiguous, capture_end = read_messages(sys.argv[1])
if len(sys.argv) > 2:
    capture_end = int(sys.argv[2])
print(json.dumps({"calls": derive(messages, capture_end), "ambiguous": sorted(ambiguous)},
                 indent=1))
