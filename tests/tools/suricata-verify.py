#!/usr/bin/env python3
"""Run tollgate over suricata-verify test directories and evaluate their checks.

usage: suricata-verify.py SV_DIR TOLLGATE [TEST...]

For every directory of SV_DIR with a pcap (its own, or the one test.yaml
names), tollgate analyzes the pcap with the test's rules and each
test.yaml "filter" check is evaluated the way suricata-verify does it:
the number of EVE records whose fields equal every "match" entry must be
"count". Prints one line per test ("ok", "FAIL") and one "SKIP" line per
check (or test) tollgate cannot honour, with the reason; the last line is
"N passed, N failed, N skipped". Exit status 1 when something failed.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

# Fields tollgate writes with Suricata's names and meaning, per event type.
# A dotted key may end in [N] indexes (sip.sdp.bandwidths[0]).
COMMON = {"event_type", "src_ip", "dest_ip", "src_port", "dest_port", "proto", "pcap_cnt", "app_proto"}
WRITTEN = {
    "alert": COMMON | {"alert.signature_id", "alert.gid", "alert.rev", "alert.signature", "alert.severity",
                       "alert.category", "alert.action"},
    "sip": COMMON | {"sip.method", "sip.uri", "sip.version", "sip.request_line", "sip.code", "sip.reason",
                     "sip.response_line"},
    "flow": COMMON | {"flow.pkts_toserver", "flow.pkts_toclient", "flow.bytes_toserver", "flow.bytes_toclient",
                      "flow.state", "flow.reason", "flow.alerted", "flow.age", "flow.start", "flow.end"},
    "anomaly": COMMON | {"anomaly.type", "anomaly.event", "anomaly.layer"},
}
# app_proto values tollgate's parsers set.
APP_PROTOS = {"sip", "rtp", "failed"}
# Why a field or record is out of reach, by prefix.
UNSUPPORTED = [
    ("frame.", "tollgate alerts carry no frame object (frames are matched, not logged)"),
    ("stats.", "Suricata's stats counters (app_layer.tx.*, app_layer.flow.*) are not tollgate's"),
    ("pkt_src", "tollgate does not write pkt_src"),
    ("tx_id", "tollgate does not write tx_id"),
]
# Command-line options of the tests and what tollgate makes of them: a list
# of extra tollgate arguments, or a string saying why it cannot be honoured.
ARG_MAP = [
    (r"^-k none$", ["--set", "decode.checksum-validation=no"]),
    (r"^--set app-layer\.protocols\.sip\.enabled=yes$", []),
    # tollgate's default: an app-layer parse error is counted and the flow goes on
    (r"^--set (app-layer\.error-policy|exception-policy)=ignore$", []),
    (r"^--set (app-layer\.error-policy|exception-policy)=\S+$",
     "exception policies other than ignore (drop-flow, drop-packet, pass-packet) are not implemented"),
    (r"^--simulate-applayer-error", "app-layer error simulation is a Suricata QA feature"),
]


def get(ev, dotted):
    for part in dotted.split("."):
        m = re.fullmatch(r"([^\[]+)((?:\[\d+\])*)", part)
        if not m or not isinstance(ev, dict) or m.group(1) not in ev:
            return None
        ev = ev[m.group(1)]
        for idx in re.findall(r"\[(\d+)\]", m.group(2)):
            if not isinstance(ev, list) or int(idx) >= len(ev):
                return None
            ev = ev[int(idx)]
    return ev


def same(want, got):
    if got is None:
        return False
    if isinstance(want, bool) or isinstance(got, bool):
        return str(want).lower() == str(got).lower()
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return want == got
    return str(want) == str(got)


def suricata_sip_view(evs):
    """The sip records Suricata would make transactions of: requests from the
    flow's initiator, responses to it (the flow record names the initiator)."""
    init = {}
    for ev in evs:
        if ev.get("event_type") == "flow" and "flow_id" in ev:
            init[ev["flow_id"]] = (ev.get("src_ip"), ev.get("src_port"))
    out = []
    for ev in evs:
        if ev.get("event_type") != "sip" or ev.get("flow_id") not in init:
            continue
        to_server = (ev.get("src_ip"), ev.get("src_port")) == init[ev["flow_id"]]
        if ("method" in ev.get("sip", {})) == to_server:
            out.append(ev)
    return out


def field_name(k):
    return re.sub(r"\[\d+\]", "", k)


def why_not(match, simulate_ips):
    """Reason a match cannot be evaluated by tollgate, or None."""
    et = match.get("event_type")
    if et == "stats":
        return "Suricata's stats counters (app_layer.tx.*, app_layer.flow.*) are not tollgate's"
    if et is not None and et not in WRITTEN and et != "drop":
        return "tollgate writes no %s records" % et
    if "app_proto" in match and match["app_proto"] not in APP_PROTOS:
        return "tollgate has no %s app-layer parser (app_proto %s)" % (match["app_proto"], match["app_proto"])
    for k in match:
        for prefix, why in UNSUPPORTED:
            if k.startswith(prefix):
                return "%s (%s)" % (why, k)
    if et is None:
        return "no event_type in the filter"
    if et == "drop":
        return "tollgate records drop verdicts on the alert (verdict.action), it writes no drop records"
    if et not in WRITTEN:
        return "tollgate writes no %s records" % et
    for k in match:
        f = field_name(k)
        if et == "sip" and f.startswith("sip.sdp."):
            continue
        if f not in WRITTEN[et]:
            return "tollgate does not write %s in %s records" % (k, et)
    if et == "alert" and "alert.action" in match and simulate_ips:
        return "alert.action under --simulate-ips: tollgate writes the verdict as verdict.action"
    return None


