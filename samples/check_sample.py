#!/usr/bin/env python3
"""Cross-check a capture against its ground-truth file with tshark as the oracle.

usage: check_sample.py CAPTURE TRUTH.json [CAPTURE TRUTH.json ...]

Checks, per capture:
  - record count and link type (file header / pcapng IDB) equal truth packets/link_type;
  - `tshark -q -z sip,stat` "Number of SIP messages" equals truth sip_messages;
  - SIP messages per Call-ID (tshark -e sip.Call-ID) equal the sum of message_count of the
    truth calls with that Call-ID, and the rest equals non_call_sip_messages;
  - `tshark -o rtp.heuristic_rtp:TRUE -q -z rtp,streams` lists exactly the truth streams
    (src, dst, SSRC) with the same packet and lost counts (a stream's "tshark_lost" where
    tshark 4.0's count differs from RFC 3550's: samples/generator/rtp_plan.hpp);
  - the first INVITE tshark sees per Call-ID is at the earliest truth start_us of that
    Call-ID (generator captures);
  - no IPv4/UDP/TCP/SCTP checksum errors and no malformed packets (generator captures
    only: loopback captures have offloaded, unfilled checksums);
  - "dialogs": tshark sees a 101-299 response to an initial INVITE (its From-tag is that
    of an INVITE without To-tag) with each dialog's Call-ID and To-tag, and no other; "registrations": the last response tshark sees to a
    REGISTER of that Call-ID has the truth's final_code.
Per-capture options in the truth:
  - "tshark_args": extra tshark options (e.g. TCP out-of-order reassembly);
  - "tshark_sip_messages": tshark's expected count where it differs from sip_messages;
  - "wire": {"hep": 2|3}: tshark 4.0 has no HEP dissector, so the HEP payloads (UDP to the
    collector) are decapsulated here, independently of sipscope, into a raw-IP capture
    with the HEP timestamps, and the SIP checks run on that.
Exit status 0 when everything matches, 1 otherwise. Prints one line per capture.
"""
import collections
import ipaddress
import json
import multiprocessing
import os
import re
import struct
import subprocess
import sys
import tempfile
from decimal import Decimal

EXTRA = []  # per-capture tshark options (truth "tshark_args")


def tshark(*args):
    return subprocess.run(["tshark", *EXTRA, *args], check=True, capture_output=True,
                          text=True).stdout


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def parse_hep(p):
    """(ts_us, family, src, dst, sport, dport, payload) from a HEP v2 or v3 datagram."""
    if p[:4] == b"HEP3":
        total = struct.unpack_from("!H", p, 4)[0]
        off, f = 6, {}
        while off + 6 <= total:
            _vendor, ctype, clen = struct.unpack_from("!HHH", p, off)
            f[ctype] = p[off + 6:off + clen]
            off += clen
        fam = f[1][0]
        src, dst = (f[3], f[4]) if fam == 2 else (f[5], f[6])
        ts = struct.unpack("!I", f[9])[0] * 1000000 + struct.unpack("!I", f[10])[0]
        return (ts, fam, src, dst, struct.unpack("!H", f[7])[0], struct.unpack("!H", f[8])[0],
                f[15])
    if p[0] == 2:
        hlen, fam = p[1], p[2]
        sport, dport = struct.unpack_from("!HH", p, 4)
        alen = 4 if fam == 2 else 16
        src, dst = p[8:8 + alen], p[8 + alen:8 + 2 * alen]
        sec, usec = struct.unpack_from("<II", p, hlen)
        return sec * 1000000 + usec, fam, src, dst, sport, dport, p[hlen + 12:]
    raise ValueError("not HEP v2/v3")


def decapsulate_hep(pcap, out):
    """Writes the SIP messages carried by HEP in `pcap` as raw IP/UDP packets to `out`."""
    rows = subprocess.run(["tshark", "-r", pcap, "-Y", "udp.dstport == 9060", "-T", "fields",
                           "-e", "udp.payload"], check=True, capture_output=True,
                          text=True).stdout.split()
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 101))
        for hexdata in rows:
            ts, fam, src, dst, sport, dport, payload = parse_hep(bytes.fromhex(hexdata))
            udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
            if fam == 2:
                pseudo = src + dst + struct.pack("!BBH", 0, 17, len(udp))
                udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                                 src, dst)
                ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            else:
                pseudo = src + dst + struct.pack("!II", len(udp), 17)
                udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
                ip = struct.pack("!IHBB16s16s", 0x60000000, len(udp), 17, 64, src, dst)
            pkt = ip + udp
            f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(pkt), len(pkt)) + pkt)


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
    EXTRA[:] = truth.get("tshark_args", [])
    generated = truth["generator"].startswith("sipscope-gen")
    outer = pcap
    tmp = None
    if truth.get("wire", {}).get("hep"):
        tmp = tempfile.NamedTemporaryFile(suffix=".pcap", delete=False)
        tmp.close()
        decapsulate_hep(pcap, tmp.name)
        pcap = tmp.name
    try:
        return check_sip(pcap, outer, truth, problems, generated, link, packets)
    finally:
        if tmp:
            os.unlink(tmp.name)


