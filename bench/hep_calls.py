#!/usr/bin/env python3
"""Sends N answered SIP calls (INVITE, 200 OK, ACK; no BYE, so they stay open) as HEP3 over
UDP, stamped with the wall clock, at a paced rate. Used by bench/live_stop.sh to hold tens
of thousands of calls open in `sipscope capture --hep-listen`.

usage: hep_calls.py --port P --calls N [--rate MSG_PER_S] [--host 127.0.0.1]
"""
import argparse
import socket
import struct
import time


def chunk(kind, payload):
    return struct.pack("!HHH", 0, kind, 6 + len(payload)) + payload


def hep3(src, dst, sport, dport, payload):
    now = time.time()
    sec = int(now)
    usec = int((now - sec) * 1e6)
    body = b"".join([
        chunk(1, b"\x02"),  # IPv4
        chunk(2, b"\x11"),  # UDP
        chunk(3, socket.inet_aton(src)),
        chunk(4, socket.inet_aton(dst)),
        chunk(7, struct.pack("!H", sport)),
        chunk(8, struct.pack("!H", dport)),
        chunk(9, struct.pack("!I", sec)),
        chunk(10, struct.pack("!I", usec)),
        chunk(11, b"\x01"),  # SIP
        chunk(12, struct.pack("!I", 2001)),
        chunk(15, payload),
    ])
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


def messages(i):
    cid = f"stop-{i}@bench"
    a, b = "10.1.0.1", "10.1.0.2"
    via = f"Via: SIP/2.0/UDP {a}:5060;branch=z9hG4bK{i}x\r\n"
    common = (f"From: <sip:alice{i}@{a}>;tag=f{i}\r\nCall-ID: {cid}\r\n"
              f"Max-Forwards: 70\r\nContact: <sip:alice@{a}:5060>\r\n")
    invite = (f"INVITE sip:bob{i}@{b} SIP/2.0\r\n{via}{common}To: <sip:bob{i}@{b}>\r\n"
              f"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
    ok = (f"SIP/2.0 200 OK\r\n{via}{common}To: <sip:bob{i}@{b}>;tag=t{i}\r\n"
          f"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
    ack = (f"ACK sip:bob{i}@{b} SIP/2.0\r\nVia: SIP/2.0/UDP {a}:5060;branch=z9hG4bK{i}a\r\n"
           f"{common}To: <sip:bob{i}@{b}>;tag=t{i}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n")
    return [(a, b, invite), (b, a, ok), (a, b, ack)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--calls", type=int, required=True)
    p.add_argument("--rate", type=float, default=8000.0)
    args = p.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.monotonic()
    sent = 0
    for i in range(args.calls):
        for src, dst, text in messages(i):
            sock.sendto(hep3(src, dst, 5060, 5060, text.encode()), (args.host, args.port))
            sent += 1
        ahead = sent / args.rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    print(f"sent {sent} HEP packets, {args.calls} calls, in {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
