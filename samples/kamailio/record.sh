#!/usr/bin/env bash
# Records real calls through a real SIP proxy: SIPp caller -> Kamailio 5.6 (stateful,
# record-routing, samples/kamailio/proxy.cfg) -> SIPp callee, on loopback, into
#   samples/kamailio/proxy_udp.pcap   UDP over IPv4: caller 127.0.0.10, proxy 127.0.0.1:5060,
#                                     callee 127.0.0.20:5062 (distinct loopback addresses,
#                                     so caller_ip / callee_ip are not the proxy's)
#   samples/kamailio/proxy_tcp.pcap   the same over TCP (SIPp -t t1, Kamailio's own
#                                     connection to the callee)
#   samples/kamailio/proxy_ipv6.pcap  the same over UDP on ::1 (ports tell the parties apart)
# with a X.truth.json beside each (samples/kamailio/truth.py: state, final code, hang-up
# side, users and per-call message counts from the scenario definitions; timings measured
# by tshark with the caller-side rule), then cross-checks each with samples/check_sample.py.
#
# One SIPp caller/callee pair per call, run one after the other (XML beside this script):
#   1 answered    uac_answered / uas_answered       answered, caller hangs up
#   2 callee_bye  uac_callee_bye / uas_callee_bye   answered, callee hangs up
#   3 busy        uac_busy / uas_busy               180, then 486
#   4 cancel      uac_cancel / uas_cancel           180, caller CANCELs: 200, 487, ACK
#   5 reinvite    uac_reinvite / uas_reinvite       answered, re-INVITE hold (sendonly),
#                                                   re-INVITE resume (sendrecv), caller BYE
#   6 early_media uac_early_media / uas_early_media 183 with SDP, 200, callee hangs up
#   7 auth        uac_auth / uas_answered           carol: 407 from the proxy, ACK, INVITE with
#                                                   Proxy-Authorization, answered, caller BYE
#   8 timeout     uac_timeout / uas_cancel          dave: 180, the proxy's 1.5 s ring timeout
#                                                   CANCELs the callee (200, 487, ACK) and
#                                                   answers 408 to the caller
#   9 cancel_early uac_cancel_early / uas_cancel_early  CANCEL after the 100, before any 18x
#  10 late_ack    uac_late_ack / uas_late_ack       no 100 from the callee; the caller ACKs 800 ms
#                                                   after the 200, so the callee's 200 is
#                                                   retransmitted once (both hops)
#  11 overlap     uac_answered / uas_answered x 3   three calls 200 ms apart (one SIPp pair,
#                                                   -m 3 -r 5), overlapping; Call-IDs ...-overlap-N
#  12 callee_hold uac_callee_hold / uas_callee_hold the callee re-INVITEs with c= 0.0.0.0 (:: over
#                                                   IPv6) then its address again, caller BYE
#  13 fork        uac_fork / uas_answered + uas_cancel  INVITE to team@: Kamailio forks to two
#                                                   phones (127.0.0.20 and .21:5062, or [::1]:5062
#                                                   and :5063); both ring, the first answers, tm
#                                                   CANCELs the second (200, 487, ACK)
#   + register    uac_register                      REGISTER, 401, REGISTER + credentials, 200,
#                                                   then unregister (Expires: 0), 200
#   + register_bad uac_register_bad                 REGISTER, 401, REGISTER + wrong password, 403
#                                                   (registrations answered by Kamailio itself)
# Caller n uses local port 5070+n (5084 and 5085 for the REGISTERs), so no TCP connection
# reuses a port left in TIME_WAIT by the previous call. Call-IDs: kam-VARIANT-NAME@atlanta.example.com.
# The [$caller]/[$callee] values captured by <ereg> keep the space after the colon, hence
# "From:[$callee]" in the callees' own requests.
#
# usage: sudo samples/kamailio/record.sh [udp|tcp|ipv6 ...]   (default all three)
# Needs root (tcpdump -i lo), `apt-get install kamailio sip-tester tcpdump tshark`.
# Re-runnable: leftovers of a previous run (pids in $state) are stopped first; every
# process runs under a timeout. CI never re-records; it only reads the captures.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../sipp_record.sh"
variants=("$@")
[[ ${#variants[@]} -gt 0 ]] || variants=(udp tcp ipv6)
state="${TMPDIR:-/tmp}/sipscope-kamailio-record"
scenarios=(answered callee_bye busy cancel reinvite early_media auth timeout cancel_early late_ack
  overlap callee_hold fork)
# Scenario files when not uac_NAME / uas_NAME, and calls per pair when not 1.
declare -A caller=([overlap]=answered)
declare -A callee=([auth]=answered [timeout]=cancel [overlap]=answered [fork]=answered)
declare -A second_callee=([fork]=cancel)  # the forked call's other phone
declare -A calls=([overlap]=3)

rec_require kamailio sipp tcpdump tshark python3 timeout ss
rec_begin
kamailio_pid=""
uas2_pid=""
kill_all() {
  rec_kill_all
  [[ -z "$uas2_pid" ]] || kill -INT "$uas2_pid" 2>/dev/null || true
  [[ -z "$kamailio_pid" ]] || kill -INT "$kamailio_pid" 2>/dev/null || true
}
trap kill_all EXIT

if ss -lunt | awk '{print $5}' | grep -Eq '(127\.0\.0\.[0-9]+|\[::1\]|\*|0\.0\.0\.0|\[::\]):(5060|5062|5063|(507[1-9]|508[0-5]))$'; then
  echo "record.sh: port 5060, 5062, 5063 or 5071-5085 already in use" >&2
  exit 2
fi

# Kamailio in the foreground (-DD: no daemon, -E: log to stderr), stopped by timeout at
# the latest. The callee's IPv4 address is a define of proxy.cfg.
timeout -s INT 600 kamailio -DD -E -f "$here/proxy.cfg" -A 'UAS_V4="127.0.0.20"' \
  -A 'UAS2_V4="127.0.0.21"' -P "$state/kamailio.pid" >"$state/kamailio.log" 2>&1 &
kamailio_pid=$!
echo "$kamailio_pid" >>"$state/pids"
for _ in $(seq 50); do
  ss -lnt | grep -q '\[::1\]:5060 ' && ss -lun | grep -q '127.0.0.1:5060 ' && break
  sleep 0.1
done
ss -lun | grep -q '127.0.0.1:5060 ' ||
  { echo "record.sh: kamailio did not start:" >&2; cat "$state/kamailio.log" >&2; exit 2; }

# run_pair VARIANT N NAME: the callee, then the caller (foreground), both exec'd by a
# subshell so their pids are SIPp's own.
run_pair() {
  local variant=$1 n=$2 name=$3 uac_ip uas_ip uas2 proxy t uac_rc=0 uas_rc=0 pid m=${calls[$3]:-1} hold
  case $variant in
    udp) uac_ip=127.0.0.10 uas_ip=127.0.0.20 uas2='-i 127.0.0.21 -p 5062' proxy=127.0.0.1:5060 t=u1 ;;
    tcp) uac_ip=127.0.0.10 uas_ip=127.0.0.20 uas2='-i 127.0.0.21 -p 5062' proxy=127.0.0.1:5060 t=t1 ;;
    ipv6) uac_ip=::1 uas_ip=::1 uas2='-i ::1 -p 5063' proxy='[::1]:5060' t=u1 ;;
  esac
  hold=0.0.0.0
  [[ $variant != ipv6 ]] || hold=::
  if [[ $name != register* ]]; then
    (exec timeout -s INT 60 sipp -sf "$here/uas_${callee[$name]:-$name}.xml" -t $t -i $uas_ip -p 5062 -m $m \
      -key hold_addr $hold -nostdin -timeout 30s -timeout_error >"$state/$variant-uas-$name.log" 2>&1) &
    uas_pid=$!
    echo "$uas_pid" >>"$state/pids"
  fi
  if [[ -n "${second_callee[$name]:-}" ]]; then
    (exec timeout -s INT 60 sipp -sf "$here/uas_${second_callee[$name]}.xml" -t $t $uas2 -m 1 \
      -nostdin -timeout 30s -timeout_error >"$state/$variant-uas2-$name.log" 2>&1) &
    uas2_pid=$!
    echo "$uas2_pid" >>"$state/pids"
  fi
  [[ $name == register* ]] || sleep 0.3
  # -r 5: several calls of one pair start 200 ms apart (Call-IDs ...-NAME-N@...).
  (exec timeout -s INT 60 sipp -sf "$here/uac_${caller[$name]:-$name}.xml" "$proxy" -t $t -i $uac_ip \
    -p $((5070 + n)) -m $m -r 5 -nostdin -timeout 30s -timeout_error \
    -cid_str "kam-$variant-$name$([[ $m -eq 1 ]] || echo -%u)@atlanta.example.com" \
    >"$state/$variant-uac-$name.log" 2>&1) &
  pid=$!
  echo "$pid" >>"$state/pids"
  wait "$pid" || uac_rc=$?
  if [[ -n "$uas_pid" ]]; then
    wait "$uas_pid" || uas_rc=$?
    uas_pid=""
  fi
  if [[ -n "$uas2_pid" ]]; then
    wait "$uas2_pid" || uas_rc=$?
    uas2_pid=""
  fi
  if [[ $uac_rc -ne 0 || $uas_rc -ne 0 ]]; then
    echo "record.sh: $variant $name: sipp failed (uac exit $uac_rc, uas exit $uas_rc); logs in $state" >&2
    exit 1
  fi
}

