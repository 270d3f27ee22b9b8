#!/usr/bin/env python3
"""summary.py LOGDIR [STDERR] [EXIT] - stable text summary of a tollgate run.

Turns eve.json (and the tool's stderr and exit status) into sorted lines that
pcaps/NAME.expected files hold: flows, anomalies, alerts, calls, non-zero
counters and any error message. Volatile values (memory use, wall-clock
times, db row counts) are left out so the text only changes when behaviour
does."""
import json
import os
import sys

VOLATILE = ("memuse", "output.")


def addr(ip, port):
    if port is None:
        return ip
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def flatten(prefix, obj, out):
    for k, v in obj.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            flatten(key, v, out)
        else:
            out[key] = v


def main():
    logdir = sys.argv[1]
    lines = []
    counts = {}
    with open(os.path.join(logdir, "eve.json"), encoding="utf-8") as f:
        for raw in f:
            ev = json.loads(raw)
            t = ev["event_type"]
            src = addr(ev.get("src_ip", "-"), ev.get("src_port"))
            dst = addr(ev.get("dest_ip", "-"), ev.get("dest_port"))
            if t == "flow":
                fl = ev["flow"]
                line = (f"flow {ev['proto']} {src} -> {dst} app={ev.get('app_proto', '-')} "
                        f"pkts={fl['pkts_toserver']}/{fl['pkts_toclient']} "
                        f"bytes={fl['bytes_toserver']}/{fl['bytes_toclient']} state={fl['state']}")
            elif t == "anomaly":
                a = ev["anomaly"]
                gs = f"{a['gid']}:{a['sid']} " if "gid" in a else ""
                line = f"anomaly {gs}{a['event']} {src} -> {dst} packet={a.get('packet')}"
            elif t == "alert":
                a = ev["alert"]
                line = (f"alert {a['action']} {a['gid']}:{a['signature_id']}:{a['rev']} "
                        f"{src} -> {dst} \"{a['signature']}\"")
            elif t == "stats":
                flat = {}
                flatten("", ev["stats"], flat)
                for k, v in flat.items():
                    if v and not any(x in k for x in VOLATILE):
                        lines.append(f"stat {k} {v}")
                continue
            elif t == "sip":
                s = ev["sip"]
                what = s.get("method") if "method" in s else s.get("code")
                line = f"sip {what} {src} -> {dst}"
            elif t == "call":
                c = ev["call"]
                talk = c.get("talk_s")
                talk = "-" if talk is None else f"{round(talk * 100) / 100:.2f}"
                setup = c.get("setup_ms")
                setup = "-" if setup is None else f"{setup:.3f}"
                pk = {m["direction"]: m["packets"] for m in c.get("media", [])}
                line = (f"call {c['call_id']} {c.get('caller_uri', '-')} -> {c.get('callee_uri', '-')} "
                        f"status={c.get('status', '-')} outcome={c['outcome']} setup_ms={setup} "
                        f"talk_s={talk} hangup={c.get('hangup')} srtp={str(c['srtp']).lower()} "
                        f"rtp={pk.get('caller_to_callee', 0)}/{pk.get('callee_to_caller', 0)}")
            else:
                line = f"{t} {src} -> {dst}"
            counts[line] = counts.get(line, 0) + 1
    for line, n in counts.items():
        lines.append(line if n == 1 else f"{line} x{n}")
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
            for l in f:
                if l.startswith("tollgate:"):
                    lines.append("error " + l.strip().replace(os.getcwd() + "/", ""))
    if len(sys.argv) > 3:
        with open(sys.argv[3]) as f:
            lines.append(f.read().strip())
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main()
