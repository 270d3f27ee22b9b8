#!/bin/sh
# record-sipp.sh [OUTDIR] - record the project's SIP call captures from real
# sipp UAC/UAS pairs talking in two network namespaces made here
# (tg-media-uac 198.18.20.1 / fd00:198:18:20::1, tg-media-uas 198.18.20.2 /
# fd00:198:18:20::2, one veth pair). The TCP capture runs last, with the
# veth MTU lowered to 600 so its large INVITE spans several segments (IPv6
# needs an MTU of at least 1280, so the IPv6 call is recorded before that).
# tcpdump runs in the UAS namespace. Every sipp run is
# bounded by a call count (-m) and by timeout(1); the namespaces are deleted
# on exit, whatever happens.
#
# Writes OUTDIR/NAME.pcap and OUTDIR/NAME.calls.txt (what sipp's own
# statistics say: calls created, successful, failed, call length; and the
# per-call times tshark reads back from the capture) for
#   sipp-answered sipp-busy sipp-notfound sipp-cancel sipp-tcp-large
#   sipp-ipv6 demo
# OUTDIR defaults to pcaps/; ONLY="sipp-cancel demo" records some of them,
# KEEP=1 keeps the sipp logs. Needs root, sipp, tcpdump, iproute2, python3.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$TOP/pcaps}
SC=$TOP/tests/tools/sipp
NS1=tg-media-uac NS2=tg-media-uas
IF1=tg-media-a IF2=tg-media-b
A4=198.18.20.1 B4=198.18.20.2 A6=fd00:198:18:20::1 B6=fd00:198:18:20::2
MTU=1500
SMALL_MTU=600
WORK=$(mktemp -d)
FAILED=""

if [ "$(id -u)" != 0 ]; then
    echo "record-sipp.sh: needs root (network namespaces)" >&2; exit 2
fi
for t in sipp tcpdump ip python3; do
    command -v $t >/dev/null 2>&1 || { echo "record-sipp.sh: $t not found" >&2; exit 2; }
done

cleanup() {
    ip netns del $NS1 2>/dev/null
    ip netns del $NS2 2>/dev/null
    [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

setup() {
    ip netns del $NS1 2>/dev/null; ip netns del $NS2 2>/dev/null
    ip netns add $NS1 && ip netns add $NS2 &&
    ip link add $IF1 netns $NS1 type veth peer name $IF2 netns $NS2 &&
    for n in "$NS1 $IF1 $A4 $A6" "$NS2 $IF2 $B4 $B6"; do
        set -- $n
        ip -n "$1" link set lo up &&
        ip -n "$1" link set "$2" mtu $MTU &&
        # one segment per packet on the wire (no TSO/GSO super-packets)
        ip -n "$1" link set "$2" gso_max_size $MTU gso_max_segs 1 2>/dev/null
        ip -n "$1" addr add "$3/24" dev "$2" &&
        ip -n "$1" -6 addr add "$4/64" dev "$2" nodad &&
        ip -n "$1" link set "$2" up || return 1
    done
    # sipp's RTP pcap player and the SIP sockets need the peers resolved at once
    ip netns exec $NS1 ping -c 1 -W 2 $B4 >/dev/null 2>&1
    ip netns exec $NS1 ping -6 -c 1 -W 2 $B6 >/dev/null 2>&1
    return 0
}

# sipp_csv_summary CSV ROLE - the last statistics line of a -trace_stat CSV
# as "ROLE: calls=N successful=N failed=N call_length=H:M:S:ms".
sipp_csv_summary() {
    python3 - "$1" "$2" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=";"))
head, last = rows[0], rows[-1]
v = dict(zip(head, last))
print(f"{sys.argv[2]}: calls={v.get('TotalCallCreated')} successful={v.get('SuccessfulCall(C)')} "
      f"failed={v.get('FailedCall(C)')} call_length={v.get('CallLength(C)')} "
      f"response_time={v.get('ResponseTime1(C)')}")
EOF
}

# start_capture FILE - tcpdump on the UAS side, UDP and TCP only (no ND/ARP).
start_capture() {
    ip netns exec $NS2 timeout -s INT 120 tcpdump --immediate-mode -i $IF2 -s 0 -U -w "$1" 'udp or tcp' >"$WORK/tcpdump.log" 2>&1 &
    CAP_PID=$!
    sleep 1
}

stop_capture() {
    sleep 1
    kill -INT $CAP_PID 2>/dev/null
    wait $CAP_PID 2>/dev/null
}

