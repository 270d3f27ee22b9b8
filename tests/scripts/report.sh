#!/bin/sh
# report.sh - tollgate report over a real run's database (demo.pcap with the
# VoIP rules) plus call and registration rows inserted with known values:
# per-URI counts and talk time, a theft suspect (international calls from a
# host that never registered), a SPIT source (12 callees, all short or
# unanswered), alert counts, the time filter, two databases at once, and the
# four formats.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
TG="$BUILD/tollgate"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
"$TG" analyze -q -S rules/voip-attacks.rules -l "$tmp/log" pcaps/demo.pcap
db="$tmp/log/tollgate.db"
python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, run_id INTEGER, call_id TEXT, caller_uri TEXT,
  callee_uri TEXT, callee_user TEXT, caller_ip TEXT, invite_time TEXT, end_time TEXT, talk_s REAL, outcome TEXT);
CREATE TABLE IF NOT EXISTS registrations (id INTEGER PRIMARY KEY, run_id INTEGER, ts TEXT, aor TEXT,
  src_ip TEXT, result INTEGER);
""")
# The demo run's own calls are checked elsewhere (sipp-calls.sh); start
# from known rows only.
db.execute("DELETE FROM calls")
db.execute("DELETE FROM registrations")
cols = "run_id, call_id, caller_uri, callee_uri, callee_user, caller_ip, invite_time, end_time, talk_s, outcome"
def call(cid, a, b, buser, ip, t, talk, outcome):
    db.execute(f"INSERT INTO calls ({cols}) VALUES (1,?,?,?,?,?,?,?,?,?)",
               (cid, a, b, buser, ip, t, t, talk, outcome))
for i in range(3):
    call(f"a{i}", "sip:alice@pbx", "sip:bob@pbx", "bob", "198.18.1.1", f"2026-11-20T09:0{i}:00.000000Z", 60, "answered")
call("b0", "sip:bob@pbx", "sip:alice@pbx", "alice", "198.18.1.2", "2026-11-20T10:00:00.000000Z", 30, "answered")
call("f0", "sip:x@pbx", "sip:0044123456789@pbx", "0044123456789", "198.18.9.9", "2026-11-21T03:00:00.000000Z", 120, "answered")
call("f1", "sip:x@pbx", "sip:+4930123456@pbx", "+4930123456", "198.18.9.9", "2026-11-21T03:05:00.000000Z", 120, "answered")
for i in range(12):
    ans = i < 2
    call(f"s{i}", "sip:promo@spam", f"sip:{100 + i}@pbx", str(100 + i), "198.18.7.7",
         f"2026-11-21T11:{i:02d}:00.000000Z", 3 if ans else 0, "answered" if ans else "cancelled")
db.execute("INSERT INTO registrations (run_id, ts, aor, src_ip, result) VALUES (1,'2026-11-20T08:00:00.000000Z','sip:alice@pbx','198.18.1.1',200)")
db.execute("INSERT INTO registrations (run_id, ts, aor, src_ip, result) VALUES (1,'2026-11-20T08:00:01.000000Z','sip:bob@pbx','198.18.1.2',401)")
db.commit()
PY
"$TG" report --db "$db" --format json >"$tmp/r.json" || bad "report json exit"
python3 - "$tmp/r.json" >"$tmp/checks" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
def check(name, got, want):
    print(("ok   " if got == want else "FAIL ") + f"report: {name}" + ("" if got == want else f": got {got!r}, want {want!r}"))
check("calls", s["calls"], 18)
check("answered", s["answered"], 8)
check("talk", s["talk_s"], 3 * 60 + 30 + 240 + 6)
check("registrations and failures", (s["registrations"], s["auth_failures"]), (2, 1))
check("alerts from the demo run", s["alerts"], 41)
u = {x["uri"]: x for x in r["uris"]}
check("alice made/answered/talk", (u["sip:alice@pbx"]["made"], u["sip:alice@pbx"]["made_answered"], u["sip:alice@pbx"]["talk_made_s"]), (3, 3, 180))
check("alice received", (u["sip:alice@pbx"]["received"], u["sip:alice@pbx"]["talk_received_s"]), (1, 30))
check("bob received", u["sip:bob@pbx"]["received"], 3)
check("theft suspects", [(x["ip"], x["international"]) for x in r["theft_suspects"]], [("198.18.9.9", 2)])
check("spit sources", [(x["ip"], x["calls"], x["callees"], x["short_or_unanswered"]) for x in r["spit_sources"]], [("198.18.7.7", 12, 12, 12)])
check("alerts per signature", [(x["sid"], x["count"]) for x in r["alerts"]], [(9100001, 40), (9100020, 1)])
check("calls by hour", (r["calls_by_hour"][9], r["calls_by_hour"][3], r["calls_by_hour"][11]), (3, 2, 12))
PY
cat "$tmp/checks"
pass=$((pass + $(grep -c '^ok' "$tmp/checks"))); fail=$((fail + $(grep -c '^FAIL' "$tmp/checks")))
# time filter: only 2026-11-20
"$TG" report --db "$db" --from 2026-11-20 --to 2026-11-20 --format json | python3 -c '
import json, sys; r = json.load(sys.stdin); print(r["summary"]["calls"], len(r["theft_suspects"]), len(r["spit_sources"]))' >"$tmp/f"
[ "$(cat "$tmp/f")" = "4 0 0" ] && ok "report: --from/--to keep one day" || bad "report: time filter: $(cat "$tmp/f")"
# two sensors at once: the same database twice doubles the counts
"$TG" report --db "$db" --db "$db" --format json | python3 -c '
import json, sys; print(json.load(sys.stdin)["summary"]["calls"])' >"$tmp/two"
[ "$(cat "$tmp/two")" = 36 ] && ok "report: several databases" || bad "report: several databases: $(cat "$tmp/two")"
"$TG" report --db "$db" >"$tmp/r.txt" && grep -q "198.18.7.7 .*calls 12 to 12 callees" "$tmp/r.txt" &&
    grep -q "^sip:alice@pbx  *3  *3    0:03:00  *1  *1    0:00:30" "$tmp/r.txt" && ok "report: text" || bad "report: text"
"$TG" report --db "$db" --format csv >"$tmp/r.csv" && grep -q '^spit_source,"198.18.7.7","sip:promo@spam",12,12,12,' "$tmp/r.csv" &&
    ok "report: csv" || bad "report: csv"
"$TG" report --db "$db" --format html -o "$tmp/r.html" && python3 - "$tmp/r.html" <<'PY' && ok "report: html (well-formed, charts, tables)" || bad "report: html"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.count = {}
    def handle_starttag(self, t, a):
        self.count[t] = self.count.get(t, 0) + 1
        if t not in ("meta", "br", "rect"): self.stack.append(t)
    def handle_endtag(self, t):
        if t == "rect": return
        assert self.stack and self.stack[-1] == t, (t, self.stack[-3:])
        self.stack.pop()
p = P(); p.feed(open(sys.argv[1]).read())
assert not p.stack and p.count.get("svg", 0) >= 3 and p.count.get("table", 0) == 4, p.count
PY
"$TG" report --db "$tmp/nonexistent.db" >/dev/null 2>"$tmp/e"; rc=$?
[ "$rc" = 1 ] && grep -q "nonexistent.db" "$tmp/e" && ok "report: missing database named, exit 1" || bad "report: missing db rc=$rc"
"$TG" report --db "$db" --from yesterday >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok "report: bad time is a usage error" || bad "report: bad time rc=$rc"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
