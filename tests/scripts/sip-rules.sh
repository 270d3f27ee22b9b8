#!/bin/sh
# sip-rules.sh - rules/sip-events.rules and the README's SIP event table match
# the event table compiled into tollgate (build/tools/sipcheck --rules/--table).
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
CHECK=$TOP/$BUILD/tools/sipcheck
pass=0 fail=0
tmp=$(mktemp)
"$CHECK" --rules >"$tmp"
if diff -u "$TOP/rules/sip-events.rules" "$tmp"; then
    echo "ok   rules/sip-events.rules matches the event table"; pass=$((pass + 1))
else
    echo "FAIL rules/sip-events.rules differs (regenerate: $CHECK --rules > rules/sip-events.rules)"; fail=$((fail + 1))
fi
"$CHECK" --table >"$tmp"
missing=0
while IFS= read -r line; do
    grep -qxF "$line" "$TOP/README.md" || { echo "  README lacks: $line"; missing=1; }
done <"$tmp"
if [ $missing = 0 ]; then
    echo "ok   README SIP anomaly events table matches"; pass=$((pass + 1))
else
    echo "FAIL README SIP anomaly events table (regenerate: $CHECK --table)"; fail=$((fail + 1))
fi
rm -f "$tmp"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
