#!/bin/sh
# inline-netns.sh - tollgate inline on NFQUEUE in a router namespace between
# two hosts: every datagram the sender sends must reach the receiver
# (accept verdicts, fail-open queue) and be logged as one flow. Needs root,
# ip netns and iptables; skips visibly otherwise. Addresses: 198.18.30/24
# and 198.18.31/24; bounded by count and timeouts; namespaces deleted on exit.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
TG="$TOP/$BUILD/tollgate"
case "$BUILD" in /*) TG="$BUILD/tollgate" ;; esac
pass=0 fail=0 skip=0
finish() { echo "$pass passed, $fail failed, $skip skipped"; [ "$fail" = 0 ]; exit $?; }
if [ "$(id -u)" != 0 ]; then
    echo "SKIP inline-netns: needs root (network namespaces, NFQUEUE)"; skip=1; finish
fi
if ! command -v iptables >/dev/null || ! ip netns list >/dev/null 2>&1; then
    echo "SKIP inline-netns: iptables or ip netns unavailable"; skip=1; finish
fi
ns="tg-inl-$$"
tmp=$(mktemp -d)
cleanup() {
    for n in a r b; do ip netns del "$ns-$n" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
for n in a r b; do ip netns add "$ns-$n" || { echo "FAIL inline-netns: ip netns add"; fail=1; finish; }; done
ip link add tgv-a$$ type veth peer name tgv-ra$$ netns "$ns-r"
ip link set tgv-a$$ netns "$ns-a"
ip link add tgv-b$$ type veth peer name tgv-rb$$ netns "$ns-r"
ip link set tgv-b$$ netns "$ns-b"
ip -n "$ns-a" addr add 198.18.30.1/24 dev tgv-a$$ && ip -n "$ns-a" link set tgv-a$$ up
ip -n "$ns-b" addr add 198.18.31.1/24 dev tgv-b$$ && ip -n "$ns-b" link set tgv-b$$ up
ip -n "$ns-r" addr add 198.18.30.254/24 dev tgv-ra$$ && ip -n "$ns-r" link set tgv-ra$$ up
ip -n "$ns-r" addr add 198.18.31.254/24 dev tgv-rb$$ && ip -n "$ns-r" link set tgv-rb$$ up
ip -n "$ns-a" route add default via 198.18.30.254
ip -n "$ns-b" route add default via 198.18.31.254
ip netns exec "$ns-r" sysctl -qw net.ipv4.ip_forward=1
if ! ip netns exec "$ns-r" iptables -A FORWARD -p udp -j NFQUEUE --queue-num 7 2>"$tmp/ipt"; then
    echo "SKIP inline-netns: iptables NFQUEUE target unavailable ($(head -1 "$tmp/ipt"))"; skip=1; finish
fi
N=10
# Receiver: counts datagrams for at most 10 s.
ip netns exec "$ns-b" timeout 12 python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('198.18.31.1', 5060)); s.settimeout(10)
n = 0
try:
    while n < $N:
        s.recvfrom(2048); n += 1
except socket.timeout:
    pass
open('$tmp/received', 'w').write(str(n))
" &
rpid=$!
ip netns exec "$ns-r" timeout 15 "$TG" inline -q 7 -n $N -l "$tmp/log" --quiet 2>"$tmp/err" &
tpid=$!
sleep 1
ip netns exec "$ns-a" timeout 5 python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('198.18.30.1', 40000))
for i in range($N):
    s.sendto(b'OPTIONS sip:x@198.18.31.1 SIP/2.0\r\n\r\n', ('198.18.31.1', 5060)); time.sleep(0.02)
"
wait $rpid
wait $tpid
trc=$?
got=$(cat "$tmp/received" 2>/dev/null)
if [ "$got" = "$N" ]; then echo "ok   inline-netns: $N/$N datagrams forwarded"; pass=$((pass + 1))
else echo "FAIL inline-netns: receiver got ${got:-0}/$N datagrams"; fail=$((fail + 1)); fi
if [ "$trc" = 0 ]; then echo "ok   inline-netns: tollgate inline exited 0"; pass=$((pass + 1))
else echo "FAIL inline-netns: tollgate inline exit $trc: $(cat "$tmp/err")"; fail=$((fail + 1)); fi
flow=$(python3 "$TOP/tests/summary.py" "$tmp/log" 2>/dev/null | grep '^flow ')
want="flow UDP 198.18.30.1:40000 -> 198.18.31.1:5060 app=* pkts=$N/0 *"
case "$flow" in
$want) echo "ok   inline-netns: flow logged"; pass=$((pass + 1)) ;;
*) echo "FAIL inline-netns: expected '$want', got '$flow'"; fail=$((fail + 1)) ;;
esac
finish
