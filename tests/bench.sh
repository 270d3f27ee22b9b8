#!/bin/sh
# bench.sh BUILD - throughput and memory of `tollgate analyze` as ratios
# against a bare libpcap read loop over the same file, on this machine.
#
# Writes a capture of $BENCH_MB MB (default 300; VoIP calls with RTP, TCP
# sessions, fragments; see tests/tools/mkbigpcap.c) into a temp dir, runs the
# bare loop (build/tools/pcaploop) and `tollgate analyze -q` (no rules) several
# times each, taking turns (BENCH_RUNS, default 7), and keeps the best wall
# time of each (also with capture.mmap=no and with capture.threads=no); then
# measures memory per flow as the slope of peak RSS between two captures of
# $BENCH_FLOWS and $BENCH_FLOWS/10 flows that are all alive at once (read
# through libpcap: mapped pages of files of different sizes are no flow
# memory). Last, the rule prefilter backends (detect.mpm = ac, hs):
# build/tools/mpmbench over the fast patterns
# of rules/*.rules plus the ET/Snort files under $SHARED/rules (when present)
# on the bench capture's payloads and on the real captures (pcaps/ and
# $SHARED/pcaps/), and `tollgate analyze -q -S RULES...` with each backend on
# the bench capture and on the shared captures (each listed
# $BENCH_REAL_REPEAT times, default 10). SIP messages per second come from
# the sip.messages counter of the timed run and its wall time;
# memory per active call is the same slope between captures of $BENCH_CALLS
# and $BENCH_CALLS/10 answered calls (each on its own SIP flow, so the figure
# includes that flow), printed only when the build has a call tracker (a
# stats counter of active calls). Nothing is committed.
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
BENCH_MB=${BENCH_MB:-300}
BENCH_FLOWS=${BENCH_FLOWS:-200000}
BENCH_RUNS=${BENCH_RUNS:-7}
BENCH_CALLS=${BENCH_CALLS:-20000}
TG="$BUILD/tollgate"
SHARED=${SHARED:-$TOP/../shared}
for b in "$TG" "$BUILD/tools/mkbigpcap" "$BUILD/tools/pcaploop" "$BUILD/tools/mpmbench"; do
    [ -x "$b" ] || { echo "bench: $b missing; run make first" >&2; exit 1; }
