#!/bin/sh
# install.sh - `make install` into a temporary DESTDIR, for a system prefix
# (/usr: config in /etc) and a local one (/usr/local: config under it), and
# checks every installed file: binary runs, sample config loads, man page
# renders without warnings, the systemd unit verifies with its paths filled
# in, and a reinstall keeps an edited config.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
cd "$TOP" || exit 1
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
skip() { echo "SKIP $1: $2"; skip=$((skip + 1)); }
check() { # name, condition...
    name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}

# Only the install rule runs: $(BUILD)/tollgate is already built by `all`.
inst() { make -s --no-print-directory BUILD="$BUILD" PREFIX="$1" DESTDIR="$2" install >"$tmp/make.out" 2>&1; }

for prefix in /usr /usr/local; do
    d="$tmp/root$(echo "$prefix" | tr / _)"
    if [ "$prefix" = /usr ]; then etc=/etc unit=/lib/systemd/system; else etc=$prefix/etc unit=$prefix/lib/systemd/system; fi
    if ! inst "$prefix" "$d"; then
        bad "make install PREFIX=$prefix" "$(cat "$tmp/make.out")"
        continue
    fi
    ok "make install PREFIX=$prefix"
    bin="$d$prefix/bin/tollgate"
    check "$prefix: binary installed and runs" sh -c "[ -x '$bin' ] && '$bin' version | grep -q '^tollgate '"
    check "$prefix: sample config in share/tollgate" [ -f "$d$prefix/share/tollgate/tollgate.conf.sample" ]
    check "$prefix: config in $etc/tollgate" cmp -s sensor/tollgate.conf.sample "$d$etc/tollgate/tollgate.conf"
    # The installed config must be accepted as is.
    if "$bin" analyze -q -c "$d$etc/tollgate/tollgate.conf" -l "$tmp/log" pcaps/capture-split.pcap 2>"$tmp/conf.err"; then
        ok "$prefix: installed config loads"
    else
        bad "$prefix: installed config loads" "$(cat "$tmp/conf.err")"
    fi
    nrules=$(ls rules/*.rules 2>/dev/null | wc -l)
    ninst=$(ls "$d$prefix/share/tollgate/rules/"*.rules 2>/dev/null | wc -l)
    check "$prefix: $nrules shipped rule files installed" test "$nrules" = "$ninst" -a -d "$d$prefix/share/tollgate/rules"
    man="$d$prefix/share/man/man8/tollgate.8"
    if [ -f "$man" ] && ! grep -q '@[A-Z]*@' "$man" && grep -q "$etc/tollgate/tollgate.conf" "$man"; then
        if command -v groff >/dev/null 2>&1; then
            groff -man -Tutf8 -ww -z "$man" 2>"$tmp/groff.err"
            [ -s "$tmp/groff.err" ] && bad "$prefix: man page renders cleanly" "$(head -3 "$tmp/groff.err")" ||
                ok "$prefix: man page renders cleanly"
        else
            ok "$prefix: man page installed (groff missing, not rendered)"
        fi
    else
        bad "$prefix: man page installed with paths filled in"
    fi
    svc="$d$unit/tollgate@.service"
    if [ -f "$svc" ] && ! grep -q '@[A-Z]*@' "$svc" &&
        grep -q "^ExecStart=$prefix/bin/tollgate sniff -q -c $etc/tollgate/tollgate.conf -l /var/log/tollgate/%i -i %i\$" "$svc"; then
        ok "$prefix: systemd unit installed with paths filled in"
    else
        bad "$prefix: systemd unit installed with paths filled in" "$(grep ExecStart "$svc" 2>&1)"
    fi
    if command -v systemd-analyze >/dev/null 2>&1; then
        # Verify an instance, pointing ExecStart at the staged binary.
        mkdir -p "$tmp/unit"
        sed "s|$prefix/bin/tollgate|$bin|" "$svc" >"$tmp/unit/tollgate@.service"
        (cd "$tmp/unit" && systemd-analyze verify --man=no ./tollgate@eth0.service) >"$tmp/verify" 2>&1
        [ -s "$tmp/verify" ] && bad "$prefix: systemd-analyze verify" "$(head -3 "$tmp/verify")" ||
            ok "$prefix: systemd-analyze verify"
    else
        skip "$prefix: systemd-analyze verify" "systemd-analyze not installed"
    fi
    # A reinstall must not overwrite the admin's edits.
    echo "flow.timeout = 60s" >>"$d$etc/tollgate/tollgate.conf"
    if inst "$prefix" "$d" && grep -q '^flow.timeout = 60s' "$d$etc/tollgate/tollgate.conf"; then
        ok "$prefix: reinstall keeps the edited config"
    else
        bad "$prefix: reinstall keeps the edited config"
    fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
