#!/usr/bin/env python3
"""Ground truth of a samples/kamailio capture (written by record.sh, read by the golden test).

usage: truth.py udp|tcp|ipv6 CAPTURE TRUTH.json

What is *scripted* comes from the scenario definitions below (the SIPp XML beside this
file and what Kamailio's tm module does with them): each call's ladder, hop by hop, and
from it state, final code and reason, hang-up side, users, message count, dialog shape,
the hold/resume findings and the registrations. What is *timed* by the tools (every *_us)
is measured with tshark: samples/sipp/timing_from_tshark.py applies docs/states.md's
caller-side rule, and this script adds the two things it leaves out (end_us of a call
ended by a non-2xx final = that final delivered to the caller; dialog and registration
times). Before writing anything, every call's ladder is compared with tshark's view of
the capture, hop by hop (a retransmission or a message the proxy did not relay as
expected fails the recording), so the counts are verified, not assumed.

Parties: A = the SIPp caller (the source of the call's first message), B = the SIPp callee
(127.0.0.20:5062 or [::1]:5062), C = the forked call's second phone (127.0.0.21:5062 or
[::1]:5063), P = Kamailio (port 5060, or its own ephemeral port on its TCP connections).
"""
import collections
import json
import os
import struct
import subprocess
import sys
from decimal import Decimal

variant, capture, truth_path = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
caller_ip, callee_ip, proxy_ip = {
    "udp": ("127.0.0.10", "127.0.0.20", "127.0.0.1"),
    "tcp": ("127.0.0.10", "127.0.0.20", "127.0.0.1"),
    "ipv6": ("::1", "::1", "::1"),
}[variant]
transport = "TCP" if variant == "tcp" else "UDP"
# The forked call's second phone (proxy.cfg's UAS2_V4, or [::1]:5063).
second_phone = ("::1", 5063) if variant == "ipv6" else ("127.0.0.21", 5062)


def cid(name):
    return f"kam-{variant}-{name}@atlanta.example.com"


# The ladders, hop by hop. Kamailio (tm) answers every INVITE it relays with its own
# 100 Trying (initial and re-INVITE alike) and absorbs the callee's 100; it ACKs a non-2xx
# final on the callee's hop itself and absorbs the caller's ACK of it (ACK of a non-2xx
# is hop by hop, RFC 3261 §17.1.1.3); it answers a CANCEL itself (200 "canceling") and
# sends its own CANCEL to the callee (§16.10). 2xx ACKs, BYEs and re-INVITEs are
# loose-routed end to end, so each appears once per hop.
def setup(ring):
    return ["A>P INVITE", "P>A 100", "P>B INVITE", "B>P 100", f"B>P {ring}", f"P>A {ring}"]


ANSWER = ["B>P 200/INVITE", "P>A 200/INVITE", "A>P ACK", "P>B ACK"]
CALLER_BYE = ["A>P BYE", "P>B BYE", "B>P 200/BYE", "P>A 200/BYE"]
CALLEE_BYE = ["B>P BYE", "P>A BYE", "A>P 200/BYE", "P>B 200/BYE"]
CALLEE_REINVITE = ["B>P INVITE", "P>B 100", "P>A INVITE", "A>P 200/INVITE", "P>B 200/INVITE",
                   "B>P ACK", "P>A ACK"]
CANCEL = ["A>P CANCEL", "P>A 200/CANCEL", "P>B CANCEL", "B>P 200/CANCEL", "B>P 487", "P>B ACK",
          "P>A 487", "A>P ACK"]
REINVITE = ["A>P INVITE", "P>A 100", "P>B INVITE", "B>P 200/INVITE", "P>A 200/INVITE",
            "A>P ACK", "P>B ACK"]
