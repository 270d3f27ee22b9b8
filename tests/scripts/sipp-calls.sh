#!/bin/sh
# sipp-calls.sh - the call records tollgate writes for each pcaps/NAME.pcap
# that has a NAME.calls.txt (sipp's statistics and tshark's reading of the
# capture) must match it: same number of calls, the same Call-IDs, caller
# and callee URIs and IPs, transport, final status and outcome, setup time
# and talk time within 10 ms. Checked in both the EVE call events and the
# store's calls table.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for truth in pcaps/*.calls.txt; do
    [ -f "$truth" ] || continue
    name=$(basename "$truth" .calls.txt)
    cap=pcaps/$name.pcap
    if [ ! -f "$cap" ]; then
        echo "FAIL $name: no $cap"; fail=$((fail + 1)); continue
    fi
    rm -rf "$tmp/log"
    "$BUILD/tollgate" analyze -q -l "$tmp/log" "$cap" 2>"$tmp/stderr"
    if python3 - "$truth" "$tmp/log" >"$tmp/out" 2>&1 <<'PY'
import json, re, sqlite3, sys
truth, log = sys.argv[1], sys.argv[2]
want = {}      # call_id -> fields
order = []     # tshark call number -> call_id
outcomes = {}  # tshark call number -> outcome (from the scenario lines)
for line in open(truth, encoding="utf-8"):
    m = re.match(r"tshark call (\d+): (.*)", line)
    if m:
        f = dict(kv.split("=", 1) for kv in m.group(2).split())
        want[f["call_id"]] = f
        order.append((int(m.group(1)), f["call_id"]))
        continue
    m = re.match(r"calls? (\d+)(?:-(\d+))?: caller .*outcome=(\w+)", line)
    if m:
        a = int(m.group(1)); b = int(m.group(2) or a)
        for n in range(a, b + 1):
            outcomes[n] = m.group(3)
for n, cid in order:
    if n in outcomes:
        want[cid]["outcome"] = outcomes[n]
got = {}
for raw in open(f"{log}/eve.json", encoding="utf-8"):
    ev = json.loads(raw)
    if ev["event_type"] == "call":
        got[ev["call"]["call_id"]] = ev["call"]
db = sqlite3.connect(f"{log}/tollgate.db")
rows = {r[0]: r for r in db.execute(
    "SELECT call_id, caller_uri, callee_uri, status, outcome, setup_ms, talk_s FROM calls")}
errs = []
if len(got) != len(want):
    errs.append(f"{len(got)} calls in EVE, truth has {len(want)}")
if len(rows) != len(want):
    errs.append(f"{len(rows)} calls in the store, truth has {len(want)}")
for cid, w in want.items():
    c = got.get(cid)
    if not c:
        errs.append(f"{cid}: no call record"); continue
    for k, ck in (("caller", "caller_uri"), ("callee", "callee_uri"), ("caller_ip", "caller_ip"),
                  ("callee_ip", "callee_ip"), ("transport", "transport")):
        if str(c.get(ck)) != w[k]:
            errs.append(f"{cid}: {ck} {c.get(ck)} != {w[k]}")
    if str(c.get("status")) != w["status"]:
        errs.append(f"{cid}: status {c.get('status')} != {w['status']}")
    if "outcome" in w and c["outcome"] != w["outcome"]:
        errs.append(f"{cid}: outcome {c['outcome']} != {w['outcome']}")
    if abs(c.get("setup_ms", -1e9) - float(w["setup_ms"])) > 10:
        errs.append(f"{cid}: setup_ms {c.get('setup_ms')} != {w['setup_ms']}")
    if "talk_ms" in w:
        if c.get("talk_s") is None or abs(c["talk_s"] * 1000 - float(w["talk_ms"])) > 10:
            errs.append(f"{cid}: talk_s {c.get('talk_s')} != {w['talk_ms']} ms")
    elif "talk_s" in c:
        errs.append(f"{cid}: talk_s {c['talk_s']} for a call never answered")
    r = rows.get(cid)
    if not r or r[1] != w["caller"] or r[2] != w["callee"] or str(r[3]) != w["status"] \
            or ("outcome" in w and r[4] != w["outcome"]) or abs(r[5] - float(w["setup_ms"])) > 10 \
            or (("talk_ms" in w) != (r[6] is not None)) \
            or ("talk_ms" in w and abs(r[6] * 1000 - float(w["talk_ms"])) > 10):
        errs.append(f"{cid}: store row {r} disagrees with the truth")
for e in errs:
    print(e)
sys.exit(1 if errs else 0)
PY
    then
        echo "ok   $name ($(grep -c '^tshark call' "$truth") calls)"; pass=$((pass + 1))
    else
        echo "FAIL $name"; sed 's/^/    /' "$tmp/out"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