done
if [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time missing (Debian package 'time'); it measures peak RSS" >&2
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

now_ns() { date +%s%N; }

# once NAME CMD...: run CMD once and keep NAME_ns (best wall time so far),
# NAME_kb (peak RSS of that run) and NAME_cpu (least CPU time so far). A run
# that fails stops the bench.
once() {
    name=$1
    shift
    rm -rf "$tmp/log"
    t0=$(now_ns)
    if ! /usr/bin/time -f "%M %U %S" -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err"; then
        echo "bench: '$*' failed:" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
    t=$(($(now_ns) - t0))
    kb=$(tail -n 1 "$tmp/rss" | cut -d' ' -f1)
    cpu=$(tail -n 1 "$tmp/rss" | awk '{printf "%d", ($2 + $3) * 1000}')
    eval "best=\${${name}_ns:-} best_cpu=\${${name}_cpu:-}"
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then eval "${name}_ns=$t ${name}_kb=$kb"; fi
    if [ -z "$best_cpu" ] || [ "$cpu" -lt "$best_cpu" ]; then eval "${name}_cpu=$cpu"; fi
}

# best3 NAME CMD...: run CMD BENCH_RUNS times (see once).
best3() {
    i=0
    while [ $i -lt "$BENCH_RUNS" ]; do
        i=$((i + 1))
        once "$@"
    done
}

echo "== writing a ${BENCH_MB} MB capture into $tmp"
"$BUILD/tools/mkbigpcap" "$tmp/big.pcap" "$BENCH_MB" >/dev/null || exit 1
size=$(stat -c %s "$tmp/big.pcap")

# The reference and the sensor take turns, run after run: this machine's
# speed drifts by tens of percent from minute to minute, and two blocks of
# runs minutes apart measured the drift as much as the code.
i=0
while [ $i -lt "$BENCH_RUNS" ]; do
    i=$((i + 1))
    once bare "$BUILD/tools/pcaploop" "$tmp/big.pcap"
    packets=$(cut -d' ' -f1 "$tmp/out")
    once tg "$TG" analyze -q -l "$tmp/log" "$tmp/big.pcap"
done
flows=$(grep -c '"event_type":"flow"' "$tmp/log/eve.json")
# sip.messages of the timed run, from its final stats event.
sipmsgs=$(grep '"event_type":"stats"' "$tmp/log/eve.json" | tail -n 1 |
    sed -n 's/.*"sip":{"messages":\([0-9]*\).*/\1/p')
# The same through libpcap's reader instead of the memory map, and with the
# map but without the capture thread, for comparison.
best3 tglp "$TG" analyze -q --set capture.mmap=no -l "$tmp/log" "$tmp/big.pcap"
best3 tgst "$TG" analyze -q --set capture.threads=no -l "$tmp/log" "$tmp/big.pcap"

# Memory per flow: peak RSS at BENCH_FLOWS live flows minus at a tenth of it.
small=$((BENCH_FLOWS / 10))
"$BUILD/tools/mkbigpcap" --flows "$BENCH_FLOWS" "$tmp/flows-big.pcap" >/dev/null || exit 1
"$BUILD/tools/mkbigpcap" --flows "$small" "$tmp/flows-small.pcap" >/dev/null || exit 1
# Through libpcap's reader: the memory map keeps up to 20 MB of the file
# resident, and the two files differ in size, so mapped pages would pass
# for flow memory.
best3 fbig "$TG" analyze -q --set capture.mmap=no -l "$tmp/log" "$tmp/flows-big.pcap"
best3 fsmall "$TG" analyze -q --set capture.mmap=no -l "$tmp/log" "$tmp/flows-small.pcap"
best3 fbare "$BUILD/tools/pcaploop" "$tmp/flows-big.pcap"

# Memory per active call: only with a call tracker, i.e. a stats counter of
# active calls ("call":{"active":..}, "calls_active", "active_calls").
csmall=$((BENCH_CALLS / 10))
cbig_kb="" csmall_kb="" calls_note=""
"$BUILD/tools/mkbigpcap" --calls "$csmall" "$tmp/calls-small.pcap" >/dev/null || exit 1
rm -rf "$tmp/log"
"$TG" analyze -q -l "$tmp/log" "$tmp/calls-small.pcap" >/dev/null 2>&1 || exit 1
if grep '"event_type":"stats"' "$tmp/log/eve.json" | tail -n 1 |
    grep -Eq '"calls?":\{[^{}]*"active":|"(calls?_active|active_calls)":'; then
    "$BUILD/tools/mkbigpcap" --calls "$BENCH_CALLS" "$tmp/calls-big.pcap" >/dev/null || exit 1
    best3 cbig "$TG" analyze -q --set capture.mmap=no -l "$tmp/log" "$tmp/calls-big.pcap"
    best3 csmall "$TG" analyze -q --set capture.mmap=no -l "$tmp/log" "$tmp/calls-small.pcap"
else
    calls_note="n/a (no call tracker in this build)"
fi

rm -f "$tmp"/flows-*.pcap "$tmp"/calls-*.pcap
awk -v size="$size" -v pk="$packets" -v flows="$flows" \
    -v bare_ns="$bare_ns" -v bare_kb="$bare_kb" -v tg_ns="$tg_ns" -v tg_kb="$tg_kb" \
    -v lp_ns="$tglp_ns" -v lp_kb="$tglp_kb" -v bare_cpu="$bare_cpu" -v tg_cpu="$tg_cpu" \
    -v st_ns="$tgst_ns" -v st_kb="$tgst_kb" \
    -v nbig="$BENCH_FLOWS" -v nsmall="$small" -v big_kb="$fbig_kb" -v small_kb="$fsmall_kb" \
    -v fbare_kb="$fbare_kb" -v runs="$BENCH_RUNS" -v sipmsgs="$sipmsgs" \
    -v cnbig="$BENCH_CALLS" -v cnsmall="$csmall" -v cbig_kb="$cbig_kb" -v csmall_kb="$csmall_kb" \
    -v calls_note="$calls_note" 'BEGIN {
    mb = size / 1e6
    bs = bare_ns / 1e9; ts = tg_ns / 1e9
    printf "capture: %.0f MB, %d packets, %d flows (best of %d runs each)\n", mb, pk, flows, runs
    printf "%-30s %8.3f s %9.1f MB/s %8.2f Mpkt/s  peak RSS %7.1f MB\n", "bare libpcap loop (reference)", bs, mb / bs, pk / bs / 1e6, bare_kb / 1024
    printf "%-30s %8.3f s %9.1f MB/s %8.2f Mpkt/s  peak RSS %7.1f MB\n", "tollgate analyze -q", ts, mb / ts, pk / ts / 1e6, tg_kb / 1024
    ls = lp_ns / 1e9
    printf "%-30s %8.3f s %9.1f MB/s %8.2f Mpkt/s  peak RSS %7.1f MB\n", "  ... with capture.mmap=no", ls, mb / ls, pk / ls / 1e6, lp_kb / 1024
    ss = st_ns / 1e9
    printf "%-30s %8.3f s %9.1f MB/s %8.2f Mpkt/s  peak RSS %7.1f MB\n", "  ... with capture.threads=no", ss, mb / ss, pk / ss / 1e6, st_kb / 1024
    r = bs / ts
    printf "throughput ratio tollgate/bare loop: %.2f (target >= 0.5)%s; with capture.mmap=no %.2f, with capture.threads=no %.2f\n", r, (r >= 0.5 ? "" : "  BELOW TARGET"), bs / ls, bs / ss
    if (tg_cpu > 0)
        printf "CPU time (user+sys, 10 ms ticks) ratio bare loop/tollgate: %.2f (%.2f s / %.2f s; steadier than wall time on a busy machine)\n", bare_cpu / tg_cpu, bare_cpu / 1000, tg_cpu / 1000
    printf "peak RSS ratio tollgate/bare loop: %.1f\n", tg_kb / bare_kb
    per = (big_kb - small_kb) * 1024 / (nbig - nsmall)
    printf "memory per live flow: %.0f bytes (peak RSS %.1f MB at %d flows, %.1f MB at %d; bare loop %.1f MB)\n", per, big_kb / 1024, nbig, small_kb / 1024, nsmall, fbare_kb / 1024
    if (sipmsgs == "")
        printf "SIP messages per second: n/a (no sip.messages counter in the stats event)\n"
    else
        printf "SIP messages per second: %.0f (%d messages in %.3f s, whole analyze run)\n", sipmsgs / ts, sipmsgs, ts
    if (calls_note != "")
        printf "memory per active call: %s\n", calls_note
    else
        printf "memory per active call: %.0f bytes, its SIP flow included (peak RSS %.1f MB at %d calls, %.1f MB at %d)\n", (cbig_kb - csmall_kb) * 1024 / (cnbig - cnsmall), cbig_kb / 1024, cnbig, csmall_kb / 1024, cnsmall
}'

