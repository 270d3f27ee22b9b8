#!/bin/sh
# suricata-verify.sh - runs tollgate over every suricata-verify test that has a
# pcap ($SHARED/pcaps/suricata-verify/*/), with the test's rules (test.rules,
# or the rules file the test names or holds), and checks every test.yaml
# "checks" filter tollgate can honour: counts of alerts per signature_id,
# counts of sip records, field matches on sip / alert / flow / anomaly
# records whose fields tollgate writes (Suricata's names and layout).
# A filter tollgate cannot evaluate (frames, Suricata stats counters, drop
# records, records of protocols tollgate does not log, options such as
# --simulate-applayer-error) is a visible SKIP with the reason; any other
# mismatch is a FAIL. Skips visibly without the shared captures.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
DIR=$SHARED/pcaps/suricata-verify
if [ ! -d "$DIR" ]; then
    echo "SKIP suricata-verify: $DIR not present (set SHARED=/path/to/shared)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
if ! python3 -c "import yaml" 2>/dev/null; then
    echo "SKIP suricata-verify: python3-yaml not installed (make deps)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
exec python3 "$TOP/tests/tools/suricata-verify.py" "$DIR" "$TOP/$BUILD/tollgate"