def check_sip(pcap, outer, truth, problems, generated, link, packets):
    stat = tshark("-r", pcap, "-q", "-z", "sip,stat")
    m = re.search(r"Number of SIP messages: (\d+)", stat)
    sip = int(m.group(1)) if m else 0
    want_sip = truth.get("tshark_sip_messages", truth["sip_messages"])
    if sip != want_sip:
        problems.append(f"tshark sip,stat {sip} != truth {want_sip}")

    # One frame may carry several messages (TCP, SCTP bundling): fields are comma-joined.
    rows = tshark("-r", pcap, "-Y", "sip", "-T", "fields", "-E", "separator=\t", "-e",
                  "frame.time_epoch", "-e", "sip.Call-ID", "-e", "sip.Method", "-e",
                  "sip.Status-Code", "-e", "sip.to.tag", "-e", "sip.CSeq.method", "-e",
                  "sip.from.tag").splitlines()
    per_id = collections.Counter()
    first = {}
    initial_from = collections.defaultdict(set)  # Call-ID -> From-tags of initial INVITEs
    dialog_responses = set()  # (Call-ID, To-tag, From-tag) of 101-299 responses to INVITE
    register_final = {}  # Call-ID -> last REGISTER response code
    for row in rows:
        epoch, cids, methods, codes, tags, cseqs, ftag = (row.split("\t") + [""] * 6)[:7]
        if len(cids.split(",")) == 1:  # one message in the frame
            if methods == "INVITE" and not tags:
                initial_from[cids].add(ftag)
            if codes and cseqs == "INVITE" and 101 <= int(codes) <= 299 and tags:
                dialog_responses.add((cids, tags, ftag))
            if codes and cseqs == "REGISTER":
                register_final[cids] = int(codes)
        per_id.update(cid for cid in cids.split(",") if cid)
        # Requests come first in sip.Method only when the frame holds one message or all of
        # its messages are requests; match INVITEs by position only in those cases.
        if methods and len(methods.split(",")) == len(cids.split(",")):
            for cid, method in zip(cids.split(","), methods.split(",")):
                if method == "INVITE":
                    first.setdefault(cid, int(Decimal(epoch) * 1000000))
        elif "INVITE" in methods.split(",") and len(set(cids.split(","))) == 1:
            first.setdefault(cids.split(",")[0], int(Decimal(epoch) * 1000000))
    want = collections.Counter()
    for c in truth["calls"]:
        want[c["sip_call_id"]] += c["message_count"]
    non_call = sum(n for cid, n in per_id.items() if cid not in want)
    for cid, n in want.items():
        if per_id.get(cid, 0) != n:
            problems.append(f"Call-ID {cid}: tshark {per_id.get(cid, 0)} messages != truth {n}")
    if non_call != truth["non_call_sip_messages"] and "tshark_sip_messages" not in truth:
        problems.append(f"non-call messages {non_call} != truth {truth['non_call_sip_messages']}")

    early_tags = {(c, t) for c, t, f in dialog_responses if f in initial_from[c]}
    if "dialogs" in truth:
        want_tags = {(d["call"], d["to_tag"]) for d in truth["dialogs"]}
        if want_tags != early_tags:
            problems.append(f"dialog To-tags: tshark {sorted(early_tags)} != truth "
                            f"{sorted(want_tags)}")
    for r in truth.get("registrations", []):
        if register_final.get(r["sip_call_id"]) != r["final_code"]:
            problems.append(f"registration {r['sip_call_id']}: tshark final "
                            f"{register_final.get(r['sip_call_id'])} != truth {r['final_code']}")

    # The first INVITE of each Call-ID is at the truth's start time (frame time of the
    # frame that completed it, as sipscope stores it).
    if generated:
        starts = {}
        for c in truth["calls"]:
            if c["start_us"] is not None:
                starts[c["sip_call_id"]] = min(starts.get(c["sip_call_id"], c["start_us"]),
                                               c["start_us"])
        for cid, us in starts.items():
            if first.get(cid) != us:
                problems.append(f"Call-ID {cid}: first INVITE at {first.get(cid)} != truth "
                                f"start_us {us}")

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
        elif got != (s["packets"], s.get("tshark_lost", s["lost"])):
            problems.append(f"stream {s['src']}->{s['dst']}: tshark packets/lost {got} != truth "
                            f"({s['packets']}, {s['lost']})")
    for key in seen:
        problems.append(f"tshark stream {key} not in truth")

    # Real loopback captures (samples/sipp) carry checksum-offloaded UDP: check only ours.
    bad = [] if not generated else tshark(
        "-r", outer, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
        "-o", "tcp.check_checksum:TRUE", "-o", "sctp.checksum:CRC-32C", "-Y",
        "ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0 || "
        "sctp.checksum.status == 0 || _ws.malformed", "-T", "fields", "-e", "frame.number").split()
    if bad:
        problems.append(f"{len(bad)} frames with bad checksums or malformed, first {bad[0]}")

    status = "OK  " if not problems else "FAIL"
    lines = [f"{status} {outer}: {packets} packets, link {link}, {sip} SIP messages, "
             f"{len(truth['calls'])} calls, {len(truth['rtp_streams'])} RTP streams"]
    lines += [f"     {p}" for p in problems]
    return not problems, "\n".join(lines)


def check_pair(pair):
    return check(*pair)


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        print(__doc__, file=sys.stderr)
        return 1
    pairs = [(argv[i], argv[i + 1]) for i in range(1, len(argv), 2)]
    ok = True
    # Two tshark processes at a time (tshark's start-up dominates on small captures).
    with multiprocessing.Pool(min(2, len(pairs))) as pool:
        for good, text in pool.imap(check_pair, pairs):
            print(text, flush=True)
            ok = ok and good
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
