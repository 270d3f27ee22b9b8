#!/bin/sh
# rule-reload.sh - SIGHUP reloads the rules of a running sensor without a gap:
# phase 1 rules alert on "AAA"; after the file changes and SIGHUP, only the
# new rule (on "BBB") fires; a broken file on the next SIGHUP keeps the rules
# in force. Runs tollgate sniff on the loopback of a private network
# namespace (root only; skips visibly otherwise). Bounded: 3 x 5 datagrams.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
TG="$TOP/$BUILD/tollgate"
case "$BUILD" in /*) TG="$BUILD/tollgate" ;; esac
pass=0 fail=0 skip=0
finish() { echo "$pass passed, $fail failed, $skip skipped"; [ "$fail" = 0 ]; exit $?; }
check() { if [ "$2" = "$3" ]; then echo "ok   $1"; pass=$((pass + 1)); else echo "FAIL $1: expected '$3', got '$2'"; fail=$((fail + 1)); fi; }
if [ "$(id -u)" != 0 ]; then echo "SKIP rule-reload: needs root (network namespace, capture)"; skip=1; finish; fi
ns="tg-hup-$$"
tmp=$(mktemp -d)
cleanup() { [ -n "$tpid" ] && kill "$tpid" 2>/dev/null; ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
if ! ip netns add "$ns" 2>/dev/null; then echo "SKIP rule-reload: ip netns unavailable"; skip=1; finish; fi
ip -n "$ns" link set lo up
send() { # payload
    ip netns exec "$ns" timeout 5 python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b'$1 %d' % i, ('127.0.0.1', 45999)); time.sleep(0.02)
"
}
echo 'alert udp any any -> any 45999 (msg:"phase one"; content:"AAA"; sid:9990001; rev:1;)' >"$tmp/r.rules"
# No timeout(1) in between: it forwards only the first SIGHUP. A watchdog
# bounds the run instead.
ip netns exec "$ns" "$TG" sniff -i lo -f "udp port 45999" -S "$tmp/r.rules" -l "$tmp/log" \
    --set flow.timeout=600 2>"$tmp/err" &
tpid=$!
(sleep 30; kill "$tpid" 2>/dev/null) &
wpid=$!
sleep 1.5
send AAA
sleep 0.5
echo 'alert udp any any -> any 45999 (msg:"phase two"; content:"BBB"; sid:9990002; rev:1;)' >"$tmp/r.rules"
kill -HUP $tpid
sleep 0.3
send AAA
send BBB
sleep 0.5
echo 'alert udp any any -> any 45999 (msg:"broken"; content:"CCC"; sid:9990003; nosuchkeyword;)' >"$tmp/r.rules"
kill -HUP $tpid
sleep 0.3
send BBB
sleep 0.5
kill -TERM $tpid
wait $tpid
rc=$?
tpid=""
kill "$wpid" 2>/dev/null
check "sniff exits 0 after SIGTERM" "$rc" 0
a1=$(grep -c '"signature_id":9990001' "$tmp/log/eve.json")
a2=$(grep -c '"signature_id":9990002' "$tmp/log/eve.json")
a3=$(grep -c '"signature_id":9990003' "$tmp/log/eve.json")
check "phase one rule fired only before the reload" "$a1" 5
check "phase two rule fired after the reload, and kept after a failed one" "$a2" 10
check "broken rule file never loaded" "$a3" 0
check "one failed reload reported" "$(grep -c 'rule reload failed' "$tmp/err")" 1
check "reload counters" "$(grep -o '"reloads":[0-9]*,"reload_failures":[0-9]*' "$tmp/log/eve.json")" '"reloads":2,"reload_failures":1'
finish
