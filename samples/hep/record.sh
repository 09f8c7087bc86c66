#!/usr/bin/env bash
# Records a real HEP sender on loopback: sngrep reads samples/basic.pcap and sends every SIP
# message it finds as HEP v3 (`sngrep -I basic.pcap -H udp:127.0.0.1:9060 -N -q`, see
# `man sngrep`); tcpdump records the HEP datagrams into samples/hep/sngrep_hep3.pcap.
#
# The truth is samples/basic.truth.json's calls unchanged: the HEP chunks carry the original
# addresses, ports and capture times (sngrep writes the pcap frame's tv_sec/tv_usec into
# chunks 9/10), so sipscope must rebuild exactly the same calls. RTP is not in the truth:
# sngrep sends SIP only. packets = HEP datagrams = basic's 56 SIP messages.
#
# A UDP receiver must listen on 127.0.0.1:9060 while sngrep sends: sngrep's HEP socket is a
# connected UDP socket, so without a receiver each datagram draws an ICMP port-unreachable
# and the NEXT send fails with ECONNREFUSED: exactly every other message is lost (seen with
# sngrep 1.6.0: 28 of 56).
#
# Before writing anything the capture is checked without sipscope (Python HEP3 parser):
# one HEP datagram per SIP message of basic.pcap (tshark), in order, each with the
# original frame's time in chunks 9/10, its UDP ports in chunks 7/8 and its UDP payload
# byte for byte in chunk 15.
#
# usage: sudo samples/hep/record.sh   (needs root for tcpdump -i lo; sngrep, tshark)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_pcap="$here/../basic.pcap"
source_truth="$here/../basic.truth.json"
out="$here/sngrep_hep3.pcap"
truth="$here/sngrep_hep3.truth.json"
state="${TMPDIR:-/tmp}/sipscope-hep-record"
port=9060

for tool in sngrep tcpdump tshark python3 timeout; do
  command -v "$tool" >/dev/null || { echo "record.sh: $tool not installed" >&2; exit 2; }
done
[[ -f "$source_pcap" ]] || { echo "record.sh: $source_pcap missing" >&2; exit 2; }

# Stop what a previous (interrupted) run left behind: only the pids it recorded.
if [[ -f "$state/pids" ]]; then
  while read -r pid; do kill -INT "$pid" 2>/dev/null || true; done <"$state/pids"
  sleep 1
fi
rm -rf "$state"
mkdir -p "$state"

if ss -lun 2>/dev/null | awk '{print $4}' | grep -Eq "127\.0\.0\.1:$port$|\*:$port$|0\.0\.0\.0:$port$"; then
  echo "record.sh: UDP port $port already in use on loopback" >&2
  exit 2
fi

tcpdump_pid=""
sink_pid=""
cleanup() {
  for pid in $sink_pid $tcpdump_pid; do kill -INT "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# The receiver (see above): reads and discards for at most 60 s.
timeout 60 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', $port))
while True:
    s.recv(65535)
" 2>/dev/null &
sink_pid=$!
echo "$sink_pid" >>"$state/pids"

raw="$state/capture.pcap"
timeout -s INT 60 tcpdump -i lo -U -n -w "$raw" "udp and dst port $port" 2>"$state/tcpdump.log" &
tcpdump_pid=$!
echo "$tcpdump_pid" >>"$state/pids"
for _ in $(seq 50); do
  grep -q "listening on" "$state/tcpdump.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "listening on" "$state/tcpdump.log" || { echo "record.sh: tcpdump did not start:" >&2; cat "$state/tcpdump.log" >&2; exit 2; }

for _ in $(seq 100); do
  ss -lun 2>/dev/null | grep -q "127.0.0.1:$port " && break
  sleep 0.1
done
ss -lun 2>/dev/null | grep -q "127.0.0.1:$port " || { echo "record.sh: receiver on port $port did not start" >&2; exit 2; }
(cd "$state" && timeout 30 sngrep -I "$source_pcap" -H "udp:127.0.0.1:$port" -N -q >sngrep.log 2>&1)
sleep 1
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
tcpdump_pid=""
kill "$sink_pid" 2>/dev/null || true
wait "$sink_pid" 2>/dev/null || true
sink_pid=""
rm -f "$state/pids"

# Originals, from tshark: time, UDP ports and payload of every SIP frame of basic.pcap.
tshark -r "$source_pcap" -Y sip -T fields -e frame.time_epoch -e udp.srcport -e udp.dstport \
  -e udp.payload 2>/dev/null >"$state/original.tsv"

python3 - "$raw" "$state/original.tsv" "$source_truth" "$truth" <<'PY'
import json, struct, sys
raw, original_tsv, source_truth, truth_path = sys.argv[1:5]

def pcap_records(path):
    data = open(path, "rb").read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack_from(endian + "I", data, 20)[0]
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack_from(endian + "IIII", data, off)
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return link, out

def hep3(frame):
    assert frame[12:14] == b"\x08\x00", "not IPv4 over Ethernet"
    ihl = (frame[14] & 0x0F) * 4
    payload = frame[14 + ihl + 8:]
    assert payload[:4] == b"HEP3", "not HEP3"
    total = struct.unpack_from(">H", payload, 4)[0]
    chunks, i = {}, 6
    while i < total:
        vendor, ctype, length = struct.unpack_from(">HHH", payload, i)
        assert length >= 6
        if vendor == 0:
            chunks[ctype] = payload[i + 6:i + length]
        i += length
    return chunks

link, frames = pcap_records(raw)
originals = [line.rstrip("\n").split("\t") for line in open(original_tsv) if line.strip()]
if len(frames) != len(originals):
    sys.exit(f"record.sh: {len(frames)} HEP datagrams, basic.pcap has {len(originals)} SIP messages")
for n, (frame, (t, sport, dport, payload_hex)) in enumerate(zip(frames, originals), 1):
    c = hep3(frame)
    sec, usec = struct.unpack(">I", c[9])[0], struct.unpack(">I", c[10])[0]
    want_us = round(float(t) * 1e6)
    if sec * 1_000_000 + usec != want_us:
        sys.exit(f"record.sh: HEP packet {n}: time {sec}.{usec:06d} != original {t}")
    if struct.unpack(">H", c[7])[0] != int(sport) or struct.unpack(">H", c[8])[0] != int(dport):
        sys.exit(f"record.sh: HEP packet {n}: ports differ from the original")
    if c[2] != b"\x11" or c[11] != b"\x01":
        sys.exit(f"record.sh: HEP packet {n}: not UDP/SIP")
    if c[15] != bytes.fromhex(payload_hex.replace(":", "")):
        sys.exit(f"record.sh: HEP packet {n}: payload differs from the original")

src = json.load(open(source_truth))
truth = {
    "generator": "samples/hep/record.sh (sngrep -H HEP3 of samples/basic.pcap)",
    "scenario": "sngrep_hep3", "seed": None, "link_type": link, "wire": {"hep": 3},
    "packets": len(frames), "sip_messages": src["sip_messages"],
    "non_call_sip_messages": src["non_call_sip_messages"],
    "calls": src["calls"], "rtp_streams": [],
    "notes": ["Calls copied from samples/basic.truth.json: HEP keeps the original addresses, "
              "ports and capture times. No RTP: sngrep sends SIP only."],
}
with open(truth_path, "w") as f:
    json.dump(truth, f, indent=2)
    f.write("\n")
print(f"record.sh: {len(frames)} HEP3 datagrams match basic.pcap's SIP messages")
PY
cp "$raw" "$out"
echo "record.sh: wrote $out and $truth"
