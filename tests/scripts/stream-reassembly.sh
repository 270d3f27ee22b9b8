#!/bin/sh
# stream-reassembly.sh - TCP reassembly on real packet bytes.
#  1. pcaps/stream-*.pcap: tests/tools/stream-dump must print exactly
#     pcaps/stream-*.streams (written by tests/tools/mk-stream-pcaps.py from
#     the bytes it sent, first wins), and agree with tshark where tshark's
#     own overlap choice does not differ.
#  2. shared real captures (SIP over TCP, P2P, HTTP): tollgate analyze runs
#     clean (under the ASan build this is the memory check), the counters
#     tshark can confirm match, and every hole-free direction is
#     byte-identical with tshark's "follow,tcp,raw".
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
cd "$TOP" || exit 1
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
ok() { echo "ok   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
sk() { echo "SKIP $1"; skip=$((skip + 1)); }

for exp in pcaps/stream-*.streams; do
    [ -f "$exp" ] || continue
    cap=${exp%.streams}.pcap name=$(basename "$exp" .streams)
    if "$BUILD/tools/stream-dump" "$cap" >"$tmp/got" 2>"$tmp/err" && diff -u "$exp" "$tmp/got" >"$tmp/diff"; then
        ok "$name reassembled"
    else
        ko "$name reassembled"; head -30 "$tmp/diff" "$tmp/err"
    fi
done

# Our own captures against tshark too, except the conflicting overlap:
# tshark's follow shows the later copy there, we keep the first on purpose.
if command -v tshark >/dev/null 2>&1; then
    for cap in pcaps/stream-*.pcap; do
        case $cap in *stream-ooo-overlap.pcap) continue ;; esac
        if line=$(python3 tests/tools/stream-vs-tshark.py "$BUILD/tools/stream-dump" "$cap" 2>&1); then
            echo "$line" | sed 's/^ok   /ok   vs tshark /'; pass=$((pass + 1))
        else
            echo "$line" | sed 's/^FAIL /FAIL vs tshark /'; fail=$((fail + 1))
        fi
    done
else
    sk "own captures vs tshark: tshark not installed (make deps)"
fi

# A counter from the stats event of the last run.
stat() {
    python3 -c '
import json, sys
v = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event_type"] == "stats":
        v = e["stats"]
        for k in sys.argv[2].split("."):
            v = v.get(k, 0) if isinstance(v, dict) else 0
print(v)' "$tmp/log/eve.json" "$1"
}

caps=""
for c in "$SHARED/pcaps/heplify/sip_ipv4_tcp.pcap" "$SHARED/pcaps/heplify/sip_ipv4_tcp_retrans.pcap" \
    "$SHARED"/pcaps/wireshark-wiki/*.pcap "$SHARED"/pcaps/wireshark-wiki/*.cap; do
    [ -f "$c" ] && caps="$caps ${c#"$SHARED"/pcaps/}"
done
if [ -z "$caps" ]; then
    sk "shared captures: $SHARED/pcaps not found (run with SHARED=/path/to/shared)"
else
    for c in $caps; do
        rm -rf "$tmp/log"
        if "$BUILD/tollgate" analyze -q -l "$tmp/log" "$SHARED/pcaps/$c" 2>"$tmp/err"; then
            ok "analyze $c"
        else
            ko "analyze $c"; head -20 "$tmp/err"; continue
        fi
        # tshark -o tcp.analyze_sequence_numbers:TRUE agrees on these
        case $c in
        heplify/sip_ipv4_tcp.pcap) want="tcp.sessions=1 tcp.segments=7 tcp.retransmissions=0 tcp.reassembly_gaps=0" ;;
        heplify/sip_ipv4_tcp_retrans.pcap) want="tcp.retransmissions=1 tcp.reassembly_gaps=0 tcp.overlap_diff_data=0" ;;
        wireshark-wiki/BITTORRENT.pcap) want="tcp.out_of_order=34 tcp.reassembly_gaps=34 tcp.midstream_pickups=1" ;;
        wireshark-wiki/BitTorrent.Transfer1.pcap) want="tcp.retransmissions=2" ;;
        wireshark-wiki/http.cap) want="tcp.retransmissions=1 tcp.reassembly_gaps=0" ;;
        *) want="" ;;
        esac
        for kv in $want; do
            got=$(stat "${kv%%=*}")
            if [ "$got" = "${kv#*=}" ]; then ok "$c $kv"; else ko "$c $kv (got $got)"; fi
        done
    done
    if ! command -v tshark >/dev/null 2>&1; then
        sk "reassembly vs tshark: tshark not installed (make deps)"
    else
        for c in $caps; do
            if line=$(python3 tests/tools/stream-vs-tshark.py "$BUILD/tools/stream-dump" "$SHARED/pcaps/$c" 2>&1); then
                echo "$line" | sed 's/^ok   /ok   vs tshark /'; pass=$((pass + 1))
            else
                echo "$line" | sed 's/^FAIL /FAIL vs tshark /'; fail=$((fail + 1))
            fi
        done
    fi
fi
rm -rf "$tmp"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
