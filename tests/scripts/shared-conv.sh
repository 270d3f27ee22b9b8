#!/bin/sh
# shared-conv.sh [--update] - flow counts versus tshark on the shared dev captures.
#
# For every capture under $SHARED/pcaps/{wireshark-wiki,zeek,heplify,ndpi/pcap,
# suricata-verify/*}/*.pcap* (SHARED defaults to $TOP/../shared):
#   (a) `tollgate analyze -q` must exit 0 (the file is read without error);
#   (b) its TCP and UDP flow counts (EVE flow records) must equal the
#       conversation lines of `tshark -q -z conv,udp -z conv,tcp -r FILE`,
#       unless tests/scripts/shared-conv.exceptions documents exactly that
#       difference (file, proto, tollgate count, tshark count, reason). A new
#       difference fails, and so does a documented one that went away.
# tshark never times a conversation out, so tollgate runs with flow timeouts
# of 10^9 hours (saturates to "never"): a quiet flow is not ended and
# re-opened (README, "Flow counts versus tshark").
#
# --update rewrites the exceptions file from the current counts, keeping the
# reason of an entry with the same file and proto; new entries get the reason
# "UNEXPLAINED" and must be explained in README before committing.
# tests/tools/conv-diff.py FILE shows which tuples differ.
# Files are checked in parallel (SHARED_CONV_JOBS, default: the number of CPUs).
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
cd "$TOP" || exit 1
EXC=tests/scripts/shared-conv.exceptions
SELF=tests/scripts/shared-conv.sh
# Scratch space inside the build directory: other jobs may clean /tmp.
TMPROOT="$BUILD/shared-conv.tmp"
export TOP BUILD SHARED

# pcap (both byte orders, micro and nano) or pcapng section header.
is_capture() {
    m=$(od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n')
    case "$m" in
    d4c3b2a1 | a1b2c3d4 | 4d3cb2a1 | a1b23c4d | 0a0d0d0a) return 0 ;;
    esac
    return 1
}

# The documented entry for file/proto, as "tollgate tshark", or nothing.
documented() {
    awk -v f="$1" -v p="$2" '!/^#/ && $1 == f && $2 == p { print $3, $4; exit }' "$EXC" 2>/dev/null
}

