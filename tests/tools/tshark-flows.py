#!/usr/bin/env python3
"""tshark-flows.py PCAP [TSHARK-ARGS...] - the TCP/UDP flows of a capture as tshark sees them,
in the form tests/summary.py prints tollgate's (without app= and state=):

    flow UDP 198.18.0.1:7060 -> 198.18.0.2:7060 pkts=1/1 bytes=102/46

An independent check of the decoder: tshark dissects every link type and
tunnel itself, the innermost IP header gives the addresses, and Mobile IPv6
home addresses (Home Address option, type 2 routing header) replace the
on-wire ones as tollgate documents. Packets tshark flags as malformed, or
whose IP length runs past the captured frame without a snap length to
explain it ("exceeds framing length"), are left out, as tollgate's decoder
stops on them (PKT_INVALID). ICMP is left out (tshark would count a quoted
datagram as traffic of its own).
"""
import subprocess
import sys

FIELDS = ["frame.len", "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "ipv6.opt.mipv6.home_address", "ipv6.routing.mipv6.home_address",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "_ws.malformed",
          "_ws.expert.message"]


def main():
    cmd = ["tshark", "-n", "-r", sys.argv[1]] + sys.argv[2:] + ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
           "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    flows = {}
    order = []
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        protos = v["frame.protocols"].split(":")
        if v["_ws.malformed"] or "exceeds framing length" in v["_ws.expert.message"]:
            continue
        if "icmp" in protos or "icmpv6" in protos:
            continue
        l3 = [p for p in protos if p in ("ip", "ipv6")]
        if not l3:
            continue
        if "tcp" in protos:
            proto, sp, dp = "TCP", v["tcp.srcport"], v["tcp.dstport"]
        elif "udp" in protos:
            proto, sp, dp = "UDP", v["udp.srcport"], v["udp.dstport"]
        else:
            continue
        sp, dp = sp.split(",")[-1], dp.split(",")[-1]
        if l3[-1] == "ip":
            src, dst = v["ip.src"].split(",")[-1], v["ip.dst"].split(",")[-1]
        else:
            src, dst = v["ipv6.src"].split(",")[-1], v["ipv6.dst"].split(",")[-1]
            if v["ipv6.opt.mipv6.home_address"]:
                src = v["ipv6.opt.mipv6.home_address"].split(",")[-1]
            if v["ipv6.routing.mipv6.home_address"]:
                dst = v["ipv6.routing.mipv6.home_address"].split(",")[-1]
        a, b = (src, int(sp)), (dst, int(dp))
        key = (proto, frozenset((a, b)))
        if key not in flows:
            flows[key] = {"client": a, "server": b, "pkts": [0, 0], "bytes": [0, 0]}
            order.append(key)
        fl = flows[key]
        d = 0 if a == fl["client"] and b == fl["server"] else 1
        fl["pkts"][d] += 1
        fl["bytes"][d] += int(v["frame.len"])

    def addr(ip, port):
        return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"

    lines = []
    for key in order:
        fl = flows[key]
        lines.append(f"flow {key[0]} {addr(*fl['client'])} -> {addr(*fl['server'])} "
                     f"pkts={fl['pkts'][0]}/{fl['pkts'][1]} bytes={fl['bytes'][0]}/{fl['bytes'][1]}")
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main()
