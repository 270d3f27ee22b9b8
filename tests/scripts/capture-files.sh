#!/bin/sh
# capture-files.sh - the offline reader beyond what pcap-cases compares:
# exact timestamps (nanosecond pcap, pcapng with mixed resolutions), several
# files with a broken one in the middle, the progress bar only on a tty, and
# a clean stop on SIGTERM/SIGINT (flows flushed, stats written).
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
TG="$BUILD/tollgate"
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
skip() { echo "SKIP $1: $2"; skip=$((skip + 1)); }

# jq-free field extraction: python prints "start end pkts" of each flow.
flows() {
    python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event_type"] == "flow":
        f = e["flow"]
        print(e["proto"], e["src_port"], f["start"], f["end"], f["pkts_toserver"] + f["pkts_toclient"])
' "$1/eve.json" | sort
}
has_stats() { grep -q '"event_type":"stats"' "$1/eve.json"; }

# 1. nanosecond pcap: fractions above 999999 stay fractions.
"$TG" analyze -q -l "$tmp/ns" pcaps/capture-nsec.pcap
got=$(flows "$tmp/ns")
want="UDP 40000 2023-11-14T22:13:20.123456+0000 2023-11-14T22:13:21.000000+0000 3"
[ "$got" = "$want" ] && ok "nanosecond pcap timestamps" || bad "nanosecond pcap timestamps" "got '$got'"

# big-endian pcap, read by the mapped reader.
"$TG" analyze -q -l "$tmp/sw" pcaps/capture-swapped.pcap
got=$(flows "$tmp/sw")
want="UDP 40000 2023-11-14T22:13:22.250000+0000 2023-11-14T22:13:22.250003+0000 4"
[ "$got" = "$want" ] && ok "byte-swapped pcap timestamps" || bad "byte-swapped pcap timestamps" "got '$got'"

# 2. pcapng, one direction per interface, us and ns resolution.
"$TG" analyze -q -l "$tmp/ng" pcaps/capture-pcapng.pcapng
got=$(flows "$tmp/ng")
want="TCP 41000 2023-11-14T22:13:21.000000+0000 2023-11-14T22:13:21.007000+0000 8"
[ "$got" = "$want" ] && ok "pcapng two interfaces, mixed resolution" || bad "pcapng two interfaces, mixed resolution" "got '$got'"

# 3. several files, a truncated one in the middle: it is reported with its
# packet number, exit 1, and the files after it are still read.
"$TG" analyze -q -l "$tmp/multi" pcaps/capture-split-first.pcap pcaps/capture-truncated.pcap \
    pcaps/capture-split.pcap 2>"$tmp/multi.err"
rc=$?
python3 tests/summary.py "$tmp/multi" >"$tmp/multi.sum"
n=$(grep -c '^flow ' "$tmp/multi.sum")
if [ "$rc" = 1 ] && [ "$n" = 2 ] && grep -q 'capture-truncated.pcap: packet 6: truncated' "$tmp/multi.err" &&
    grep -q 'stat capture.files 3' "$tmp/multi.sum" && grep -q 'pkts=7/6 bytes=357/294' "$tmp/multi.sum"; then
    ok "truncated file between two others: reported, rest still read"
else
    bad "truncated file between two others" "rc=$rc flows=$n $(cat "$tmp/multi.err")"
fi

# standard input as "-", between two files.
cat pcaps/capture-split.pcap | "$TG" analyze -q -l "$tmp/stdin" pcaps/capture-split-first.pcap - 2>"$tmp/stdin.err"
rc=$?
python3 tests/summary.py "$tmp/stdin" >"$tmp/stdin.sum"
if [ "$rc" = 0 ] && grep -q 'pkts=5/3 bytes=288/200' "$tmp/stdin.sum" && grep -q 'pkts=4/4 bytes=204/196' "$tmp/stdin.sum"; then
    ok "standard input as -, continuing a flow"
else
    bad "standard input as -" "rc=$rc $(cat "$tmp/stdin.err")"
fi

# 4. missing and non-capture files name the file, exit 1.
"$TG" analyze -q -l "$tmp/miss" pcaps/no-such.pcap pcaps/capture-split.args 2>"$tmp/miss.err"
rc=$?
if [ "$rc" = 1 ] && grep -q 'no-such.pcap: .*No such file' "$tmp/miss.err" &&
    grep -q 'capture-split.args: ' "$tmp/miss.err" && has_stats "$tmp/miss"; then
    ok "missing and unreadable files named, exit 1"
