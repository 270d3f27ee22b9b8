#!/bin/sh
# rules-test.sh - "tollgate rules test" names the packet, rule, buffer and
# offset of every match (offsets checked against the bytes tshark shows in
# pcaps/defrag-ipv4-ooo.pcap: "SIP/2.0" at 28, "Via:" at 37 in the
# INVITEs), and counts alerts after thresholds.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cat >"$tmp/t.rules" <<'RULES'
alert udp any any -> any any (msg:"sip request"; content:"SIP/2.0|0d 0a|"; sid:100; rev:2;)
alert udp any any -> any any (msg:"via"; content:"Via:"; content:"branch="; distance:0; threshold:type limit, track by_src, count 1, seconds 3600; sid:101;)
RULES
"$BUILD/tollgate" rules test "$tmp/t.rules" pcaps/defrag-ipv4-ooo.pcap | sed "s|$tmp/||" >"$tmp/got"
cat >"$tmp/want" <<'WANT'
packet 3 2023-11-14T22:13:20.003000+0000 198.18.0.10:5060 -> 198.18.0.20:5060  1:100:2 alert "sip request"  matched pkt_data at offset 28
packet 3 2023-11-14T22:13:20.003000+0000 198.18.0.10:5060 -> 198.18.0.20:5060  1:101:0 alert "via"  matched pkt_data at offset 37
packet 6 2023-11-14T22:13:20.006000+0000 198.18.0.20:5060 -> 198.18.0.10:5060  1:101:0 alert "via"  matched pkt_data at offset 16
packet 10 2023-11-14T22:13:20.009999+0000 198.18.0.10:5062 -> 198.18.0.20:5060  1:100:2 alert "sip request"  matched pkt_data at offset 28
packet 10 2023-11-14T22:13:20.009999+0000 198.18.0.10:5062 -> 198.18.0.20:5060  1:101:0 alert "via"  matched pkt_data at offset 37
packet 11 2023-11-14T22:13:20.010999+0000 198.18.0.10:5062 -> 198.18.0.20:5060  1:100:2 alert "sip request"  matched pkt_data at offset 28
packet 11 2023-11-14T22:13:20.010999+0000 198.18.0.10:5062 -> 198.18.0.20:5060  1:101:0 alert "via"  matched pkt_data at offset 37
summary: 7 matches
  1:100:2 alert  alerts 3      t.rules:1 "sip request"
  1:101:0 alert  alerts 2      t.rules:2 "via"
WANT
if diff -u "$tmp/want" "$tmp/got"; then echo "ok   rules-test: matches, buffers, offsets"; pass=1; else echo "FAIL rules-test"; fail=1; fi
if "$BUILD/tollgate" rules test "$tmp/t.rules" >/dev/null 2>&1; then echo "FAIL rules-test: no capture must be a usage error"; fail=$((fail + 1))
else echo "ok   rules-test: usage error without a capture"; pass=$((pass + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
