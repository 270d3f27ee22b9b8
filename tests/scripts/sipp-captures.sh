#!/bin/sh
# sipp-captures.sh - the recorded sipp captures (tests/tools/record-sipp.sh)
# are what their NAME.calls.txt says, checked with tshark as the independent
# reader: the SIP messages (method, or status/CSeq method) each holds, the
# RTP packets tshark attaches to the calls through SDP, the transport and
# IP version, that the large TCP INVITE really spans several segments, that
# the per-call times in .calls.txt are what tests/tools/calls-from-pcap.py
# reads, and the size limits (200 kB, demo 300 kB). Skips visibly without
# tshark.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$TOP" || exit 1
pass=0 fail=0 skip=0
# name|SIP messages|RTP packets|filter that must match every SIP packet
CASES='sipp-answered|100/INVITE=1 180/INVITE=1 200/BYE=1 200/INVITE=1 ACK=1 BYE=1 INVITE=1|200|udp and ip
sipp-busy|100/INVITE=2 486/INVITE=2 ACK=2 INVITE=2|0|udp and ip
sipp-notfound|404/INVITE=2 ACK=2 INVITE=2|0|udp and ip
sipp-cancel|100/INVITE=1 180/INVITE=1 200/CANCEL=1 487/INVITE=1 ACK=1 CANCEL=1 INVITE=1|0|udp and ip
sipp-tcp-large|100/INVITE=1 180/INVITE=1 200/BYE=1 200/INVITE=1 ACK=1 BYE=1 INVITE=1|0|tcp and ip
sipp-ipv6|100/INVITE=1 180/INVITE=1 200/BYE=1 200/INVITE=1 ACK=1 BYE=1 INVITE=1|200|udp and ipv6
demo|100/INVITE=3 180/INVITE=2 200/BYE=2 200/INVITE=2 200/OPTIONS=40 486/INVITE=1 ACK=3 BYE=2 INVITE=3 OPTIONS=40|400|udp and ip'
if ! command -v tshark >/dev/null 2>&1; then
    echo "$CASES" | while IFS='|' read -r name _; do echo "SKIP $name: tshark not installed"; done
    echo "0 passed, 0 failed, $(echo "$CASES" | wc -l) skipped"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "$CASES" >"$tmp/cases"
while IFS='|' read -r name want rtp filter; do
    f=pcaps/$name.pcap
    why=""
    if [ ! -f "$f" ] || [ ! -s "pcaps/$name.calls.txt" ]; then
        echo "FAIL $name: $f or its .calls.txt missing"; fail=$((fail + 1)); continue
    fi
    got=$(tshark -r "$f" -Y sip -T fields -e sip.Method -e sip.Status-Code -e sip.CSeq.method 2>/dev/null |
        awk -F'\t' '{ k = ($1 != "") ? $1 : $2 "/" $3; n[k]++ } END { for (k in n) print k "=" n[k] }' |
        sort | tr '\n' ' ' | sed 's/ $//')
    [ "$got" = "$want" ] || why="$why; SIP messages \"$got\", want \"$want\""
    n=$(tshark -r "$f" -Y rtp 2>/dev/null | wc -l)
    [ "$n" = "$rtp" ] || why="$why; $n RTP packets, want $rtp"
    other=$(tshark -r "$f" -Y "sip and not ($filter)" 2>/dev/null | wc -l)
    [ "$other" = 0 ] || why="$why; $other SIP packets not matching \"$filter\""
    size=$(wc -c <"$f")
    limit=204800
    [ "$name" = demo ] && limit=307200
    [ "$size" -lt "$limit" ] || why="$why; $size bytes, limit $limit"
    python3 tests/tools/calls-from-pcap.py "$f" >"$tmp/tshark-calls" 2>/dev/null
    grep '^tshark ' "pcaps/$name.calls.txt" | cmp -s - "$tmp/tshark-calls" ||
        why="$why; the tshark lines of $name.calls.txt differ from tests/tools/calls-from-pcap.py"
    if [ "$name" = sipp-tcp-large ]; then
        segs=$(tshark -r "$f" -Y 'sip.Method == "INVITE"' -T fields -e tcp.segment.count 2>/dev/null)
        [ "${segs:-0}" -ge 3 ] || why="$why; INVITE in ${segs:-0} TCP segments, want 3 or more"
    fi
    if [ -z "$why" ]; then
        echo "ok   $name"; pass=$((pass + 1))
    else
        echo "FAIL $name${why#;}" | sed 's/^FAIL \([^ ]*\) /FAIL \1: /'; fail=$((fail + 1))
    fi
done <"$tmp/cases"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