else
    bad "missing and unreadable files" "rc=$rc $(cat "$tmp/miss.err")"
fi

# 5. progress bar: drawn when stderr is a tty, absent otherwise and with -q.
if command -v script >/dev/null 2>&1; then
    script -qec "$TG analyze -l $tmp/tty pcaps/capture-split-first.pcap pcaps/capture-split.pcap" /dev/null \
        >"$tmp/tty.out" 2>&1
    # The bar counts the bytes of all files: the first file ends at 590 of
    # the 1192 bytes of both.
    if grep -q '100.0%' "$tmp/tty.out" && grep -q 'pkt/s' "$tmp/tty.out" &&
        tr '\r' '\n' <"$tmp/tty.out" | grep -q '^capture-split-first.pcap .* 49.5%'; then
        ok "progress bar on a tty: percent over all files, reaches 100%"
    else
        bad "progress bar on a tty" "$(head -c 300 "$tmp/tty.out")"
    fi
    script -qec "$TG analyze -q -l $tmp/tty2 pcaps/capture-split.pcap" /dev/null >"$tmp/tty2.out" 2>&1
    grep -q 'pkt/s' "$tmp/tty2.out" && bad "no progress bar with -q" || ok "no progress bar with -q"
else
    skip "progress bar on a tty" "script(1) not installed"
fi
"$TG" analyze -l "$tmp/notty" pcaps/capture-split.pcap 2>"$tmp/notty.err"
grep -q 'pkt/s' "$tmp/notty.err" && bad "no progress bar when stderr is a file" ||
    ok "no progress bar when stderr is a file"

# 6. the mapped reader (default for classic pcap) and libpcap (capture.mmap
# = no) see the same packets, flows and timestamps.
same=1
for f in pcaps/capture-*.pcap; do
    "$TG" analyze -q -l "$tmp/m-$$" "$f" 2>/dev/null
    "$TG" analyze -q -l "$tmp/l-$$" --set capture.mmap=no "$f" 2>/dev/null
    if ! python3 tests/summary.py "$tmp/m-$$" >"$tmp/m.sum" || ! python3 tests/summary.py "$tmp/l-$$" >"$tmp/l.sum" ||
        ! cmp -s "$tmp/m.sum" "$tmp/l.sum" || [ "$(flows "$tmp/m-$$")" != "$(flows "$tmp/l-$$")" ]; then
        same=0
        echo "  differs: $f"
    fi
    rm -rf "$tmp/m-$$" "$tmp/l-$$"
done
[ $same = 1 ] && ok "mapped reader and libpcap agree" || bad "mapped reader and libpcap agree"

# 7. a signal stops analyze cleanly. The input is a FIFO fed 10 packets and
# then held open, so tollgate is blocked in read() when the signal comes.
for sig in TERM INT; do
    fifo="$tmp/fifo-$sig"
    mkfifo "$fifo"
    python3 - "$fifo" <<'PY' &
import os, sys, time
sys.path.insert(0, "tests/tools")
from pcapgen import PcapWriter, eth, ipv4, udp
w = PcapWriter(sys.argv[1])
for i in range(10):
    w.add(eth(ipv4("198.18.1.1", "198.18.1.2", udp(40000, 9999, b"x%d" % i))))
w.f.flush()
time.sleep(20)
PY
    feeder=$!
    pids="$pids $feeder"
    "$TG" analyze -q -l "$tmp/sig$sig" "$fifo" pcaps/capture-split.pcap 2>"$tmp/sig$sig.err" &
    tg=$!
    sleep 1 # time enough to read the 10 packets; then it blocks in read()
    kill -$sig "$tg"
    wait "$tg"
    rc=$?
    kill "$feeder" 2>/dev/null
    got=$(flows "$tmp/sig$sig")
    if [ "$rc" = 1 ] && [ "$(echo "$got" | awk '{print $NF}')" = 10 ] && has_stats "$tmp/sig$sig" &&
        grep -q "stopped after packet 10 (SIG$sig).*later files not read" "$tmp/sig$sig.err"; then
        ok "SIG$sig stops analyze: flows flushed, stats written, exit 1"
    else
        bad "SIG$sig stops analyze" "rc=$rc flows='$got' $(cat "$tmp/sig$sig.err")"
    fi
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