# uas NAME XML PORT CALLS EXTRA... - start a UAS in the background.
uas() {
    name=$1 xml=$2 port=$3 calls=$4; shift 4
    (cd "$SC" && ip netns exec $NS2 timeout 60 sipp -nostdin -sf "$xml" -p "$port" -m "$calls" \
        -trace_stat -stf "$WORK/$name-uas.csv" -fd 1 -trace_err -error_file "$WORK/$name-uas.err" "$@" \
        >"$WORK/$name-uas.out" 2>&1) &
    echo $! >>"$WORK/uas.pids"
}

# uac NAME XML TARGET CALLS EXTRA... - run a UAC to completion.
uac() {
    name=$1 xml=$2 target=$3 calls=$4; shift 4
    (cd "$SC" && ip netns exec $NS1 timeout 60 sipp -nostdin -sf "$xml" "$target" -m "$calls" -l 1 \
        -trace_stat -stf "$WORK/$name-uac.csv" -fd 1 -trace_err -error_file "$WORK/$name-uac.err" "$@" \
        >"$WORK/$name-uac.out" 2>&1)
    rc=$?
    echo "  uac $name exit $rc"
    [ $rc = 0 ] || FAILED="$FAILED $name"
}

wait_uas() {
    for p in $(cat "$WORK/uas.pids" 2>/dev/null); do wait "$p" 2>/dev/null; done
    rm -f "$WORK/uas.pids"
}

# record NAME TRANSPORT DESCRIPTION -- then "uas ..." and "uac ..." lines run by the caller
finish() {
    name=$1 desc=$2; shift 2
    wait_uas
    stop_capture
    cp "$WORK/$name.pcap" "$OUT/$name.pcap"
    {
        echo "# $name.pcap: $desc"
        echo "# Recorded by tests/tools/record-sipp.sh with SIPp $(sipp -v 2>&1 | sed -n 's/.*SIPp v\([^ -]*\).*/\1/p' | head -1)"
        echo "# (UAC in $NS1, UAS in $NS2). Lines below: sipp's own -trace_stat"
        echo "# statistics at the end of each run (calls created, successful and failed"
        echo "# scenario runs, average call length hh:mm:ss:microseconds, average response time),"
        echo "# then the calls as the scenarios define them, then what tshark reads"
        echo "# back from the capture (tests/tools/calls-from-pcap.py): per-call times."
        for csv in "$WORK"/$name-*.csv; do
            [ -f "$csv" ] || continue
            role=$(basename "$csv" .csv | sed "s/^$name-//")
            sipp_csv_summary "$csv" "$role"
        done
        for l in "$@"; do echo "$l"; done
        python3 "$TOP/tests/tools/calls-from-pcap.py" "$OUT/$name.pcap"
    } >"$OUT/$name.calls.txt"
    echo "wrote $OUT/$name.pcap ($(wc -c <"$OUT/$name.pcap") bytes)"
}

# want NAME - whether NAME is recorded in this run (ONLY="a b" picks some).
want() {
    [ -z "${ONLY:-}" ] && return 0
    case " $ONLY " in *" $1 "*) return 0 ;; esac
    return 1
}

mkdir -p "$OUT"
setup || { echo "record-sipp.sh: namespace setup failed" >&2; exit 1; }

if want sipp-answered; then
    echo "== sipp-answered"
    start_capture "$WORK/sipp-answered.pcap"
    uas sipp-answered uas-answer.xml 5060 1 -i $B4 -mp 6000 -rtp_echo
    sleep 0.5
    uac sipp-answered uac-answered.xml $B4:5060 1 -i $A4 -p 5061 -mp 7000
    finish sipp-answered "one answered call over UDP/IPv4 with 2 s of G.711 A-law RTP, echoed back" \
        "call 1: caller sip:alice@$A4:5061 callee sip:bob@$B4:5060 transport=udp status=200 outcome=answered" \
        "call 1: RTP $A4 -> $B4:6000 PCMA (100 packets from g711a-2s.pcap), echoed by the UAS (-rtp_echo)" \
        "call 1: talk time = ACK to BYE: 2100 ms scenario pause (the pcap play starts at ACK)"
fi

if want sipp-busy; then
    echo "== sipp-busy"
    start_capture "$WORK/sipp-busy.pcap"
    uas sipp-busy uas-busy.xml 5060 2 -i $B4
    sleep 0.5
    uac sipp-busy uac-busy.xml $B4:5060 2 -i $A4 -p 5061
    finish sipp-busy "two calls over UDP/IPv4 rejected with 486 Busy Here" \
        "call 1: caller sip:alice@$A4:5061 callee sip:busy@$B4:5060 transport=udp status=486 outcome=busy" \
        "call 2: caller sip:alice@$A4:5061 callee sip:busy@$B4:5060 transport=udp status=486 outcome=busy"