CALLS = [  # name, caller, ladder, state, final code, reason, hangup_by, findings
    ("answered", "alice", setup(180) + ANSWER + CALLER_BYE, "answered", 200, "OK", "caller", []),
    ("callee_bye", "alice", setup(180) + ANSWER + CALLEE_BYE, "answered", 200, "OK", "callee", []),
    ("busy", "alice", setup(180) + ["B>P 486", "P>B ACK", "P>A 486", "A>P ACK"], "busy", 486,
     "Busy Here", None, []),
    ("cancel", "alice", setup(180) + CANCEL, "cancelled", 487, "Request Terminated", None, []),
    ("reinvite", "alice", setup(180) + ANSWER + REINVITE + REINVITE + CALLER_BYE, "answered",
     200, "OK", "caller", ["call_hold", "call_resume"]),
    ("early_media", "alice", setup(183) + ANSWER + CALLEE_BYE, "answered", 200, "OK", "callee",
     []),
    # Kamailio challenges carol statelessly (407 with its own To-tag, no 100) and absorbs
    # the ACK; the INVITE with Proxy-Authorization (CSeq 2) goes through.
    ("auth", "carol", ["A>P INVITE", "P>A 407", "A>P ACK"] + setup(180) + ANSWER + CALLER_BYE,
     "answered", 200, "OK", "caller", []),
    # fr_inv_timer (1.5 s) expires while ringing: tm answers 408 (its own To-tag) to the
    # caller and CANCELs the callee (200, 487 with the callee's tag, tm's ACK).
    ("timeout", "dave", setup(180) + ["P>A 408", "A>P ACK", "P>B CANCEL", "B>P 200/CANCEL",
                                      "B>P 487", "P>B ACK"],
     "no_answer", 408, "Request Timeout", None, []),
    # CANCEL after the 100s, before any 18x: no dialog, no ring.
    ("cancel_early", "alice", setup(None)[:4] + CANCEL, "cancelled", 487, "Request Terminated",
     None, []),
    # No 100 from the callee; the caller's late ACK lets the callee's 200 be retransmitted
    # once (500 ms), relayed by Kamailio: both copies count. SIPp retransmits only over UDP.
    ("late_ack", "alice", ["A>P INVITE", "P>A 100", "P>B INVITE", "B>P 180", "P>A 180"] +
     (ANSWER[:2] if transport == "UDP" else []) + ANSWER + CALLER_BYE, "answered", 200, "OK",
     "caller", []),
] + [  # three overlapping answered calls from one SIPp pair
    (f"overlap-{i}", "alice", setup(180) + ANSWER + CALLER_BYE, "answered", 200, "OK", "caller",
     []) for i in (1, 2, 3)
] + [
    # The callee re-INVITEs: hold (c= null address), then resume; Kamailio sends its 100 to
    # the callee this time.
    ("callee_hold", "alice", setup(180) + ANSWER + CALLEE_REINVITE + CALLEE_REINVITE +
     CALLER_BYE, "answered", 200, "OK", "caller", ["call_hold", "call_resume"]),
]
# Parallel fork to two phones, B (answers) and C (rings, CANCELled by tm when B
# answers: its 487 is absorbed and ACKed by Kamailio). Two early dialogs.
CALLS.append(
    ("fork", "alice", ["A>P INVITE", "P>A 100", "P>B INVITE", "P>C INVITE", "B>P 100", "C>P 100",
                       "C>P 180", "P>A 180", "B>P 180", "P>A 180"] + ANSWER +
     ["P>C CANCEL", "C>P 200/CANCEL", "C>P 487", "P>C ACK"] + CALLER_BYE,
     "answered", 200, "OK", "caller", []))
TO_USER = {"fork": "team"}  # To user when not bob
REINVITES = {"reinvite": (2, 1), "callee_hold": (2, 1)}  # (re-INVITE requests, hold offers)
REGISTER = ["A>P REGISTER", "P>A 401", "A>P REGISTER", "P>A 200/REGISTER", "A>P REGISTER",
            "P>A 200/REGISTER"]
REGISTER_BAD = ["A>P REGISTER", "P>A 401", "A>P REGISTER", "P>A 403"]

# ---- tshark's view
fields = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "udp.srcport",
          "tcp.srcport", "udp.dstport", "tcp.dstport", "sip.Call-ID", "sip.Method",
          "sip.Status-Code", "sip.CSeq.method", "sip.to.tag", "sip.from.tag"]
