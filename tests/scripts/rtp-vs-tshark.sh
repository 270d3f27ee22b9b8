#!/bin/sh
# rtp-vs-tshark.sh - per-SSRC RTP statistics of build/tools/rtpstat against
# tshark's "rtp,streams" on Wireshark wiki captures with G.711, G.722,
# G.729, GSM, DVI4 calls and dynamic payload types whose clock comes from
# SDP (opus, speex, iLBC, L16, G.726; opus-hybrid loses 311 packets), a
# ZRTP call whose RTP turns into SRTP (369 lost), and
# on the project's own sipp recordings
# (pcaps/sipp-answered, sipp-ipv6, demo): for every stream tshark reports, rtpstat must
# report the same packets and lost packets exactly, and max jitter, mean
# jitter and max delta within 0.1 ms. Needs tshark; the wiki captures need
# ../shared (SHARED=...); each skips visibly without what it needs.
#
# Excluded stream (documented difference, README "SDP and RTP"):
#   SIP_DTMF2.cap 0x5711BF84 carries RFC 4733 telephone-events in the audio
#   SSRC; tshark takes each event's timestamp as audio time and its jitter
#   jumps, rtpstat leaves packets without an audio clock out of the jitter.
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$TOP/../shared}
cd "$TOP" || exit 1
pass=0 fail=0 skip=0
W=wireshark-wiki
CAPS="$W/SIP_CALL_RTP_G711.pcap $W/sip-rtp-g711.pcap $W/SIP_DTMF2.cap $W/MagicJack-_short_call.pcap
$W/nb6-telephone.pcap $W/rtp_conversacion.pcap $W/sip-rtp-g722.pcap $W/sip-rtp-g729a.pcap $W/sip-rtp-gsm.pcap
$W/sip-rtp-dvi4.pcap $W/sip-rtp-opus.pcap $W/sip-rtp-opus-hybrid.pcap $W/sip-rtp-speex.pcap $W/sip-rtp-ilbc.pcap
$W/sip-rtp-l16.pcap $W/sip-rtp-g726.pcap $W/Asterisk_ZFONE_XLITE.pcap pcaps/sipp-answered.pcap pcaps/sipp-ipv6.pcap pcaps/demo.pcap"
EXCLUDE="SIP_DTMF2.cap:0x5711BF84"
if ! command -v tshark >/dev/null 2>&1; then
    for c in $CAPS; do echo "SKIP $(basename "$c"): tshark not installed"; skip=$((skip + 1)); done
    echo "$pass passed, $fail failed, $skip skipped"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in $CAPS; do
    name=$(basename "$c")
    case $c in
    pcaps/*) f="$TOP/$c" ;;
    *) f="$SHARED/pcaps/$c" ;;
    esac
    if [ ! -f "$f" ]; then
        echo "SKIP $name: $f not found (set SHARED to the shared directory)"; skip=$((skip + 1)); continue
    fi
    if ! "$BUILD/tools/rtpstat" "$f" >"$tmp/ours" 2>"$tmp/err"; then
        echo "FAIL $name: rtpstat failed"; cat "$tmp/err"; fail=$((fail + 1)); continue
    fi
    tshark -r "$f" -q -z rtp,streams 2>/dev/null >"$tmp/theirs"
    # tshark: start end src sport dst dport ssrc payload... pkts lost (pct) min/mean/max delta min/mean/max jitter;
    # the payload name may hold spaces, so columns are found from the "(x%)" token.
    awk -v ex="$EXCLUDE" -v cap="$name" '
        FILENAME == ARGV[1] {
            for (i = 1; i <= NF; i++) { split($i, a, "="); v[$1 " " $2 " " $3, a[1]] = a[2] }
            have[$1 " " $2 " " $3] = 1; next }
        /^ +[0-9.]+ +[0-9.]+ / {
            k = 0; for (i = 9; i <= NF; i++) if ($i ~ /^\(.*%\)$/) { k = i; break }
            if (!k) next
            key = $3 ":" $4 " " $5 ":" $6 " " $7
            if (index(" " ex " ", " " cap ":" $7 " ")) { excluded++; next }
            n++
            pk = $(k - 2); lo = $(k - 1); md = $(k + 3); mn = $(k + 5); mj = $(k + 6)
            if (!have[key]) { print "  " cap ": stream " key " missing from rtpstat"; bad++; next }
            e = ""
            if (v[key, "packets"] != pk) e = e " packets " v[key, "packets"] "!=" pk
            if (v[key, "lost"] != lo) e = e " lost " v[key, "lost"] "!=" lo
            if (off(v[key, "max_jitter"], mj)) e = e " max_jitter " v[key, "max_jitter"] "!=" mj
            if (off(v[key, "mean_jitter"], mn)) e = e " mean_jitter " v[key, "mean_jitter"] "!=" mn
            if (off(v[key, "max_delta"], md)) e = e " max_delta " v[key, "max_delta"] "!=" md
            if (e != "") { print "  " cap ": stream " key ":" e; bad++ }
            else lost += lo
        }
        function off(a, b,   d) { d = a - b; if (d < 0) d = -d; return d > 0.1 }
        END { printf "RESULT %d %d %d %d\n", n, bad + 0, excluded + 0, lost + 0 }
    ' "$tmp/ours" "$tmp/theirs" >"$tmp/cmp"
    grep -v '^RESULT' "$tmp/cmp"
    set -- $(grep '^RESULT' "$tmp/cmp")
    n=$2 bad=$3 excl=$4 lost=$5
    note="$n streams agree with tshark, $lost packets lost"
    [ "$excl" != 0 ] && note="$note, $excl excluded"
    if [ "$n" = 0 ]; then
        echo "FAIL $name: tshark reported no RTP stream"; fail=$((fail + 1))
    elif [ "$bad" = 0 ]; then
        echo "ok   $name ($note)"; pass=$((pass + 1))
    else
        echo "FAIL $name ($bad of $n streams differ)"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
