#!/bin/sh
# outputs.sh - end to end checks of the log directory: sensor_id on every EVE
# record and database row, flow records agreeing between eve.json and
# tollgate.db, a second run appending, and configuration errors exiting 2.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
pass=0 fail=0
tmp="$BUILD/outputs.tmp"
rm -rf "$tmp" && mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
check() { # name, command...
    name=$1
    shift
    if "$@" >"$tmp/out" 2>&1; then
        echo "ok   $name"; pass=$((pass + 1))
    else
        echo "FAIL $name"; head -20 "$tmp/out"; fail=$((fail + 1))
    fi
}
CAP=pcaps/flow-table.pcap
"$BUILD/tollgate" analyze -q -l "$tmp/log" --set sensor_id=edge-7 --set flow.hash-seed=1 "$CAP"
check "analyze exits 0" test $? = 0
check "sensor_id on every EVE record" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "empty eve.json"
for l in lines:
    assert json.loads(l)["sensor_id"] == "edge-7", l' "$tmp/log/eve.json"
check "sensor_id on every db row" python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("PRAGMA user_version").fetchone()[0] == 4
for t in ("runs", "flows", "stats"):
    n, good = db.execute(f"SELECT count(*), sum(sensor_id = \"edge-7\") FROM {t}").fetchone()
    assert n > 0 and n == good, (t, n, good)' "$tmp/log/tollgate.db"
check "eve flows equal db flows" python3 -c '
import json, sqlite3, sys
eve = sorted((e["flow_id"], e["proto"], e["src_ip"], e.get("src_port"), e["flow"]["pkts_toserver"],
              e["flow"]["pkts_toclient"], e["flow"]["state"], e["flow"]["reason"], e["flow"]["start"][:26])
             for e in map(json.loads, open(sys.argv[1])) if e["event_type"] == "flow")
db = sqlite3.connect(sys.argv[2])
rows = sorted((r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8][:26].replace("Z", ""))
              for r in db.execute("SELECT flow_id, proto, src_ip, src_port, pkts_toserver, pkts_toclient,"
                                  " state, reason, start_time FROM flows"))
assert len(eve) == 8, len(eve)
assert eve == rows, (eve, rows)' "$tmp/log/eve.json" "$tmp/log/tollgate.db"
check "flow ids fixed by flow.hash-seed" sh -c '
"$1/tollgate" analyze -q -l "$2/again" --set flow.hash-seed=1 "$3" &&
a=$(grep -o "\"flow_id\":[0-9]*" "$2/log/eve.json" | sort) &&
b=$(grep -o "\"flow_id\":[0-9]*" "$2/again/eve.json" | sort) && [ -n "$a" ] && [ "$a" = "$b" ]' - "$BUILD" "$tmp" "$CAP"
"$BUILD/tollgate" analyze -q -l "$tmp/log" "$CAP"
check "second run appends" python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
assert db.execute("SELECT count(DISTINCT run_id) FROM flows").fetchone()[0] == 2' "$tmp/log/tollgate.db"
"$BUILD/tollgate" analyze -q -l "$tmp/bad" --set flow.timeout.udp.new=soon "$CAP" 2>"$tmp/err"
rc=$?
check "bad value exits 2 naming the key" sh -c '[ "$1" = 2 ] && grep -q "^tollgate: --set: flow.timeout.udp.new = .soon. is not a duration" "$2"' - "$rc" "$tmp/err"
printf 'flow.memcap = 1m\nstore.batch = many\n' >"$tmp/bad.conf"
"$BUILD/tollgate" analyze -q -c "$tmp/bad.conf" -l "$tmp/bad" "$CAP" 2>"$tmp/err"
rc=$?
check "bad value in a file names file:line" sh -c '[ "$1" = 2 ] && grep -q "bad.conf:2: store.batch = .many. is not a size" "$2"' - "$rc" "$tmp/err"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
