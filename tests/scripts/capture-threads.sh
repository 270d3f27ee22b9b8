#!/bin/sh
# capture-threads.sh - reading a mapped capture on a capture thread
# (capture.threads=yes) gives exactly what reading it on the engine thread
# gives (capture.threads=no): the same eve.json records in the same order,
# the same database rows and counters, for every capture under pcaps/, with
# the rules loaded, and for several files in one run with a truncated one
# among them.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
TG="$BUILD/tollgate"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }

# run NAME MODE ARGS...: analyze into $tmp/NAME.MODE; prints what is compared
# (eve.json without the wall-clock time of stats events, and the summary of
# the database) to $tmp/NAME.MODE.out.
run() {
    name=$1 mode=$2
    shift 2
    d="$tmp/$name.$mode"
    "$TG" analyze -q --set capture.threads="$mode" --set flow.hash-seed=1 -l "$d" "$@" >/dev/null 2>"$d.err"
    echo "exit $?" >"$d.out"
    sed 's/^{"timestamp":"[^"]*"\(,"sensor_id":"[^"]*","event_type":"stats"\)/{\1/' "$d/eve.json" >>"$d.out"
    python3 tests/summary.py "$d" >>"$d.out" 2>&1
    cat "$d.err" >>"$d.out"
}

same() {
    name=$1
    shift
    run "$name" no "$@"
    run "$name" yes "$@"
    if cmp -s "$tmp/$name.no.out" "$tmp/$name.yes.out"; then
        ok "$name: threaded read equals single-thread read"
    else
        bad "$name" "outputs differ: $(diff "$tmp/$name.no.out" "$tmp/$name.yes.out" | head -3 | tr '\n' ' ')"
    fi
}

for f in pcaps/*.pcap; do
    same "$(basename "$f" .pcap)" "$f"
done
set --
for f in rules/*.rules; do set -- "$@" -S "$f"; done
same "all pcaps in one run, shipped rules" "$@" pcaps/*.pcap
same "truncated file between two others" pcaps/capture-split-first.pcap pcaps/capture-truncated.pcap \
    pcaps/capture-split.pcap

# The threaded path really ran: a capture thread shows up while reading.
if python3 - "$TG" <<'PY'
import os, subprocess, sys, tempfile, time
tg = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    # a fifo-free way to catch the thread: a capture large enough to take a
    # moment, read with threads=yes; look at /proc while it runs
    big = os.path.join(d, "big.pcap")
    subprocess.run([os.path.join(os.path.dirname(tg), "tools", "mkbigpcap"), big, "20"], check=True,
                   stdout=subprocess.DEVNULL)
    p = subprocess.Popen([tg, "analyze", "-q", "--set", "capture.threads=yes", "-l", os.path.join(d, "log"), big])
    most = 0
    while p.poll() is None:
        try:
            most = max(most, len(os.listdir("/proc/%d/task" % p.pid)))
        except FileNotFoundError:
            break
        time.sleep(0.002)
    sys.exit(0 if most >= 2 and p.returncode == 0 else 1)
PY
then
    ok "capture.threads=yes reads on a second thread"
else
    bad "capture.threads=yes reads on a second thread" "no second thread seen"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
