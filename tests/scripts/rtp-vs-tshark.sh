#!/bin/sh
# rtp-vs-tshark.sh - per-SSRC RTP statistics of build/tools/rtpstat against
# tshark's "rtp,streams" on the Wireshark wiki G.711 captures: for every
# stream tshark reports, rtpstat must report the same packets and lost
# packets exactly, and max jitter, mean jitter and max delta within 0.1 ms.
# Needs ../shared (SHARED=...) and tshark; skips visibly without them.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
cd "$TOP" || exit 1
pass=0 fail=0 skip=0
CAPS="wireshark-wiki/SIP_CALL_RTP_G711.pcap wireshark-wiki/sip-rtp-g711.pcap"
if ! command -v tshark >/dev/null 2>&1; then
    for c in $CAPS; do echo "SKIP $(basename "$c"): tshark not installed"; skip=$((skip + 1)); done
    echo "$pass passed, $fail failed, $skip skipped"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in $CAPS; do
    name=$(basename "$c")
    f="$SHARED/pcaps/$c"
    if [ ! -f "$f" ]; then
        echo "SKIP $name: $f not found (set SHARED to the shared directory)"; skip=$((skip + 1)); continue
    fi
    if ! "$BUILD/tools/rtpstat" "$f" >"$tmp/ours" 2>"$tmp/err"; then
        echo "FAIL $name: rtpstat failed"; cat "$tmp/err"; fail=$((fail + 1)); continue
    fi
    tshark -r "$f" -q -z rtp,streams 2>/dev/null >"$tmp/theirs"
    # tshark columns: start end src sport dst dport ssrc payload pkts lost (pct) min/mean/max delta, min/mean/max jitter
    n=0 bad=0
    while read -r _ _ src sport dst dport ssrc _ pkts lost _ _ _ maxd _ meanj maxj _; do
        n=$((n + 1))
        line=$(grep -F "$src:$sport $dst:$dport $ssrc " "$tmp/ours")
        if [ -z "$line" ]; then
            echo "  $name: stream $ssrc $src:$sport -> $dst:$dport missing from rtpstat"; bad=$((bad + 1)); continue
        fi
        msg=$(echo "$line" | awk -v pk="$pkts" -v lo="$lost" -v md="$maxd" -v mj="$maxj" -v mn="$meanj" '
            function val(k,   i, a) { for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } }
            function off(a, b) { d = a - b; if (d < 0) d = -d; return d > 0.1 }
            { e = ""
              if (val("packets") != pk) e = e " packets " val("packets") "!=" pk
              if (val("lost") != lo) e = e " lost " val("lost") "!=" lo
              if (off(val("max_jitter"), mj)) e = e " max_jitter " val("max_jitter") "!=" mj
              if (off(val("mean_jitter"), mn)) e = e " mean_jitter " val("mean_jitter") "!=" mn
              if (off(val("max_delta"), md)) e = e " max_delta " val("max_delta") "!=" md
              print e }')
        if [ -n "$msg" ]; then
            echo "  $name: stream $ssrc $src:$sport -> $dst:$dport:$msg"; bad=$((bad + 1))
        fi
    done <<TSHARK
$(grep -E '^ +[0-9.]+ +[0-9.]+ ' "$tmp/theirs")
TSHARK
    if [ "$n" = 0 ]; then
        echo "FAIL $name: tshark reported no RTP stream"; fail=$((fail + 1))
    elif [ "$bad" = 0 ]; then
        echo "ok   $name ($n streams agree with tshark)"; pass=$((pass + 1))
    else
        echo "FAIL $name ($bad of $n streams differ)"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