def version_ok(req):
    """Whether a "requires" block can hold for tollgate (it follows Suricata 8)."""
    if not req:
        return None
    if req.get("features"):
        return "requires Suricata build features %s" % ", ".join(req["features"])
    for k in req:
        if k not in ("min-version", "lt-version", "features"):
            return "requires %s" % k
    return None


def find_rules(test, spec):
    args = spec.get("args") or []
    named = []
    for a in args:
        m = re.match(r"^-S\s+(\S+)$", str(a))
        if m:
            named.append(m.group(1))
    if named:
        return [os.path.join(test, n) for n in named]
    if os.path.exists(os.path.join(test, "test.rules")):
        return [os.path.join(test, "test.rules")]
    files = sorted(glob.glob(os.path.join(test, "*.rules")))
    return files


def main():
    svdir, tg = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3:])
    passed = failed = skipped = 0
    for test in sorted(glob.glob(os.path.join(svdir, "*", "test.yaml"))):
        test = os.path.dirname(test)
        name = os.path.basename(test)
        if only and name not in only:
            continue
        spec = yaml.safe_load(open(os.path.join(test, "test.yaml"))) or {}
        pcap = spec.get("pcap")
        if pcap:
            pcap = os.path.normpath(os.path.join(test, pcap))
        else:
            found = sorted(glob.glob(os.path.join(test, "*.pcap")) + glob.glob(os.path.join(test, "*.pcapng")))
            pcap = found[0] if found else None
        if not pcap or not os.path.exists(pcap):
            print("SKIP %s: no pcap (the test needs a capture that is not in the shared set)" % name)
            skipped += 1
            continue
        why = version_ok(spec.get("requires"))
        if why:
            print("SKIP %s: %s" % (name, why))
            skipped += 1
            continue
        extra, bad_args = [], []
        simulate_ips = False
        for a in spec.get("args") or []:
            a = " ".join(str(a).split())
            if a == "--simulate-ips":
                simulate_ips = True
                continue
            if a.startswith("-S "):
                continue
            for pat, what in ARG_MAP:
                if re.match(pat, a):
                    if isinstance(what, str):
                        bad_args.append("%s: %s" % (a, what))
                    else:
                        extra += what
                    break
            else:
                bad_args.append("%s: not a tollgate option" % a)
        rules = find_rules(test, spec)
        if simulate_ips and any(re.match(r"^\s*(drop|reject)", l) for r in rules for l in open(r)):
            bad_args.append("--simulate-ips with drop rules: the dropped flow's later records depend on "
                            "Suricata's IPS flow handling")
        if bad_args:
            print("SKIP %s: %s" % (name, "; ".join(bad_args)))
            skipped += 1
            continue
        cmd = [tg, "analyze", "-q"] + extra
        for r in rules:
            cmd += ["-S", r]
        with tempfile.TemporaryDirectory() as log:
            res = subprocess.run(cmd + ["-l", log, pcap], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if res.returncode != 0:
                print("FAIL %s: tollgate exited %d: %s" % (name, res.returncode,
                                                         res.stderr.decode(errors="replace").strip()[:300]))
                failed += 1
                continue
            evs = [json.loads(l) for l in open(os.path.join(log, "eve.json"), encoding="utf-8")]
        bad, done = [], 0
        skips = {}  # reason -> check numbers, printed once per reason

        def skip(i, why):
            skips.setdefault(why, []).append(i + 1)

        for i, c in enumerate(spec.get("checks") or []):
            if "filter" not in c:
                skip(i, "%s checks are not evaluated" % "/".join(c))
                continue
            f = c["filter"]
            why = version_ok(f.get("requires"))
            match = f.get("match") or {}
            why = why or why_not(match, simulate_ips)
            rest = {k: v for k, v in match.items() if not k.startswith("frame.")}
            if why and why.startswith("tollgate alerts carry no frame") and not why_not(rest, simulate_ips):
                # the frame fields are not logged, but the alerts are: their
                # count for the rest of the filter must still be right
                n = sum(1 for ev in evs if all(same(v, get(ev, k)) for k, v in rest.items()))
                if n != f.get("count", 0):
                    bad.append("%s: want %d got %d" % (json.dumps(rest, sort_keys=True), f.get("count", 0), n))
                    continue
                why = "tollgate alerts carry no frame object (frame.* not logged); the count without the " \
                      "frame fields matches (checked)"
            if why:
                skip(i, why)
                continue
            n = sum(1 for ev in evs if all(same(v, get(ev, k)) for k, v in match.items()))
            want = f.get("count", 0)
            if n != want and match.get("event_type") == "sip":
                # Suricata makes no transaction of a request sent to_client
                # or a response sent to_server; tollgate logs every message.
                sv = [ev for ev in suricata_sip_view(evs) if all(same(v, get(ev, k)) for k, v in match.items())]
                if len(sv) == want:
                    skip(i, "Suricata makes no transaction of a request sent to_client or a response sent "
                            "to_server; tollgate logs every message: %d records, %d of them in Suricata's "
                            "directions as expected (checked)" % (n, len(sv)))
                    continue
            done += 1
            if n != want:
                bad.append("%s: want %d got %d" % (json.dumps(match, sort_keys=True), f.get("count", 0), n))
        for why, nums in skips.items():
            print("SKIP %s check%s %s: %s" % (name, "s" if len(nums) > 1 else "", ",".join(map(str, nums)), why))
            skipped += 1
        if bad:
            print("FAIL %s: %s" % (name, "; ".join(bad)))
            failed += 1
        elif done:
            print("ok   %s (%d checks)" % (name, done))
            passed += 1
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
