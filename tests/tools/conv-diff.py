#!/usr/bin/env python3
"""conv-diff.py CAPTURE [BUILD] - which TCP/UDP flows tollgate and tshark disagree on.

Helps explain an entry of tests/scripts/shared-conv.exceptions: runs
`tollgate analyze` (flow timeouts of 10^9 h (never), as shared-conv.sh does) and
`tshark -q -z conv,udp -z conv,tcp`, then prints, per protocol, each endpoint
pair with how many flows each tool has for it, only where they differ.
tshark lines that name the same pair in both orders are marked "mirrored"
(tshark keeps one conversation per direction, e.g. for RTP set up by SDP)."""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile


def tollgate_flows(cap, build):
    sets = []
    for g in ("tcp", "udp", "icmp", "other"):
        for s in ("new", "established", "closed"):
            sets += ["--set", f"flow.timeout.{g}.{s}=1000000000h"]
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([os.path.join(build, "tollgate"), "analyze", "-q", "-l", d] + sets + [cap],
                       check=False)
        out = collections.Counter()
        with open(os.path.join(d, "eve.json"), encoding="utf-8") as f:
            for line in f:
                ev = json.loads(line)
                if ev.get("event_type") == "flow" and ev.get("proto") in ("TCP", "UDP"):
                    a = (ev["src_ip"], ev["src_port"])
                    b = (ev["dest_ip"], ev["dest_port"])
                    out[(ev["proto"], tuple(sorted([a, b])))] += 1
        return out


def split_endpoint(s):
    host, _, port = s.rpartition(":")
    return (host.strip("[]"), int(port))


def tshark_convs(cap):
    text = subprocess.run(["tshark", "-q", "-z", "conv,udp", "-z", "conv,tcp", "-r", cap],
                          capture_output=True, text=True, check=False).stdout
    out = collections.Counter()
    ordered = collections.Counter()
    proto = None
    for line in text.splitlines():
        if line.startswith("TCP Conversations"):
            proto = "TCP"
        elif line.startswith("UDP Conversations"):
            proto = "UDP"
        m = re.match(r"^(\S+)\s+<->\s+(\S+)\s", line)
        if m and proto:
            a, b = split_endpoint(m.group(1)), split_endpoint(m.group(2))
            out[(proto, tuple(sorted([a, b])))] += 1
            ordered[(proto, a, b)] += 1
    return out, ordered


def main():
    cap = sys.argv[1]
    build = sys.argv[2] if len(sys.argv) > 2 else "build"
    tg = tollgate_flows(cap, build)
    ts, ordered = tshark_convs(cap)
    for key in sorted(set(tg) | set(ts)):
        if tg[key] == ts[key]:
            continue
        proto, (a, b) = key
        note = ""
        if ordered[(proto, a, b)] and ordered[(proto, b, a)]:
            note = " mirrored"
        print(f"{proto} {a[0]}:{a[1]} <-> {b[0]}:{b[1]} tollgate={tg[key]} tshark={ts[key]}{note}")


if __name__ == "__main__":
    main()
