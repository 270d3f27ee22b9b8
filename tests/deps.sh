#!/bin/sh
# deps.sh - install the Debian packages tollgate needs, when they are missing.
# Idempotent: does nothing when everything is there. Needs root to install;
# otherwise it names what is missing and how to get it.
set -e
PKGS="gcc make clang llvm libclang-rt-14-dev pkg-config libpcap-dev libnetfilter-queue-dev
libpcre2-dev libosip2-dev libsqlite3-dev sqlite3 python3 python3-yaml jq tshark tcpdump iproute2 iptables sip-tester"
# Hyperscan backs the rule prefilter on x86-64 only (Debian ships it for
# amd64); elsewhere the build uses the portable Aho-Corasick matcher.
if [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ]; then
    PKGS="$PKGS libhyperscan-dev"
fi
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "tollgate: missing Debian packages:$missing" >&2
    echo "tollgate: run 'sudo make deps' (or: sudo apt-get install$missing)" >&2
    exit 1
fi
echo "tollgate: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
