#!/bin/sh
# rfc4475.sh - RFC 4475 SIP torture messages against the SIP anomaly checks.
# Each line of rfc4475.expect runs build/tools/sipcheck on one message (as a
# UDP datagram): valid messages raise nothing (or exactly the documented
# exceptions), invalid ones raise the events naming their defect. Needs the
# shared captures ($SHARED, default ../shared from the repo top); skips
# visibly without them.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
DIR=$SHARED/pcaps/rfc4475
EXP=$TOP/tests/scripts/rfc4475.expect
CHECK=$TOP/$BUILD/tools/sipcheck
pass=0 fail=0 skip=0
if [ ! -f "$DIR/index.tsv" ]; then
    echo "SKIP rfc4475: $DIR not present (set SHARED=/path/to/shared)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
if [ ! -x "$CHECK" ]; then
    echo "FAIL rfc4475: $CHECK not built"
    echo "0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp)
# every message of the index is covered by the expect file
for f in "$DIR"/*.sip; do
    n=$(basename "$f" .sip)
    if ! grep -q "^$n " "$EXP"; then
        echo "FAIL $n: not in rfc4475.expect"; fail=$((fail + 1))
    fi
done
grep -v '^#' "$EXP" | while read -r name verdict settings events; do
    [ -n "$name" ] || continue
    echo "$name $verdict $settings $events"
done >"$tmp.lines"
while read -r name verdict settings events; do
    label="$name${settings:+ [$settings]}"
    [ "$settings" = "-" ] && label=$name
    iv=$(awk -F'\t' -v n="$name" '$1==n {print $3}' "$DIR/index.tsv")
    if [ "$iv" != "$verdict" ]; then
        echo "FAIL $label: index says '$iv', expect file says '$verdict'"; fail=$((fail + 1)); continue
    fi
    args=""
    if [ "$settings" != "-" ]; then
        for kv in $(echo "$settings" | tr ',' ' '); do args="$args --set $kv"; done
    fi
    # shellcheck disable=SC2086
    "$CHECK" $args "$DIR/$name.sip" >"$tmp" 2>&1
    got=$(awk '$1=="event" {print $3}' "$tmp" | sort -u | tr '\n' ',' | sed 's/,$//')
    want=$(echo "$events" | tr ',' '\n' | sort -u | tr '\n' ',' | sed 's/,$//')
    ok=1
    case $verdict in
    valid | valid-syntax)
        if [ "$events" = none ]; then
            [ -z "$got" ] || ok=0
        else
            [ "$got" = "$want" ] || ok=0
        fi
        ;;
    invalid)
        [ -n "$got" ] || ok=0
        for e in $(echo "$events" | tr ',' ' '); do
            echo ",$got," | grep -q ",$e," || ok=0
        done
        ;;
    esac
    if [ $ok = 1 ]; then
        echo "ok   $label ($verdict): ${got:-no events}"; pass=$((pass + 1))
    else
        echo "FAIL $label ($verdict): want ${events}, got ${got:-no events}"; fail=$((fail + 1))
    fi
done <"$tmp.lines"
rm -f "$tmp" "$tmp.lines"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
