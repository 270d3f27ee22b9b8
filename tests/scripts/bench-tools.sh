#!/bin/sh
# bench-tools.sh - keeps `make bench` honest without timing anything: the
# capture mkbigpcap writes is well formed (tshark finds no malformed packet
# and no bad checksum, and sees SIP, RTP, TCP and fragments), pcaploop counts
# what tshark counts, and bench.sh runs end to end on a small size.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
skip() { echo "SKIP $1: $2"; skip=$((skip + 1)); }

if ! "$BUILD/tools/mkbigpcap" "$tmp/b.pcap" 2 >"$tmp/mk.out"; then
    bad "mkbigpcap writes a capture" "$(cat "$tmp/mk.out")"
    echo "$pass passed, $fail failed, $skip skipped"
    exit 1
fi
ok "mkbigpcap writes a capture"
size=$(stat -c %s "$tmp/b.pcap")
[ "$size" -ge $((2 << 20)) ] && [ "$size" -lt $((3 << 20)) ] && ok "mkbigpcap size follows MB" ||
    bad "mkbigpcap size follows MB" "$size bytes"

"$BUILD/tools/mkbigpcap" "$tmp/b2.pcap" 2 >/dev/null
cmp -s "$tmp/b.pcap" "$tmp/b2.pcap" && ok "mkbigpcap is deterministic" || bad "mkbigpcap is deterministic"

n=$("$BUILD/tools/pcaploop" "$tmp/b.pcap" | cut -d' ' -f1)
if command -v tshark >/dev/null 2>&1; then
    t=$(tshark -r "$tmp/b.pcap" -T fields -e frame.number 2>/dev/null | wc -l)
    [ "$n" = "$t" ] && ok "pcaploop counts what tshark counts ($n)" || bad "pcaploop count" "$n vs tshark $t"
    tshark -r "$tmp/b.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
        -Y '_ws.malformed || ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0' \
        -T fields -e frame.number 2>/dev/null >"$tmp/badpk"
    [ -s "$tmp/badpk" ] && bad "no malformed packet or bad checksum" "frames $(head -5 "$tmp/badpk" | tr '\n' ' ')" ||
        ok "no malformed packet or bad checksum"
    tshark -r "$tmp/b.pcap" -q -z io,phs 2>/dev/null >"$tmp/phs"
    missing=""
    for proto in sip rtp tcp http; do grep -qE "^ +$proto " "$tmp/phs" || missing="$missing $proto"; done
    tshark -r "$tmp/b.pcap" -Y 'sdp.media.port' -T fields -e frame.number 2>/dev/null | grep -q . || missing="$missing sdp"
    tshark -r "$tmp/b.pcap" -Y 'ip.flags.mf == 1' -T fields -e frame.number 2>/dev/null | grep -q . || missing="$missing fragments"
    [ -z "$missing" ] && ok "SIP with SDP, RTP, TCP with HTTP, fragments present" || bad "protocol mix" "missing:$missing"
else
    skip "pcaploop counts what tshark counts" "tshark not installed"
    skip "no malformed packet or bad checksum" "tshark not installed"
    skip "SIP with SDP, RTP, TCP with HTTP, fragments present" "tshark not installed"
fi

"$BUILD/tools/mkbigpcap" --flows 1000 "$tmp/f.pcap" >/dev/null
"$BUILD/tollgate" analyze -q -l "$tmp/log" "$tmp/f.pcap"
nf=$(grep -c '"event_type":"flow"' "$tmp/log/eve.json")
[ "$nf" = 1000 ] && ok "mkbigpcap --flows 1000 gives 1000 flows" || bad "mkbigpcap --flows" "$nf flows"

if [ -x /usr/bin/time ]; then
    BENCH_MB=2 BENCH_FLOWS=2000 BENCH_RUNS=1 sh tests/bench.sh "$BUILD" >"$tmp/bench.out" 2>&1
    rc=$?
    if [ "$rc" = 0 ] && grep -q '^throughput ratio tollgate/bare loop: [0-9.]*' "$tmp/bench.out" &&
        grep -q '^memory per live flow: [0-9]* bytes' "$tmp/bench.out"; then
        ok "bench.sh runs end to end (2 MB)"
    else
        bad "bench.sh runs end to end" "rc=$rc $(tail -5 "$tmp/bench.out")"
    fi
else
    skip "bench.sh runs end to end" "/usr/bin/time missing"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