fi

if want sipp-notfound; then
    echo "== sipp-notfound"
    start_capture "$WORK/sipp-notfound.pcap"
    uas sipp-notfound uas-notfound.xml 5060 2 -i $B4
    sleep 0.5
    uac sipp-notfound uac-notfound.xml $B4:5060 2 -i $A4 -p 5061
    finish sipp-notfound "two calls over UDP/IPv4 rejected with 404 Not Found" \
        "call 1: caller sip:alice@$A4:5061 callee sip:nobody@$B4:5060 transport=udp status=404 outcome=rejected" \
        "call 2: caller sip:alice@$A4:5061 callee sip:nobody@$B4:5060 transport=udp status=404 outcome=rejected"
fi

if want sipp-cancel; then
    echo "== sipp-cancel"
    start_capture "$WORK/sipp-cancel.pcap"
    uas sipp-cancel uas-cancel.xml 5060 1 -i $B4
    sleep 0.5
    uac sipp-cancel uac-cancel.xml $B4:5060 1 -i $A4 -p 5061
    finish sipp-cancel "one call over UDP/IPv4 cancelled by the caller 800 ms after 180 Ringing" \
        "call 1: caller sip:alice@$A4:5061 callee sip:bob@$B4:5060 transport=udp status=487 outcome=cancelled"
fi

if want sipp-ipv6; then
    echo "== sipp-ipv6"
    start_capture "$WORK/sipp-ipv6.pcap"
    uas sipp-ipv6 uas-answer.xml 5060 1 -i $B6 -mp 6000 -rtp_echo
    sleep 0.5
    uac sipp-ipv6 uac-answered-v6.xml "[$B6]:5060" 1 -i $A6 -p 5061 -mp 7000
    finish sipp-ipv6 "one answered call over UDP/IPv6 with G.711 A-law RTP, echoed back" \
        "call 1: caller sip:alice@[$A6]:5061 callee sip:bob@[$B6]:5060 transport=udp status=200 outcome=answered" \
        "call 1: talk time = ACK to BYE: 2100 ms scenario pause"
fi

if want demo; then
    echo "== demo"
    start_capture "$WORK/demo.pcap"
    uas demo uas-answer.xml 5060 2 -i $B4 -mp 6000 -rtp_echo
    uas demo-busy uas-busy.xml 5062 1 -i $B4 -mp 6100
    uas demo-options uas-options.xml 5064 40 -i $B4 -mp 6200
    sleep 0.5
    uac demo uac-answered.xml $B4:5060 2 -i $A4 -p 5061 -mp 7000
    uac demo-busy uac-busy.xml $B4:5062 1 -i $A4 -p 5063
    uac demo-options uac-options.xml $B4:5064 40 -i $A4 -p 5065 -r 40 -l 40
    finish demo "demo: two answered calls with RTP, one busy call, a burst of 40 OPTIONS from a scanner-like client" \
        "calls 1-2: caller sip:alice@$A4:5061 callee sip:bob@$B4:5060 transport=udp status=200 outcome=answered (2100 ms talk, RTP echoed)" \
        "call 3: caller sip:alice@$A4:5063 callee sip:busy@$B4:5062 transport=udp status=486 outcome=busy" \
        "OPTIONS: 40 requests from $A4:5065 to $B4:5064 (User-Agent friendly-scanner), 40 x 200 OK; not calls"
    # the per-role demo CSVs are named demo-*, so finish() above picked them all up
fi

if want sipp-tcp-large; then
    echo "== sipp-tcp-large"
    for n in "$NS1 $IF1" "$NS2 $IF2"; do
        set -- $n
        ip -n "$1" link set "$2" mtu $SMALL_MTU && ip -n "$1" link set "$2" gso_max_size $SMALL_MTU
    done
    start_capture "$WORK/sipp-tcp-large.pcap"
    uas sipp-tcp-large uas-answer.xml 5060 1 -i $B4 -t t1
    sleep 0.5
    uac sipp-tcp-large uac-tcp-large.xml $B4:5060 1 -i $A4 -p 5061 -t t1
    finish sipp-tcp-large "one answered call over TCP/IPv4, INVITE of about 2 kB over several segments (MTU $SMALL_MTU), no RTP sent" \
        "call 1: caller sip:alice@$A4:5061 callee sip:bob@$B4:5060 transport=tcp status=200 outcome=answered" \
        "call 1: talk time = ACK to BYE: 1000 ms scenario pause"
fi
if [ -n "$FAILED" ]; then
    echo "record-sipp.sh: sipp runs failed:$FAILED (KEEP=1 keeps their logs)" >&2
    exit 1
fi
exit 0
