#!/bin/sh
# rules-check.sh - the "tollgate rules check" command: statistics, error lines, exit status,
# --skip-bad-rules, -S, and rule files and variables taken from a config file.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
BIN="$TOP/$BUILD/tollgate"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # name, condition result (0 ok)
    if [ "$2" = 0 ]; then echo "ok   $1"; pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}

cat >"$tmp/good.rules" <<'R'
# VoIP rules
alert sip $EXTERNAL_NET any -> $SIP_SERVERS $SIP_PORTS (msg:"SIP From too long"; flow:to_server; \
    sip.from; bsize:>256; classtype:attempted-admin; sid:9000001; rev:1;)
drop sip $EXTERNAL_NET any -> $SIP_SERVERS any (msg:"REGISTER flood"; sip.method; content:"REGISTER"; \
    rate_limit:track by_src, count 50, seconds 10; sid:9000002; rev:1;)
alert udp any any -> any 5060 (msg:"scanner"; content:"User-Agent|3a| friendly-scanner"; fast_pattern; sid:9000003;)
pass tcp 198.18.0.0/15 any -> any any (msg:"trusted"; flow:established; sid:9000004;)
alert dns any any -> any any (msg:"dns"; dns.query; content:"evil"; sid:9000005;)
R
"$BIN" rules check "$tmp/good.rules" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat >"$tmp/want" <<'W'
rules: 5 loaded, 0 skipped
actions: alert 3, drop 1, pass 1
protocols: sip 2, dns 1, tcp 1, udp 1
buffers: dns.query 1, pkt_data 1, sip.from 1, sip.method 1
prefilter: 3 of 5 rules have a fast pattern (60.0%), 1 without payload matches, 1 other
inactive: 1 rules need a decoder this sensor does not have (dns 1)
W
cmp -s "$tmp/out" "$tmp/want"
check "good file: exact statistics" $?
[ "$rc" = 0 ] && [ ! -s "$tmp/err" ]
check "good file: exit 0, nothing on stderr" $?

cat >"$tmp/bad.rules" <<'R'
alert tcp any any -> any any (msg:"ok"; content:"a"; sid:1;)
alert tcp any any -> any any (msg:"bad depth"; content:"abcdef"; depth:3; sid:2;)
alert tcp any any -> any any (msg:"unknown"; foo:bar; sid:3;)
alert tcp any any -> any any (msg:"dup"; sid:1;)
R
"$BIN" rules check "$tmp/bad.rules" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ]
check "bad file: exit 2" $?
grep -qx "$tmp/bad.rules:2:66: error: depth: depth 3 is smaller than the content length 6" "$tmp/err"
check "bad file: depth error with line and column" $?
grep -qx "$tmp/bad.rules:3:46: error: foo: unknown keyword" "$tmp/err"
check "bad file: unknown keyword named" $?
grep -qx "$tmp/bad.rules:4:42: error: sid: duplicate sid 1:1 (first defined at $tmp/bad.rules:1:54)" "$tmp/err"
check "bad file: duplicate sid names both places" $?
grep -qx "tollgate: rules check: 3 errors" "$tmp/err"
check "bad file: error total" $?

"$BIN" rules check --skip-bad-rules "$tmp/bad.rules" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -qx "rules: 1 loaded, 3 skipped" "$tmp/out" && [ "$(grep -c '\[rule skipped\]$' "$tmp/err")" = 3 ]
check "--skip-bad-rules: loads the rest, lists each skipped rule, exit 0" $?

"$BIN" rules check -S "$tmp/good.rules" -S "$tmp/good.rules" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && [ "$(grep -c 'duplicate sid' "$tmp/err")" = 5 ]
check "-S twice: every sid reported as duplicate" $?

cat >"$tmp/tollgate.conf" <<C
rule-files = $tmp/home.rules
vars.address.HOME_NET = [198.18.0.0/15]
vars.address.SIP_SERVERS = [198.18.0.10, 198.18.0.11]
vars.port.SIP_PORTS = 5080
C
echo 'alert sip $EXTERNAL_NET any -> $SIP_SERVERS $SIP_PORTS (msg:"x"; sip_method:invite; sid:7;)' >"$tmp/home.rules"
"$BIN" rules check -c "$tmp/tollgate.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -qx "rules: 1 loaded, 0 skipped" "$tmp/out"
check "config: rule-files and vars" $?
"$BIN" rules check -c "$tmp/tollgate.conf" -S "$tmp/good.rules" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -qx "rules: 5 loaded, 0 skipped" "$tmp/out"
check "config: -S replaces the config's rule-files" $?
"$BIN" rules check -c "$tmp/tollgate.conf" --set vars.port.SIP_PORTS=bogus >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && grep -q "home.rules:1:45: error: destination port: in \$SIP_PORTS: bad port 'bogus'" "$tmp/err"
check "--set overrides a config variable" $?
echo 'vars.address.SIP_SERVERS = [198.18.0.10,' >>"$tmp/tollgate.conf"
"$BIN" rules check -c "$tmp/tollgate.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && grep -q "home.rules:1:32: error: destination address: in \$SIP_SERVERS: empty address" "$tmp/err"
check "config: bad variable value named at its use" $?

"$BIN" rules check >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "no rule files" "$tmp/err"
check "no files: usage error, exit 2" $?
"$BIN" rules check "$tmp/nonexistent.rules" >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "nonexistent.rules: error: cannot open rule file" "$tmp/err"
check "missing file: exit 2" $?
"$BIN" rules frob >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ]
check "unknown rules subcommand: exit 2" $?

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
