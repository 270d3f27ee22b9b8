#!/bin/sh
# demo.sh BUILD - the main job on the bundled capture: analyse it, then show
# the alerts, flows and statistics it produced.
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
DEMO_PCAP=${DEMO_PCAP:-pcaps/demo.pcap}
LOG=${LOG:-tollgate-log/demo}
rm -rf "$LOG"
echo "== tollgate analyze $DEMO_PCAP (logs in $LOG)"
"$BUILD/tollgate" analyze -l "$LOG" "$DEMO_PCAP" || exit 1
echo "== summary"
python3 tests/summary.py "$LOG"