checks=()
for variant in "${variants[@]}"; do
  case $variant in
    udp | ipv6) proto=udp ;;
    tcp) proto=tcp ;;
    *) echo "record.sh: unknown variant $variant (udp, tcp, ipv6)" >&2; exit 2 ;;
  esac
  rm -f "$raw"
  rec_start_tcpdump tcpdump -i lo "$proto and (port 5060 or portrange 5062-5063 or portrange 5071-5085)"
  n=0
  for name in "${scenarios[@]}"; do
    n=$((n + 1))
    run_pair "$variant" $n "$name"
    sleep 0.3
  done
  run_pair "$variant" 14 register
  run_pair "$variant" 15 register_bad
  sleep 0.5
  kill -INT "$tcpdump_pid"
  wait "$tcpdump_pid" || true
  tcpdump_pid=""
  out="$here/proxy_$variant.pcap"
  cp "$raw" "$out"
  python3 "$here/truth.py" "$variant" "$out" "${out%.pcap}.truth.json"
  checks+=("$out" "${out%.pcap}.truth.json")
done
kill -INT "$kamailio_pid"
wait "$kamailio_pid" || true
kamailio_pid=""
rm -f "$state/pids"
python3 "$here/../check_sample.py" "${checks[@]}" 2> >(grep -v 'Running as user' >&2)