cmd = ["tshark", "-r", capture, "-Y", "sip", "-T", "fields", "-E", "separator=\t"]
for f in fields:
    cmd += ["-e", f]
# Call-ID -> [(us, src, dst, method, code, cseq, to_tag, from_tag, frame)]
msgs = collections.defaultdict(list)
for row in subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines():
    (frame, epoch, s4, s6, d4, d6, us_, ts_, ud_, td_, call_id, method, code, cseq,
     tag, ftag) = (row.split("\t") + [""] * 16)[:16]
    if "," in call_id:
        sys.exit(f"truth.py: several SIP messages in one frame ({call_id})")
    msgs[call_id].append((int(Decimal(epoch) * 1_000_000), (s6 or s4, int(ts_ or us_)),
                          (d6 or d4, int(td_ or ud_)), method, int(code) if code else None,
                          cseq, tag, ftag, int(frame)))


def ladder(call_id):
    """The call's messages as 'X>Y label' with A = source of its first message."""
    m = msgs[call_id]
    role = lambda ep: ("A" if ep == m[0][1] else "B" if ep == (callee_ip, 5062) else
                       "C" if ep == second_phone else "P")
    out = []
    for _, src, dst, method, code, cseq, *_ in m:
        label = method or (f"{code}/{cseq}" if code == 200 else str(code))
        out.append(f"{role(src)}>{role(dst)} {label}")
    return out


problems = []
for name, want in ([(c[0], c[2]) for c in CALLS] +
                   [("register", REGISTER), ("register_bad", REGISTER_BAD)]):
    got = ladder(cid(name)) if cid(name) in msgs else []
    if collections.Counter(got) != collections.Counter(want):
        problems.append(f"{cid(name)}: tshark {got} != scenario {want}")
if set(msgs) != {cid(n) for n, *_ in CALLS} | {cid("register"), cid("register_bad")}:
    problems.append(f"unexpected Call-IDs: {sorted(set(msgs))}")
if problems:
    sys.exit("truth.py: capture differs from the scenarios (retransmission? re-record):\n  " +
             "\n  ".join(problems))

# ---- scripted fields
data = open(capture, "rb").read()
endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
records, off = 0, 24
while off + 16 <= len(data):
    off += 16 + struct.unpack_from(endian + "I", data, off + 8)[0]
    records += 1
