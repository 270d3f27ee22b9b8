#!/bin/sh
# decode-shared-pcaps.sh - every capture under the shared set
# ($SHARED/pcaps/**/*.pcap*) goes through tollgate analyze without a crash
# or sanitizer report (run under build-asan by make check-asan), exit 0 or 1
# (1 only for files libpcap cannot read to the end). Skips visibly when the
# shared captures are absent.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
cd "$TOP" || exit 1
if [ ! -d "$SHARED/pcaps" ]; then
    echo "SKIP shared captures: $SHARED/pcaps not present"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
pass=0 fail=0
tmp=$(mktemp -d)
find "$SHARED/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort >"$tmp/list"
while IFS= read -r cap; do
    rel=${cap#"$SHARED"/pcaps/}
    rm -rf "$tmp/log"
    "$BUILD/tollgate" analyze -q -l "$tmp/log" "$cap" >/dev/null 2>"$tmp/stderr" </dev/null
    rc=$?
    if [ "$rc" -gt 1 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/stderr"; then
        echo "FAIL $rel: exit $rc"; head -20 "$tmp/stderr"; fail=$((fail + 1))
    else
        echo "ok   $rel"; pass=$((pass + 1))
    fi
done <"$tmp/list"
rm -rf "$tmp"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
