#!/bin/sh
# demo.sh BUILD - the main job on the bundled capture: analyse it with the
# shipped rules, then show the alerts, calls and flows it produced and the
# morning report (text here; HTML written next to the logs).
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
DEMO_PCAP=${DEMO_PCAP:-pcaps/demo.pcap}
LOG=${LOG:-tollgate-log/demo}
rm -rf "$LOG"
echo "== tollgate analyze -S rules/*.rules $DEMO_PCAP  (logs in $LOG)"
set --
for r in rules/*.rules; do set -- "$@" -S "$r"; done
"$BUILD/tollgate" analyze -q "$@" --set vars.address.SIP_SERVERS=198.18.20.2 \
    --set vars.address.HOME_NET=198.18.20.0/24 -l "$LOG" "$DEMO_PCAP" || exit 1
echo "== alerts (fast.log, first 10 of $(wc -l <"$LOG/fast.log"))"
head -10 "$LOG/fast.log"
echo "== calls and flows (eve.json, summarised)"
python3 tests/summary.py "$LOG" | grep -E '^(call|flow|sip) ' | head -20
echo "== tollgate report --db $LOG/tollgate.db"
"$BUILD/tollgate" report --db "$LOG/tollgate.db"
"$BUILD/tollgate" report --db "$LOG/tollgate.db" --format html -o "$LOG/report.html"
echo "== HTML report: $LOG/report.html"
