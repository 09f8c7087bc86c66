#!/usr/bin/env python3
"""Cross-check a capture against its ground-truth file with tshark as the oracle.

usage: check_sample.py CAPTURE TRUTH.json [CAPTURE TRUTH.json ...]

Checks, per capture:
  - record count and link type (file header / pcapng IDB) equal truth packets/link_type;
  - `tshark -q -z sip,stat` "Number of SIP messages" equals truth sip_messages;
  - SIP messages per Call-ID (tshark -e sip.Call-ID) equal the sum of message_count of the
    truth calls with that Call-ID, and the rest equals non_call_sip_messages;
  - `tshark -o rtp.heuristic_rtp:TRUE -q -z rtp,streams` lists exactly the truth streams
    (src, dst, SSRC) with the same packet and lost counts;
  - no IPv4/UDP checksum errors and no malformed packets (generator captures only: the
    SIPp loopback capture has offloaded, unfilled UDP checksums).
Exit status 0 when everything matches, 1 otherwise. Prints one line per capture.
"""
import collections
import json
import re
import struct
import subprocess
import sys


def tshark(*args):
    return subprocess.run(["tshark", *args], check=True, capture_output=True, text=True).stdout


def file_info(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        link = struct.unpack_from("<I", data, 20)[0]
        off, n = 24, 0
        while off + 16 <= len(data):
            caplen = struct.unpack_from("<I", data, off + 8)[0]
            off += 16 + caplen
            n += 1
        return link, n
    if magic == b"\x0a\x0d\x0d\x0a":
        off, n, link = 0, 0, None
        while off + 8 <= len(data):
            btype, blen = struct.unpack_from("<II", data, off)
            if btype == 1 and link is None:
                link = struct.unpack_from("<H", data, off + 8)[0]
            elif btype in (3, 6):
                n += 1
            off += blen
        return link, n
    raise ValueError(f"{path}: unknown capture format")


def split_addr(s):
    m = re.fullmatch(r"\[(.+)\]:(\d+)|([^:]+):(\d+)", s)
    return (m.group(1), int(m.group(2))) if m.group(1) else (m.group(3), int(m.group(4)))


def check(pcap, truth_path):
    truth = json.load(open(truth_path))
    problems = []
    link, packets = file_info(pcap)
    if link != truth["link_type"]:
        problems.append(f"link type {link} != truth {truth['link_type']}")
    if packets != truth["packets"]:
        problems.append(f"{packets} records != truth packets {truth['packets']}")

    stat = tshark("-r", pcap, "-q", "-z", "sip,stat")
    m = re.search(r"Number of SIP messages: (\d+)", stat)
    sip = int(m.group(1)) if m else 0
    if sip != truth["sip_messages"]:
        problems.append(f"tshark sip,stat {sip} != truth sip_messages {truth['sip_messages']}")

    per_id = collections.Counter(
        line for line in tshark("-r", pcap, "-Y", "sip", "-T", "fields", "-e", "sip.Call-ID").split("\n") if line)
    want = collections.Counter()
    for c in truth["calls"]:
        want[c["sip_call_id"]] += c["message_count"]
    non_call = sum(n for cid, n in per_id.items() if cid not in want)
    for cid, n in want.items():
        if per_id.get(cid, 0) != n:
            problems.append(f"Call-ID {cid}: tshark {per_id.get(cid, 0)} messages != truth {n}")
    if non_call != truth["non_call_sip_messages"]:
        problems.append(f"non-call messages {non_call} != truth {truth['non_call_sip_messages']}")

    rtp = tshark("-r", pcap, "-o", "rtp.heuristic_rtp:TRUE", "-q", "-z", "rtp,streams")
    seen = {}
    for line in rtp.splitlines():
        f = line.split()
        if len(f) >= 12 and f[6].startswith("0x"):
            # start end src sport dst dport ssrc payload pkts lost (pct) ...
            key = (f[2], int(f[3]), f[4], int(f[5]), int(f[6], 16))
            seen[key] = (int(f[8]), int(f[9]))
    for s in truth["rtp_streams"]:
        src, dst = split_addr(s["src"]), split_addr(s["dst"])
        key = (src[0], src[1], dst[0], dst[1], s["ssrc"])
        got = seen.pop(key, None)
        if got is None:
            problems.append(f"stream {s['src']}->{s['dst']} ssrc {s['ssrc']:#x} missing in tshark")
        elif got != (s["packets"], s["lost"]):
            problems.append(f"stream {s['src']}->{s['dst']}: tshark packets/lost {got} != truth "
                            f"({s['packets']}, {s['lost']})")
    for key in seen:
        problems.append(f"tshark stream {key} not in truth")

    # Real loopback captures (samples/sipp) carry checksum-offloaded UDP: check only ours.
    bad = [] if not truth["generator"].startswith("sipscope-gen") else tshark("-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                 "-Y", "ip.checksum.status == 0 || udp.checksum.status == 0 || _ws.malformed",
                 "-T", "fields", "-e", "frame.number").split()
    if bad:
        problems.append(f"{len(bad)} frames with bad checksums or malformed, first {bad[0]}")

    status = "OK  " if not problems else "FAIL"
    print(f"{status} {pcap}: {packets} packets, link {link}, {sip} SIP messages, "
          f"{len(truth['calls'])} calls, {len(truth['rtp_streams'])} RTP streams")
    for p in problems:
        print(f"     {p}")
    return not problems


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        print(__doc__, file=sys.stderr)
        return 1
    ok = all([check(argv[i], argv[i + 1]) for i in range(1, len(argv), 2)])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
