#!/bin/sh
# decode-tshark.sh - check the decoder against tshark as an independent
# dissector: the TCP/UDP flows in every pcaps/decode-*.expected must equal the
# flows tshark finds in the capture (tests/tools/tshark-flows.py), and for a
# few real tunnelled captures from the shared set (ERSPAN, IP-in-IP, GRE,
# Teredo-as-UDP) tollgate's flows must equal tshark's too.
# Skips visibly without tshark or without the shared captures.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
cd "$TOP" || exit 1
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
flows() { grep -E '^flow (TCP|UDP) ' | sed -E 's/ app=[^ ]+//; s/ state=[^ ]+//; s/ x[0-9]+$//' | sort; }
check() { # name, our flows file, capture, extra tshark args...
    name=$1 ours=$2 cap=$3
    shift 3
    python3 tests/tools/tshark-flows.py "$cap" "$@" >"$tmp/theirs" 2>"$tmp/err"
    if [ $? != 0 ]; then
        echo "FAIL $name: tshark-flows.py failed"; head -5 "$tmp/err"; fail=$((fail + 1))
    elif [ ! -s "$tmp/theirs" ]; then
        echo "FAIL $name: tshark found no flows"; fail=$((fail + 1))
    elif diff -u "$tmp/theirs" "$ours" >"$tmp/diff"; then
        echo "ok   $name ($(wc -l <"$ours") flows agree with tshark)"; pass=$((pass + 1))
    else
        echo "FAIL $name: flows differ from tshark's (- tshark, + tollgate)"; head -20 "$tmp/diff"; fail=$((fail + 1))
    fi
}
if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIP decode-tshark: tshark not installed"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
for exp in pcaps/decode-*.expected; do
    [ -f "$exp" ] || continue
    base=${exp%.expected}
    flows <"$exp" >"$tmp/ours"
    # Nothing in an MPLS packet says an Ethernet pseudowire has a control
    # word; tollgate assumes one (RFC 4448), tshark must be told.
    check "$(basename "$base") expected" "$tmp/ours" "$base.pcap" -d mpls.label==40,pwethcw
done
for spec in "heplify/erspan_sip_ipv4_udp.pcapng" "heplify/ipip0.pcap" "sngrep/ipip.pcap" \
            "ndpi/pcap/gre.pcapng" "ndpi/pcap/teredo.pcap --disable-protocol teredo"; do
    # shellcheck disable=SC2086
    set -- $spec
    cap="$SHARED/pcaps/$1"
    shift
    if [ ! -f "$cap" ]; then
        echo "SKIP shared $(basename "$cap"): $SHARED/pcaps not present"; skip=$((skip + 1)); continue
    fi
    rm -rf "$tmp/log"
    "$BUILD/tollgate" analyze -q -l "$tmp/log" "$cap" 2>"$tmp/stderr"
    python3 tests/summary.py "$tmp/log" | flows >"$tmp/ours"
    check "shared $(basename "$cap")" "$tmp/ours" "$cap" "$@"
done
rm -rf "$tmp"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