calls = [{
    "sip_call_id": cid(name), "from_user": user, "to_user": TO_USER.get(name, "bob"),
    "from_uri": f"sip:{user}@atlanta.example.com",
    "to_uri": f"sip:{TO_USER.get(name, 'bob')}@biloxi.example.com",
    "caller_ip": caller_ip, "callee_ip": callee_ip, "transport": transport,
    "start_us": None, "ring_us": None, "answer_us": None, "end_us": None,
    "state": state, "final_code": code, "final_reason": reason, "hangup_by": hangup,
    "pdd_ms": None, "duration_ms": None, "message_count": len(lad),
} for name, user, lad, state, code, reason, hangup, _ in CALLS]
truth = {
    "generator": "samples/kamailio/record.sh (SIPp caller -> Kamailio 5.6 -> SIPp callee)",
    "scenario": f"kamailio_proxy_{variant}", "seed": None,
    "link_type": struct.unpack_from(endian + "I", data, 20)[0], "packets": records,
    "sip_messages": sum(c["message_count"] for c in calls) + len(REGISTER) + len(REGISTER_BAD),
    "non_call_sip_messages": len(REGISTER) + len(REGISTER_BAD), "calls": calls, "rtp_streams": [],
    "notes": [
        f"Real capture on loopback ({transport} over IPv{6 if variant == 'ipv6' else 4}): "
        f"SIPp caller {caller_ip}:5071-5084, Kamailio proxy {proxy_ip}:5060, SIPp callee "
        f"{callee_ip}:5062; every message of a call appears once per hop it crosses.",
        "message_count per call = its ladder in samples/kamailio/truth.py, compared hop by "
        "hop with tshark before this file was written: answered / caller or callee BYE / "
        "183 early media 14 (INVITE x2, Kamailio's own 100 to the caller, the callee's 100 "
        "absorbed by Kamailio, 18x x2, 200 x2, ACK x2, BYE x2, 200 x2); busy 10 (INVITE x2, "
        "100 x2, 180 x2, 486 x2, Kamailio's ACK to the callee, the caller's ACK absorbed); "
        "CANCEL 14 (INVITE x2, 100 x2, 180 x2, CANCEL x2 with Kamailio's own 200 "
        "'canceling' to the caller and the callee's 200 to Kamailio's CANCEL, 487 x2, ACK "
        "x2 hop by hop); re-INVITE hold/resume 28 (the 10 of the set-up, each re-INVITE 7: "
        "INVITE x2, Kamailio's 100 to the caller, 200 x2, ACK x2; the callee sends no 100 "
        "to a re-INVITE; BYE/200 x2); carol 17 (INVITE, Kamailio's stateless 407, ACK "
        "absorbed, then the 14 of an answered call with CSeq 2); dave 12 (the set-up's 6, "
        "Kamailio's 408 Request Timeout after 1.5 s of ringing and the caller's ACK, "
        "Kamailio's CANCEL to the callee, its 200, the callee's 487 and Kamailio's ACK); "
        "CANCEL before any 18x 12 (INVITE x2, 100 x2, then the 8 of a CANCEL); late ACK 15 "
        "over UDP (no 100 from the callee: 13, plus the callee's 200 retransmitted once, "
        "relayed by Kamailio: 2 more; 13 over TCP, where SIPp does not retransmit); overlap-1..3 14 each (three answered calls 200 ms apart); "
        "callee hold/resume 28 (the callee's re-INVITEs, each 7: INVITE x2, Kamailio's 100 "
        "to the callee, 200 x2, ACK x2).",
        "Registrations, answered by Kamailio itself (10 non-call messages): alice "
        "registers (REGISTER, 401 with WWW-Authenticate, REGISTER with Authorization CSeq "
        "2, 200 with Contact expires=3600), then unregisters 500 ms later on the same "
        "Call-ID (CSeq 3, Expires: 0, credentials for the still valid nonce, 200 without "
        "Contact): two registrations rows, the second 'unregistered' with expires 0 (what "
        "was asked: the 200 lists no binding and has no Expires). bob registers with a "
        "wrong password: 401, REGISTER with Authorization, 403: 'failed'.",
        "end_us of the calls ended by a non-2xx final = that final delivered to the caller "
        "(measured here; timing_from_tshark.py sets end_us from BYEs only). dave's call "
        "ends with Kamailio's 408, before the callee's 487 on the other hop.",
        "Dialogs: one per call that got a 101-299 response (not the early CANCEL), keyed by "
        "the callee's To-tag: created by its first 18x on the wire (callee's hop), confirmed "
        "by its first 200, terminated by the first BYE or by the first non-2xx final "
        "carrying that To-tag (dave: the callee's 487, not Kamailio's 408, which has "
        "Kamailio's own tag; Kamailio's 407 to carol has its own tag too and makes no "
        "dialog); remote_ip the callee; final_code the final carrying that tag. The forked "
        "call has two: the answering phone's (confirmed, ended by the BYE) and the other "
        "phone's (terminated by its own 487 after tm's CANCEL, never confirmed).",
        "fork 22 messages: INVITE to the proxy and to each phone, Kamailio's 100, each "
        "phone's 100 and 180, both 180s relayed, 200 x2, ACK x2, Kamailio's CANCEL to the "
        "second phone, its 200 and 487 and Kamailio's ACK (absorbed: the caller sees only "
        "the 200), BYE/200 x2. callee_ip is the answering phone (as the generator's "
        "fork_early).",
    ],
}
with open(truth_path, "w") as f:
    json.dump(truth, f, indent=2)
subprocess.run([sys.executable, os.path.join(here, "..", "sipp", "timing_from_tshark.py"),
                capture, truth_path], check=True)
