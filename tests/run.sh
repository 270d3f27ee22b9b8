#!/bin/sh
# run.sh BUILD - run every test of the suite against one build directory:
# unit test binaries, then the script tests in tests/scripts/ (pcap cases,
# shared-capture checks, root-only inline tests). Each prints one line per
# case and a "N passed, N failed[, N skipped]" total; this sums them.
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP BUILD
cd "$TOP" || exit 1
pass=0 fail=0 skip=0 broken=""
tally() { # name, output file, exit status
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
    if [ -z "$line" ]; then
        fail=$((fail + 1)); broken="$broken $1"; return
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + ${s:-0}))
    if [ "$3" != 0 ] && [ "$f" = 0 ]; then
        fail=$((fail + 1)); broken="$broken $1"
    elif [ "$f" != 0 ]; then
        broken="$broken $1"
    fi
}
out=$(mktemp)
for t in "$BUILD"/tests/test-*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    echo "== $name ($BUILD)"
    "$t" >"$out" 2>&1
    rc=$?
    grep -vE '^ok ' "$out"
    tally "$name" "$out" "$rc"
done
for t in tests/scripts/*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    echo "== $name ($BUILD)"
    sh "$t" >"$out" 2>&1
    rc=$?
    grep -vE '^ok ' "$out"
    tally "$name" "$out" "$rc"
done
rm -f "$out"
[ -n "$broken" ] && echo "failing:$broken"
echo "suite $BUILD: $pass passed, $fail failed, $skip skipped"
echo "$pass passed, $fail failed, $skip skipped"
[ -n "$TOTALS" ] && echo "$BUILD $pass $fail $skip" >>"$TOTALS"
[ "$fail" = 0 ]
