#!/usr/bin/env python3
"""Test: every `sipscope-gen flood KIND` capture (small) agrees with its truth by tshark.

For each kind: the record count equals the truth's `packets`, tshark's `-z sip,stat`
"Number of SIP messages" equals `sip_messages`, tshark finds no malformed frame and no bad
IPv4/UDP checksum, and the kind's own property holds: rtp_ssrc_flood has one SSRC per
packet, esp_udp is ESP on UDP 4500 with SPI first bytes 0x80-0xBF, frag_flood holds only
IP fragments (more-fragments set), invite_flood only INVITEs, each with its own Call-ID.

usage: check_floods.py SIPSCOPE_GEN WORKDIR
"""
import json
import os
import subprocess
import sys

COUNT = 2000


def tshark(pcap, *args):
    out = subprocess.run(["tshark", "-r", pcap, *args], check=True, capture_output=True, text=True)
    return out.stdout


def fields(pcap, *names, display=None, extra=()):
    args = [*extra, "-T", "fields"]
    for n in names:
        args += ["-e", n]
    if display:
        args += ["-Y", display]
    return [line.split("\t") for line in tshark(pcap, *args).splitlines() if line]


def check(kind, gen, work):
    pcap = os.path.join(work, kind + ".pcap")
    truth_file = os.path.join(work, kind + ".truth.json")
    subprocess.run([gen, "flood", kind, "--count", str(COUNT), "--seconds", "20", "-o", pcap,
                    "--truth", truth_file], check=True, capture_output=True)
    truth = json.load(open(truth_file))
    errors = []
    records = len(fields(pcap, "frame.number"))
    if records != truth["packets"]:
        errors.append(f"{records} records, truth {truth['packets']}")
    stat = tshark(pcap, "-q", "-z", "sip,stat")
    msgs = int(stat.split("Number of SIP messages:")[1].split()[0])
    if msgs != truth["sip_messages"]:
        errors.append(f"tshark counts {msgs} SIP messages, truth {truth['sip_messages']}")
    # The RTP flood's high ports: decoded as RTP, not as whatever tshark registers there.
    rtp = ["-d", "udp.port==40000-41998,rtp"] if kind == "rtp_ssrc_flood" else []
    bad = fields(pcap, "frame.number", extra=[*rtp, "-o", "ip.check_checksum:TRUE", "-o",
                                              "udp.check_checksum:TRUE"],
                 display="_ws.malformed || ip.checksum.status == 0 || udp.checksum.status == 0")
    if bad:
        errors.append(f"{len(bad)} malformed frames or bad checksums, first {bad[0][0]}")
    if truth["flood"]["rtp_streams"] != 0:
        errors.append("truth claims RTP streams in a flood")
    if kind == "rtp_ssrc_flood":
        ssrcs = fields(pcap, "rtp.ssrc", extra=rtp)
        if len({s[0] for s in ssrcs}) != COUNT:
            errors.append(f"{len({s[0] for s in ssrcs})} distinct SSRCs in {COUNT} packets")
    if kind == "esp_udp":
        spis = fields(pcap, "esp.spi", "udp.dstport", "udp.srcport")
        if len(spis) != COUNT or any(int(s[0], 16) >> 24 not in range(0x80, 0xC0) or
                                     "4500" not in s[1:] for s in spis):
            errors.append("not every packet is ESP on UDP 4500 with an SPI of 0x80-0xBF")
    if kind == "frag_flood":
        if len(fields(pcap, "frame.number", display="ip.flags.mf == 1")) != COUNT:
            errors.append("not every packet is a first fragment")
    if kind == "invite_flood":
        calls = fields(pcap, "sip.Method", "sip.Call-ID")
        if {c[0] for c in calls} != {"INVITE"} or len({c[1] for c in calls}) != COUNT:
            errors.append("not one INVITE per Call-ID")
    return errors


def main():
    gen, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    kinds = [line.split("\t")[0] for line in subprocess.run(
        [gen, "flood", "list"], check=True, capture_output=True, text=True).stdout.splitlines()]
    failed = False
    for kind in kinds:
        errors = check(kind, gen, work)
        print(f"{kind}: {'ok' if not errors else '; '.join(errors)}")
        failed |= bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