# --one CAPTURE: check one file; prints its ok/FAIL/SKIP line and, for each
# protocol whose counts differ, a "DIFF file proto tollgate tshark" line.
if [ "${1:-}" = "--one" ]; then
    cap=$2
    name=${cap#"$SHARED"/pcaps/}
    if ! is_capture "$cap"; then
        echo "SKIP $name: not a pcap or pcapng file"
        exit 0
    fi
    HUGE=1000000000h # saturates to the largest duration: never
    SETS=""
    for g in tcp udp icmp other; do
        for s in new established closed; do
            SETS="$SETS --set flow.timeout.$g.$s=$HUGE"
        done
    done
    tmp=$(mktemp -d "$TMPROOT/one.XXXXXX") || exit 1
    # shellcheck disable=SC2086
    "$BUILD/tollgate" analyze -q -l "$tmp/log" $SETS "$cap" 2>"$tmp/stderr"
    rc=$?
    if [ "$rc" != 0 ]; then
        echo "FAIL $name: tollgate exit $rc: $(head -c 300 "$tmp/stderr" | tr '\n' ' ')"
        rm -rf "$tmp"
        exit 0
    fi
    tg=$(python3 -c '
import json, sys
n = {"TCP": 0, "UDP": 0}
for line in open(sys.argv[1], encoding="utf-8"):
    ev = json.loads(line)
    if ev.get("event_type") == "flow" and ev.get("proto") in n:
        n[ev["proto"]] += 1
print(n["TCP"], n["UDP"])' "$tmp/log/eve.json")
    rm -rf "$tmp"
    ts=$(tshark -q -z conv,udp -z conv,tcp -r "$cap" 2>/dev/null |
        awk '/^TCP Conversations/ { s = "t" } /^UDP Conversations/ { s = "u" } /<->/ { n[s]++ }
             END { print n["t"] + 0, n["u"] + 0 }')
    # shellcheck disable=SC2086
    set -- $tg $ts
    tg_tcp=$1 tg_udp=$2 ts_tcp=$3 ts_udp=$4
    bad=""
    for proto in tcp udp; do
        if [ $proto = tcp ]; then a=$tg_tcp b=$ts_tcp; else a=$tg_udp b=$ts_udp; fi
        doc=$(documented "$name" $proto)
        [ "$a" != "$b" ] && echo "DIFF $name $proto $a $b"
        if [ "$a" = "$b" ] && [ -n "$doc" ]; then
            bad="$bad $proto: documented difference ($doc) is gone, now $a both;"
        elif [ "$a" != "$b" ] && [ "$doc" != "$a $b" ]; then
            bad="$bad $proto: tollgate $a, tshark $b, not documented${doc:+ (documented: $doc)};"
        fi
    done
    if [ -z "$bad" ]; then
        echo "ok   $name tcp $tg_tcp/$ts_tcp udp $tg_udp/$ts_udp"
    else
        echo "FAIL $name:$bad"
    fi
    exit 0
fi

UPDATE=0
[ "${1:-}" = "--update" ] && UPDATE=1

if [ ! -d "$SHARED/pcaps" ]; then
    echo "SKIP shared-conv: $SHARED/pcaps not found (run with SHARED=/work/shared)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIP shared-conv: tshark not installed"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

rm -rf "$TMPROOT" && mkdir -p "$TMPROOT" || exit 1
trap 'rm -rf "$TMPROOT"' EXIT INT TERM

for cap in "$SHARED"/pcaps/wireshark-wiki/*.pcap* "$SHARED"/pcaps/zeek/*.pcap* \
    "$SHARED"/pcaps/heplify/*.pcap* "$SHARED"/pcaps/ndpi/pcap/*.pcap* \
    "$SHARED"/pcaps/suricata-verify/*/*.pcap*; do
    [ -f "$cap" ] && printf '%s\n' "$cap"
done >"$TMPROOT/list"
# Output lines of one file are written together (each worker prints at most
# three short lines), so sorting by name gives a stable report.
xargs -P "${SHARED_CONV_JOBS:-$(nproc 2>/dev/null || echo 2)}" -I{} sh "$SELF" --one {} <"$TMPROOT/list" >"$TMPROOT/out"
sort -k2,2 -s "$TMPROOT/out" >"$TMPROOT/sorted"

grep -v '^DIFF ' "$TMPROOT/sorted"
pass=$(grep -c '^ok ' "$TMPROOT/sorted")
fail=$(grep -c '^FAIL ' "$TMPROOT/sorted")
skip=$(grep -c '^SKIP ' "$TMPROOT/sorted")
[ "$(wc -l <"$TMPROOT/list")" -eq $((pass + fail + skip)) ] || {
    echo "FAIL shared-conv: a worker printed no result"
    fail=$((fail + 1))
}

if [ $UPDATE = 1 ]; then
    {
        echo "# shared-conv.exceptions - documented flow-count differences between tollgate"
        echo "# and tshark (tests/scripts/shared-conv.sh). Each entry is explained in README.md,"
        echo "# \"Flow counts versus tshark\". Regenerate with: SHARED=/work/shared sh $SELF --update"
        echo "# file (under \$SHARED/pcaps)  proto  tollgate  tshark  reason"
        grep '^DIFF ' "$TMPROOT/sorted" | while read -r _ f p a b; do
            reason=$(awk -v f="$f" -v p="$p" '!/^#/ && $1 == f && $2 == p {
                         $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print; exit }' "$EXC" 2>/dev/null)
            echo "$f $p $a $b ${reason:-UNEXPLAINED}"
        done
    } >"$TMPROOT/new"
    mv "$TMPROOT/new" "$EXC"
    echo "ok   exceptions rewritten: $EXC ($(grep -vc '^#' "$EXC") entries; explain UNEXPLAINED ones in README)"
    pass=$((pass + 1))
    # Count differences were just recorded (review the diff of $EXC); files
    # tollgate could not read still fail.
    fail=$(grep -c '^FAIL .*: tollgate exit' "$TMPROOT/sorted")
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