truth = json.load(open(truth_path))

# ---- measured fields timing_from_tshark.py does not cover
dialogs = []
for call, (name, _, _, state, *_) in zip(truth["calls"], CALLS):
    m = msgs[cid(name)]
    caller = m[0][1]
    invite_resp = [x for x in m if x[4] and x[5] == "INVITE"]
    if state != "answered":
        call["end_us"] = next(x[0] for x in invite_resp if x[4] >= 300 and x[2] == caller)
    # A callee's dialog: its To-tag is on the 101-299 responses to the caller's INVITE
    # (From-tag the caller's: not the responses to the callee's own re-INVITEs).
    ours = [x for x in invite_resp if x[7] == m[0][7]]
    for tag in dict.fromkeys(x[6] for x in ours if 101 <= x[4] <= 299):
        own = [x for x in ours if x[6] == tag]
        ok = [x for x in own if x[4] == 200]
        final = next(x for x in own if x[4] >= 200)
        dialogs.append({
            "call": cid(name), "to_tag": tag, "state": "terminated", "remote_ip": own[0][1][0],
            "created_us": own[0][0], "confirmed_us": ok[0][0] if ok else None,
            "terminated_us": (next(x[0] for x in m if x[3] == "BYE") if ok else final[0]),
            "first_code": own[0][4], "final_code": final[4],
            "reinvites": REINVITES.get(name, (0, 0))[0] if ok else 0, "updates": 0,
            "pracks": 0, "holds": REINVITES.get(name, (0, 0))[1] if ok else 0,
        })
truth["dialogs"] = dialogs
# For tests/cli/kamailio_samples_test.cpp (the golden test ignores these keys): each call's
# ladder (scenario-defined, checked above against tshark), the parties' transport
# addresses behind B and C (A is the source of the call's first message, P anything
# else), the frames tshark puts in each call, and the retransmissions each call holds
# (same message again on the same hop: the late ACK call's 200, over UDP, on both hops).
truth["ladders"] = {cid(c[0]): c[2] for c in CALLS}
fmt = lambda ip, port: f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
truth["parties"] = {"B": fmt(callee_ip, 5062), "C": fmt(*second_phone)}
truth["frames"] = {cid(c[0]): [x[8] for x in msgs[cid(c[0])]] for c in CALLS}
truth["retransmissions"] = {cid("late_ack"): 2 if transport == "UDP" else 0}
truth["links"] = []
truth["diagnostics"] = [{"call": cid(name), "kind": k} for name, *_, kinds in CALLS for k in kinds]
def registration(name, user, msgs_, port, requested, expires, result, code, reason, attempts,
                 challenges):
    ep = f"[{caller_ip}]:{port}" if ":" in caller_ip else f"{caller_ip}:{port}"
    return {
        "sip_call_id": cid(name), "user": user, "aor": f"sip:{user}@atlanta.example.com",
        "contact": f"sip:{user}@{ep};transport={transport}",
        "registrant_ip": caller_ip, "registrar_ip": proxy_ip, "transport": transport,
        "start_us": msgs_[0][0], "end_us": msgs_[-1][0], "requested_expires": requested,
        "expires": expires, "result": result, "final_code": code, "final_reason": reason,
        "attempts": attempts, "challenges": challenges,
        "response_ms": (msgs_[-1][0] - msgs_[0][0]) / 1000.0,
    }


reg, bad = msgs[cid("register")], msgs[cid("register_bad")]
truth["registrations"] = [
    registration("register", "alice", reg[:4], 5084, 3600, 3600, "registered", 200, "OK", 2, 1),
    registration("register", "alice", reg[4:], 5084, 0, 0, "unregistered", 200, "OK", 1, 0),
    registration("register_bad", "bob", bad, 5085, 3600, None, "failed", 403, "Forbidden", 2, 1),
]
with open(truth_path, "w") as f:
    json.dump(truth, f, indent=2)
    f.write("\n")
print(f"truth.py: wrote {truth_path} ({len(calls)} calls, {truth['sip_messages']} SIP messages)")
