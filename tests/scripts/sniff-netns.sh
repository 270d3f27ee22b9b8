#!/bin/sh
# sniff-netns.sh - live capture end to end, as root, in two network
# namespaces joined by a veth pair (198.18.10.1/24 <-> 198.18.10.2/24):
# `tollgate sniff` in tg-cap-a counts datagrams that tg-cap-b sends, stops
# after -n packets or cleanly on SIGTERM with a stats event, and reports a
# bad filter (exit 2) and a missing interface (exit 1). Every run is bounded
# by timeout; the namespaces are deleted on exit.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
TG="$(pwd)/$BUILD/tollgate"
NSA=tg-cap-a NSB=tg-cap-b VA=tg-cap-va VB=tg-cap-vb
IPA=198.18.10.1 IPB=198.18.10.2
pass=0 fail=0 skip=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
finish() {
    echo "$pass passed, $fail failed, $skip skipped"
    [ "$fail" = 0 ]
    exit
}
CASES="sniff -n stops after N packets|SIGTERM stops sniff with stats|bad filter exits 2|missing interface exits 1"
skip_all() {
    IFS='|'
    for c in $CASES; do echo "SKIP $c: $1"; skip=$((skip + 1)); done
    unset IFS
    finish
}
[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces)"
command -v ip >/dev/null 2>&1 && ip netns list >/dev/null 2>&1 || skip_all "ip netns unavailable"
command -v python3 >/dev/null 2>&1 || skip_all "python3 missing"

tmp=$(mktemp -d)
cleanup() {
    [ -n "$tgpid" ] && kill "$tgpid" 2>/dev/null
    ip netns del $NSA 2>/dev/null
    ip netns del $NSB 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cleanup # leftovers of an interrupted run
tmp=$(mktemp -d)
if ! { ip netns add $NSA && ip netns add $NSB &&
    ip link add $VA netns $NSA type veth peer name $VB netns $NSB &&
    ip -n $NSA addr add $IPA/24 dev $VA && ip -n $NSB addr add $IPB/24 dev $VB &&
    ip -n $NSA link set $VA up && ip -n $NSB link set $VB up &&
    ip -n $NSA link set lo up && ip -n $NSB link set lo up; } 2>"$tmp/setup.err"; then
    skip_all "cannot build the namespaces: $(head -1 "$tmp/setup.err")"
fi

# Wait (at most 5 s) until tollgate's packet socket is open in $NSA (only
# it opens one there); a little more for the filter to be attached.
wait_socket() {
    i=0
    while [ $i -lt 50 ]; do
        ip netns exec $NSA ss -0 -p 2>/dev/null | grep -q '"tollgate"' && { sleep 0.3; return 0; }
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# send N: N UDP datagrams of 100 bytes from B:40000 to A:9999, 10 ms apart.
send() {
    ip netns exec $NSB timeout 10 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.10.2", 40000))
for i in range(int(sys.argv[1])):
    s.sendto(b"%-100d" % i, ("198.18.10.1", 9999))
    time.sleep(0.01)
' "$1"
}
summary() { python3 "$TOP/tests/summary.py" "$1"; }

# 1. -n 20 with a filter: exactly the 20 datagrams, then exit 0.
ip netns exec $NSA timeout 30 "$TG" sniff -q -l "$tmp/n" -i $VA -f "udp port 9999" -n 20 2>"$tmp/n.err" &
tgpid=$!
if wait_socket; then
    send 20
    wait $tgpid
    rc=$?
else
    rc=timeout
fi
tgpid=""
# 100 bytes payload + 8 UDP + 20 IP + 14 Ethernet = 142 bytes a frame.
want="flow UDP $IPB:40000 -> $IPA:9999 app=- pkts=20/0 bytes=2840/0 "
summary "$tmp/n" >"$tmp/n.sum" 2>&1
if [ "$rc" = 0 ] && grep -qF "$want" "$tmp/n.sum" && grep -qx 'stat capture.packets 20' "$tmp/n.sum" &&
    [ "$(grep -c '^flow ' "$tmp/n.sum")" = 1 ]; then
    ok "sniff -n stops after N packets"
else
    bad "sniff -n stops after N packets" "rc=$rc $(cat "$tmp/n.err"); $(tr '\n' ';' <"$tmp/n.sum")"
fi

# 2. no -n: runs until SIGTERM, then flushes flows and writes stats with the
# kernel counters; with stats.interval it wrote stats events while running,
# and the flow timed out on the idle link before the signal came.
ip netns exec $NSA timeout 30 "$TG" sniff -l "$tmp/t" -i $VA -f "udp" --set stats.interval=200ms \
    --set flow.timeout.udp.new=1s --set flow.timeout.udp.established=1s 2>"$tmp/t.err" &
tgpid=$!
if wait_socket; then
    send 5
    sleep 2.5 # the flow times out while the link is idle
    # $tgpid is timeout(1) (ip netns exec execs it); signal its child, tollgate.
    kill -TERM "$(pgrep -P $tgpid)"
    wait $tgpid
    rc=$?
else
    rc=timeout
fi
tgpid=""
# The last stats event is the final one; periodic ones (stats.interval) came
# before it while sniff ran for more than a second.
stats=$(python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
st = [e["stats"]["capture"] for e in ev if e["event_type"] == "stats"]
c = st[-1]
print(c["packets"], c["kernel_received"], c["kernel_drops"], "periodic" if len(st) >= 3 else "no-periodic")
' "$tmp/t/eve.json" 2>/dev/null)
summary "$tmp/t" >"$tmp/t.sum" 2>&1
if [ "$rc" = 0 ] && [ "$stats" = "5 5 0 periodic" ] &&
    grep -q 'sniff tg-cap-va stopped by SIGTERM: 5 packets, kernel received 5, dropped 0' "$tmp/t.err" &&
    grep -q "^flow UDP $IPB:40000 -> $IPA:9999 .*pkts=5/0" "$tmp/t.sum" &&
    grep '"event_type":"flow"' "$tmp/t/eve.json" | grep -q '"reason":"timeout"'; then
    ok "SIGTERM stops sniff with stats"
else
    bad "SIGTERM stops sniff with stats" "rc=$rc stats='$stats' $(tr '\n' ';' <"$tmp/t.err") $(grep '"flow"' "$tmp/t/eve.json")"
fi

# 3. a filter that does not compile is a usage error.
ip netns exec $NSA timeout 30 "$TG" sniff -q -l "$tmp/f" -i $VA -f "udp port banana" 2>"$tmp/f.err"
rc=$?
if [ "$rc" = 2 ] && grep -q "filter 'udp port banana'" "$tmp/f.err"; then
    ok "bad filter exits 2"
else
    bad "bad filter exits 2" "rc=$rc $(cat "$tmp/f.err")"
fi

# 4. an interface that does not exist (in this namespace) is a runtime error.
ip netns exec $NSA timeout 30 "$TG" sniff -q -l "$tmp/m" -i $VB 2>"$tmp/m.err"
rc=$?
if [ "$rc" = 1 ] && grep -q "interface $VB: No such device" "$tmp/m.err"; then
    ok "missing interface exits 1"
else
    bad "missing interface exits 1" "rc=$rc $(cat "$tmp/m.err")"
fi
finish
