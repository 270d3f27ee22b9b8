#!/bin/sh
# pcap-cases.sh - every pcaps/NAME.pcap[ng] with a NAME.expected beside it is
# analysed and its summary (tests/summary.py) must equal the expected text.
# NAME.args, when present, holds extra tollgate arguments (e.g. --set k=v).
# UPDATE=1 rewrites the expected files instead (review the diff!).
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
pass=0 fail=0
tmp=$(mktemp -d)
for exp in pcaps/*.expected; do
    [ -f "$exp" ] || continue
    base=${exp%.expected}
    cap=""
    for ext in pcap pcapng; do [ -f "$base.$ext" ] && cap="$base.$ext"; done
    name=$(basename "$base")
    if [ -z "$cap" ]; then
        echo "FAIL $name: no capture beside $exp"; fail=$((fail + 1)); continue
    fi
    args=""
    [ -f "$base.args" ] && args=$(cat "$base.args")
    rm -rf "$tmp/log"
    # shellcheck disable=SC2086
    "$BUILD/tollgate" analyze -q -l "$tmp/log" $args "$cap" 2>"$tmp/stderr"
    echo "exit $?" >"$tmp/exit"
    python3 tests/summary.py "$tmp/log" "$tmp/stderr" "$tmp/exit" >"$tmp/got"
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp/got" "$exp"
        echo "ok   $name (updated)"; pass=$((pass + 1))
    elif diff -u "$exp" "$tmp/got" >"$tmp/diff"; then
        echo "ok   $name"; pass=$((pass + 1))
    else
        echo "FAIL $name"; head -40 "$tmp/diff"; fail=$((fail + 1))
    fi
done
rm -rf "$tmp"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