# ---- rule prefilter: Aho-Corasick (ac) against Hyperscan (hs) ----------
set --
for f in rules/*.rules; do [ -e "$f" ] && set -- "$@" -S "$f"; done
nshared=0
if [ -d "$SHARED/rules" ]; then
    for f in $(find "$SHARED/rules" -name '*.rules' | sort); do
        set -- "$@" -S "$f"
        nshared=$((nshared + 1))
    done
fi
echo "== rule prefilter (detect.mpm): rules/*.rules + $nshared ET/Snort files from $SHARED/rules"
echo "-- fast patterns on the bench capture's payloads:"
"$BUILD/tools/mpmbench" -r "$BENCH_RUNS" "$@" "$tmp/big.pcap" >"$tmp/mpm" 2>&1 || { cat "$tmp/mpm" >&2; exit 1; }
sed 's/^/   /' "$tmp/mpm"
real=$(find pcaps "$SHARED/pcaps" \( -name '*.pcap' -o -name '*.pcapng' \) 2>/dev/null | sort)
if [ -n "$real" ]; then
    echo "-- fast patterns on the payloads of $(echo "$real" | wc -l) real captures (pcaps/, $SHARED/pcaps/):"
    # shellcheck disable=SC2086
    "$BUILD/tools/mpmbench" -r 20 "$@" $real >"$tmp/mpm-real" 2>&1 || { cat "$tmp/mpm-real" >&2; exit 1; }
    sed 's/^/   /' "$tmp/mpm-real"
fi
if grep -q '^hs .*unavailable' "$tmp/mpm"; then
    echo "SKIP tollgate analyze ac vs hs: Hyperscan is not usable in this build or on this CPU"
else
    best3 rac "$TG" analyze -q --skip-bad-rules --set detect.mpm=ac -l "$tmp/log" "$@" "$tmp/big.pcap"
    ac_alerts=$(grep -c '"event_type":"alert"' "$tmp/log/eve.json")
    best3 rhs "$TG" analyze -q --skip-bad-rules --set detect.mpm=hs -l "$tmp/log" "$@" "$tmp/big.pcap"
    hs_alerts=$(grep -c '"event_type":"alert"' "$tmp/log/eve.json")
    awk -v size="$size" -v ac_ns="$rac_ns" -v hs_ns="$rhs_ns" -v ac_cpu="$rac_cpu" -v hs_cpu="$rhs_cpu" \
        -v bare_ns="$bare_ns" -v tg_ns="$tg_ns" -v aa="$ac_alerts" -v ha="$hs_alerts" 'BEGIN {
        mb = size / 1e6
        printf "%-30s %8.3f s %9.1f MB/s  CPU %.2f s  alerts %d\n", "analyze -q -S ... mpm=ac", ac_ns / 1e9, mb / (ac_ns / 1e9), ac_cpu / 1000, aa
        printf "%-30s %8.3f s %9.1f MB/s  CPU %.2f s  alerts %d\n", "analyze -q -S ... mpm=hs", hs_ns / 1e9, mb / (hs_ns / 1e9), hs_cpu / 1000, ha
        printf "analyze throughput ratio hs/ac: %.2f (CPU time ac/hs %.2f); with rules vs bare loop: ac %.2f, hs %.2f\n", ac_ns / hs_ns, (hs_cpu > 0 ? ac_cpu / hs_cpu : 0), bare_ns / ac_ns, bare_ns / hs_ns
        printf "with the shipped + ET rules vs the no-rules run: ac %.2f, hs %.2f (throughput ratio)\n", tg_ns / ac_ns, tg_ns / hs_ns
        if (aa != ha)
            printf "MISMATCH: the backends gave different alert counts\n"
    }'
    [ "$ac_alerts" = "$hs_alerts" ] || exit 1
    # Real traffic through the whole engine: the shared captures, each
    # listed BENCH_REAL_REPEAT times so the run is long enough to time.
    sreal=$(find "$SHARED/pcaps" \( -name '*.pcap' -o -name '*.pcapng' \) 2>/dev/null | sort)
    if [ -n "$sreal" ]; then
        rep=${BENCH_REAL_REPEAT:-10}
        list="" i=0
        while [ $i -lt "$rep" ]; do list="$list $sreal"; i=$((i + 1)); done
        # shellcheck disable=SC2086
        rsize=$(cat $list | wc -c)
        # shellcheck disable=SC2086
        best3 qac "$TG" analyze -q --skip-bad-rules --set detect.mpm=ac -l "$tmp/log" "$@" $list
        qa=$(grep -c '"event_type":"alert"' "$tmp/log/eve.json")
        # shellcheck disable=SC2086
        best3 qhs "$TG" analyze -q --skip-bad-rules --set detect.mpm=hs -l "$tmp/log" "$@" $list
        qh=$(grep -c '"event_type":"alert"' "$tmp/log/eve.json")
        awk -v size="$rsize" -v ac_ns="$qac_ns" -v hs_ns="$qhs_ns" -v ac_cpu="$qac_cpu" -v hs_cpu="$qhs_cpu" \
            -v aa="$qa" -v ha="$qh" -v n="$(echo "$sreal" | wc -l)" -v rep="$rep" 'BEGIN {
            mb = size / 1e6
            printf "real captures (%d files x %d, %.0f MB), whole engine with the rules:\n", n, rep, mb
            printf "%-30s %8.3f s %9.1f MB/s  CPU %.2f s  alerts %d\n", "analyze -q -S ... mpm=ac", ac_ns / 1e9, mb / (ac_ns / 1e9), ac_cpu / 1000, aa
            printf "%-30s %8.3f s %9.1f MB/s  CPU %.2f s  alerts %d\n", "analyze -q -S ... mpm=hs", hs_ns / 1e9, mb / (hs_ns / 1e9), hs_cpu / 1000, ha
            printf "analyze throughput ratio hs/ac on real captures: %.2f (CPU time ac/hs %.2f)\n", ac_ns / hs_ns, (hs_cpu > 0 ? ac_cpu / hs_cpu : 0)
            if (aa != ha)
                printf "MISMATCH: the backends gave different alert counts\n"
        }'
        [ "$qa" = "$qh" ] || exit 1
    fi
fi
rm -f "$tmp"/*.pcap
