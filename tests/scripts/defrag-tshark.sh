#!/bin/sh
# defrag-tshark.sh - tollgate's defragmenter against tshark's, byte for byte.
#
# For the project's defrag captures and the shared real-world ones
# (heplify, sngrep; $SHARED/pcaps), every datagram tollgate reassembles
# (build/tools/defrag-dump) must be one tshark reassembles in the same
# frame with the same bytes, and the number of datagrams must agree. A
# frame that completes a tunnel packet and the fragment inside it gives
# two lines, outer first.
# Skips visibly without tshark or without the shared captures.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
cd "$TOP" || exit 1
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name capture
    name=$1 cap=$2
    if ! "$BUILD/tools/defrag-dump" "$cap" >"$tmp/ours.raw" 2>"$tmp/err"; then
        echo "FAIL $name: defrag-dump failed: $(cat "$tmp/err")"; fail=$((fail + 1)); return
    fi
    grep '^frame ' "$tmp/ours.raw" | awk '{print $2, $6}' >"$tmp/ours"
    tshark -r "$cap" -o ip.defragment:TRUE -o ipv6.defragment:TRUE \
        -Y 'ip.reassembled.data || ipv6.reassembled.data' \
        -T fields -e frame.number -e ip.reassembled.data -e ipv6.reassembled.data 2>/dev/null |
        awk -F '\t' '$2 != "" {print $1, $2} $3 != "" {print $1, $3}' >"$tmp/theirs"
    n=$(wc -l <"$tmp/theirs")
    if diff "$tmp/theirs" "$tmp/ours" >/dev/null; then
        echo "ok   $name ($n datagrams, same bytes as tshark)"; pass=$((pass + 1))
    else
        echo "FAIL $name: tshark reassembles $n datagrams, tollgate $(wc -l <"$tmp/ours"); differing frames:"
        diff "$tmp/theirs" "$tmp/ours" | cut -c1-60 | head -10
        fail=$((fail + 1))
    fi
}

if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIP defrag-tshark: tshark not installed"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
for cap in pcaps/defrag-*.pcap; do
    [ -f "$cap" ] && check "$(basename "$cap" .pcap)" "$cap"
done
for rel in heplify/ipv6_udp_fragmented.pcap heplify/sip_ipv4_tcp_fragmented.pcap sngrep/ipv6frag.pcap; do
    if [ -f "$SHARED/pcaps/$rel" ]; then
        check "$rel" "$SHARED/pcaps/$rel"
    else
        echo "SKIP $rel: no $SHARED/pcaps/$rel (set SHARED=)"; skip=$((skip + 1))
    fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
