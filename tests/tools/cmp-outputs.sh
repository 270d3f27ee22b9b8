#!/bin/sh
# cmp-outputs.sh OLD NEW [CAPTURE...] - run two tollgate binaries over the
# same captures and report any difference in eve.json, fast.log, the stats
# and every table of tollgate.db. Wall-clock fields (run start and end,
# uptime, rates) are the only ones filtered: capture timestamps come from
# the packets, so everything else must be byte-identical. Without CAPTURE
# arguments: every pcaps/*.pcap[ng] (with its .args) and, when present,
# every capture under $SHARED/pcaps. Prints "same NAME" / "DIFF NAME" lines
# and a last line "N same, N different"; exits non-zero on a difference.
# EXTRA_ARGS are added to every run (e.g. "-S rules/voip-attacks.rules" so
# the SIP rule buffers are exercised too). A tool for optimisation work,
# not part of make check.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED:-$TOP/../shared}
[ $# -ge 2 ] || { echo "usage: $0 OLD-TOLLGATE NEW-TOLLGATE [CAPTURE...]" >&2; exit 2; }
old=$1 new=$2
shift 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmp-outputs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ $# -eq 0 ]; then
    set -- "$TOP"/pcaps/*.pcap "$TOP"/pcaps/*.pcapng
    if [ -d "$SHARED/pcaps" ]; then
        # shellcheck disable=SC2046
        set -- "$@" $(find "$SHARED/pcaps" -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' | sort)
    fi
fi
# Normalise one run's outputs into one text: flow_id values (keyed by a
# per-run random SipHash key) become their order of first appearance, the
# runs table's wall-clock times are blanked, and so is the counter
# call.register_pending_overwritten (REGISTER slots are picked by a keyed
# hash with a random key, so slot collisions differ from run to run);
# everything else is kept.
norm() {
    python3 - "$1" <<'PY'
import os, re, sqlite3, sys
d = sys.argv[1]
ids = {}
def fid(m):
    return m.group(1) + str(ids.setdefault(m.group(2), len(ids)))
out = []
p = os.path.join(d, "eve.json")
if os.path.exists(p):
    for line in open(p, encoding="utf-8", errors="surrogateescape"):
        line = re.sub(r'("flow_id":)(\d+)', fid, line.rstrip("\n"))
        out.append(re.sub(r'"register_pending_overwritten":\d+', '"register_pending_overwritten":N', line))
p = os.path.join(d, "tollgate.db")
if os.path.exists(p):
    db = sqlite3.connect(p)
    db.text_factory = bytes
    tabs = [r[0].decode() for r in db.execute("select name from sqlite_master where type='table' order by name")]
    for t in tabs:
        cols = [r[1].decode() for r in db.execute('pragma table_info("%s")' % t)]
        out.append("== %s %s" % (t, cols))
        for row in db.execute('select * from "%s" order by rowid' % t):
            row = list(row)
            for i, c in enumerate(cols):
                if c == "flow_id" and row[i] is not None:
                    row[i] = "F%d" % ids.setdefault(str(row[i]), len(ids))
                if t == "runs" and c in ("start_time", "end_time", "inputs"):
                    row[i] = "T"
            if t == "stats" and b"register_pending_overwritten" in row:
                row[2] = "N"
            out.append(repr(row))
p = os.path.join(d, "fast.log")
if os.path.exists(p):
    out.append("== fast.log")
    out.extend(l.rstrip("\n") for l in open(p, encoding="utf-8", errors="surrogateescape"))
sys.stdout.write("\n".join(out) + "\n")
PY
}
same=0 diff=0
for cap in "$@"; do
    [ -f "$cap" ] || continue
    args=""
    base=${cap%.*}
    [ -f "$base.args" ] && args=$(cat "$base.args")
    bad=""
    args="$args ${EXTRA_ARGS:-}"
    for side in old new; do
        bin=$old
        [ $side = new ] && bin=$new
        rm -rf "$tmp/$side"
        # shellcheck disable=SC2086
        "$bin" analyze -q -l "$tmp/$side" $args "$cap" >"$tmp/$side.out" 2>"$tmp/$side.err"
        echo "exit $?" >>"$tmp/$side.err"
        norm "$tmp/$side" >"$tmp/$side.all" || bad="$bad normalise-failed"
    done
    for f in all err out; do
        cmp -s "$tmp/old.$f" "$tmp/new.$f" 2>/dev/null || bad="$bad $f"
    done
    name=${cap#"$TOP"/}
    if [ -z "$bad" ]; then
        same=$((same + 1)); [ -n "$VERBOSE" ] && echo "same $name"
    else
        diff=$((diff + 1)); echo "DIFF $name:$bad"
        [ -n "$VERBOSE" ] && for f in $bad; do diff "$tmp/old.$f" "$tmp/new.$f" | head -10; done
    fi
done
echo "$same same, $diff different"
[ "$diff" = 0 ]
