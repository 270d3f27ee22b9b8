#!/bin/sh
# rules-shared.sh - load the ET Open and Snort community rules under ../shared/rules that touch
# SIP/VoIP or P2P (plus the Snort community file) with --skip-bad-rules, print how many load
# and how many are refused per keyword, and fail when a rule is refused for any reason other
# than a keyword listed in tests/scripts/rules-shared.unsupported.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
BIN="$TOP/$BUILD/tollgate"
ALLOW="$TOP/tests/scripts/rules-shared.unsupported"
pass=0 fail=0 skip=0
if [ ! -d "$SHARED/rules" ]; then
    echo "SKIP shared-rules: $SHARED/rules not present (set SHARED=/work/shared)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
allowed() { # keyword
    grep -v '^#' "$ALLOW" 2>/dev/null | grep -qx "$1"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
total_loaded=0 total_refused=0
for f in "$SHARED"/rules/*/*extract*.rules "$SHARED"/rules/*/emerging-voip.rules "$SHARED"/rules/*/emerging-scan.rules \
         "$SHARED"/rules/*/emerging-p2p.rules "$SHARED"/rules/*/emerging-dos.rules "$SHARED"/rules/*/community.rules; do
    [ -f "$f" ] || continue
    name=$(echo "$f" | sed "s|^$SHARED/rules/||")
    # Each file on its own: the collections repeat sids across files.
    "$BIN" rules check --skip-bad-rules "$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    loaded=$(sed -nE 's/^rules: ([0-9]+) loaded, ([0-9]+) skipped$/\1/p' "$tmp/out")
    refused=$(sed -nE 's/^rules: ([0-9]+) loaded, ([0-9]+) skipped$/\2/p' "$tmp/out")
    # Rules in the file (uncommented), to prove none vanished silently.
    expect=$(grep -cE '^[[:space:]]*(alert|drop|reject|rejectsrc|rejectdst|rejectboth|pass|log|sdrop)[[:space:]]' "$f")
    if [ -z "$loaded" ]; then
        echo "FAIL $name: rules check printed no totals (exit $rc)"; fail=$((fail + 1)); continue
    fi
    total_loaded=$((total_loaded + loaded)); total_refused=$((total_refused + refused))
    bad=0
    grep ': error: ' "$tmp/err" | sed -E 's/^.*: error: ([^:]+): (.*) \[rule skipped\]$/\1|\2/' | sort >"$tmp/reasons"
    while IFS='|' read -r kw msg; do
        [ -n "$kw" ] || continue
        if [ "$msg" = "unknown keyword" ] && allowed "$kw"; then continue; fi
        echo "  refused for a reason not in rules-shared.unsupported: $kw: $msg"
        bad=1
    done <"$tmp/reasons"
    summary=$(cut -d'|' -f1 "$tmp/reasons" | uniq -c | awk '{printf " %s=%s", $2, $1}')
    if [ $((loaded + refused)) -ne "$expect" ]; then
        echo "FAIL $name: $loaded loaded + $refused refused != $expect rules in the file"; fail=$((fail + 1))
    elif [ "$bad" = 1 ] || [ "$rc" != 0 ]; then
        echo "FAIL $name: $loaded loaded, $refused refused:$summary (exit $rc)"; fail=$((fail + 1))
    else
        echo "ok   $name: $loaded of $expect load, $refused refused${summary:+:$summary}"; pass=$((pass + 1))
    fi
done
# The Snort community file ships most rules commented out; parse those too
# (uncommented) as a wider test of the Snort 2 syntax.
for f in "$SHARED"/rules/*/community*.rules; do
    [ -f "$f" ] || continue
    name="$(echo "$f" | sed "s|^$SHARED/rules/||") (commented-out rules)"
    sed -nE 's/^#[[:space:]]?((alert|drop|pass|reject)[[:space:]].*)$/\1/p' "$f" >"$tmp/uc.rules"
    expect=$(wc -l <"$tmp/uc.rules")
    "$BIN" rules check --skip-bad-rules "$tmp/uc.rules" >"$tmp/out" 2>"$tmp/err"
    loaded=$(sed -nE 's/^rules: ([0-9]+) loaded, ([0-9]+) skipped$/\1/p' "$tmp/out")
    refused=$(sed -nE 's/^rules: ([0-9]+) loaded, ([0-9]+) skipped$/\2/p' "$tmp/out")
    grep ': error: ' "$tmp/err" | sed -E 's/^.*: error: ([^:]+): (.*) \[rule skipped\]$/\1|\2/' | sort >"$tmp/reasons"
    bad=0
    while IFS='|' read -r kw msg; do
        [ -n "$kw" ] || continue
        if [ "$msg" = "unknown keyword" ] && allowed "$kw"; then continue; fi
        echo "  refused for a reason not in rules-shared.unsupported: $kw: $msg"
        bad=1
    done <"$tmp/reasons"
    summary=$(cut -d'|' -f1 "$tmp/reasons" | uniq -c | awk '{printf " %s=%s", $2, $1}')
    if [ -z "$loaded" ] || [ $((loaded + refused)) -ne "$expect" ] || [ "$bad" = 1 ]; then
        echo "FAIL $name: ${loaded:-?} loaded, ${refused:-?} refused of $expect:$summary"; fail=$((fail + 1))
    else
        echo "ok   $name: $loaded of $expect load, $refused refused${summary:+:$summary}"; pass=$((pass + 1))
    fi
done
# The suricata-verify SIP tests' rule files must load without a single error.
sv_files=0 sv_rules=0 sv_bad=0
for f in "$SHARED"/pcaps/suricata-verify/*/*.rules; do
    [ -f "$f" ] || continue
    sv_files=$((sv_files + 1))
    if "$BIN" rules check "$f" >"$tmp/out" 2>"$tmp/err"; then
        n=$(sed -nE 's/^rules: ([0-9]+) loaded.*/\1/p' "$tmp/out")
        sv_rules=$((sv_rules + n))
    else
        sv_bad=$((sv_bad + 1))
        sed 's/^/  /' "$tmp/err"
    fi
done
if [ "$sv_files" = 0 ]; then
    echo "SKIP suricata-verify rules: none under $SHARED/pcaps/suricata-verify"
    skip=$((skip + 1))
elif [ "$sv_bad" = 0 ]; then
    echo "ok   suricata-verify rules: $sv_rules rules in $sv_files files load"; pass=$((pass + 1))
else
    echo "FAIL suricata-verify rules: $sv_bad of $sv_files files have errors"; fail=$((fail + 1))
fi
echo "# shared rules: $total_loaded load, $total_refused refused"
if [ "$pass" = 0 ] && [ "$fail" = 0 ] && [ "$skip" = 0 ]; then
    echo "SKIP shared-rules: no rule files found under $SHARED/rules"
    skip=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
