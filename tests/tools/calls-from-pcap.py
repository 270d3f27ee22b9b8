#!/usr/bin/env python3
"""calls-from-pcap.py FILE.pcap - per-call timings of a SIP capture as tshark reads them.

The independent reading a call record is checked against: for every
Call-ID with an INVITE, one line with the parties, the first INVITE, the
first provisional (ring) and final response to it, the ACK, the BYE and
its 200, and the derived setup time (final - INVITE) and talk time (BYE -
200 OK). Times are capture times (UTC, microseconds). OPTIONS and other
out-of-dialog requests are summarised per method."""
import subprocess
import sys
from datetime import datetime, timezone


def ts(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def main():
    fields = ["frame.time_epoch", "sip.Call-ID", "sip.Method", "sip.Status-Code", "sip.CSeq.method",
              "sip.from.addr", "sip.to.addr", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport",
              "udp.srcport", "_ws.col.Protocol"]
    cmd = ["tshark", "-r", sys.argv[1], "-Y", "sip", "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    calls, order, other = {}, [], {}
    for line in out.splitlines():
        v = dict(zip(fields, line.split("|")))
        t = float(v["frame.time_epoch"])
        cid, method, code, cseq = v["sip.Call-ID"], v["sip.Method"], v["sip.Status-Code"], v["sip.CSeq.method"]
        if method and method not in ("INVITE", "ACK", "BYE", "CANCEL") and cid not in calls:
            other[method] = other.get(method, 0) + 1
            continue
        if method == "INVITE" and cid not in calls:
            calls[cid] = {"invite": t, "from": v["sip.from.addr"], "to": v["sip.to.addr"],
                          "caller_ip": v["ip.src"] or v["ipv6.src"], "callee_ip": v["ip.dst"] or v["ipv6.dst"],
                          "transport": "tcp" if v["tcp.srcport"] else "udp"}
            order.append(cid)
        c = calls.get(cid)
        if c is None:
            continue
        if code and cseq == "INVITE":
            n = int(code)
            if 180 <= n < 200:
                c.setdefault("ring", t)
            elif n >= 200:
                c.setdefault("final", t)
                c.setdefault("status", n)
        elif code and cseq == "BYE" and int(code) >= 200:
            c.setdefault("bye_ok", t)
        elif method in ("ACK", "BYE", "CANCEL"):
            c.setdefault(method.lower(), t)
    for i, cid in enumerate(order, 1):
        c = calls[cid]
        parts = [f"tshark call {i}: call_id={cid} caller={c['from']} callee={c['to']}",
                 f"caller_ip={c['caller_ip']} callee_ip={c['callee_ip']} transport={c['transport']}",
                 f"invite={ts(c['invite'])}"]
        if "ring" in c:
            parts.append(f"ring={ts(c['ring'])}")
        if "cancel" in c:
            parts.append(f"cancel={ts(c['cancel'])}")
        if "final" in c:
            parts.append(f"status={c['status']} final={ts(c['final'])} setup_ms={(c['final'] - c['invite']) * 1000:.3f}")
        if "bye" in c:
            parts.append(f"bye={ts(c['bye'])}")
            if c.get("status") == 200:
                parts.append(f"talk_ms={(c['bye'] - c['final']) * 1000:.3f}")
        print(" ".join(parts))
    for m in sorted(other):
        print(f"tshark {m}: {other[m]} requests outside calls")


if __name__ == "__main__":
    main()
