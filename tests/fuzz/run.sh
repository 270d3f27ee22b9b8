#!/bin/sh
# run.sh regress DIR | fuzz DIR SECONDS - run every fuzz target in DIR.
# regress: replay each target's seed corpus (tests/fuzz/corpus/NAME/) once,
# which is how make test keeps the targets honest. fuzz: fuzz each target
# for SECONDS with a scratch copy of its corpus.
mode=$1 dir=$2 secs=${3:-60}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
for t in "$dir"/fuzz-*; do
    [ -x "$t" ] || continue
    name=$(basename "$t" | sed 's/^fuzz-//')
    corpus="$TOP/tests/fuzz/corpus/$name"
    if [ ! -d "$corpus" ]; then
        echo "FAIL $name: no seed corpus in tests/fuzz/corpus/$name"; fail=$((fail + 1)); continue
    fi
    if [ "$mode" = regress ]; then
        "$t" -runs=0 "$corpus" >/tmp/fuzz-$name.log 2>&1
    else
        work=$(mktemp -d)
        cp -r "$corpus"/. "$work"/
        "$t" -max_total_time="$secs" -print_final_stats=1 "$work" "$corpus" >/tmp/fuzz-$name.log 2>&1
        rm -rf "$work"
    fi
    if [ $? = 0 ]; then
        echo "ok   fuzz-$name ($mode)"; pass=$((pass + 1))
    else
        echo "FAIL fuzz-$name ($mode), see /tmp/fuzz-$name.log"; tail -30 /tmp/fuzz-$name.log; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ -n "$TOTALS" ] && echo "fuzz-$mode $pass $fail 0" >>"$TOTALS"
[ "$fail" = 0 ]
