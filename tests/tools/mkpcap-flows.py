#!/usr/bin/env python3
"""mkpcap-flows.py OUTDIR - captures for the flow table's pcap cases.

flow-table.pcap: the keying rules of sensor/flow.c on the wire:
  - a UDP exchange in both directions is one flow;
  - the same UDP tuple on VLAN 10 is another flow;
  - a TCP session whose first captured packet is the SYN/ACK: the client is
    the receiver of the SYN/ACK;
  - ICMP echo request/reply with id 0x1234 is one flow, id 0x4321 another,
    and an ICMPv6 echo pair is one flow;
  - a one-way UDP flow silent for 40 s (udp.new timeout 30 s) ends and the
    next packet opens a second flow.
TCP port reuse is covered by tests/test-flow.c: it needs the stream module
to mark the first session closed.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import PcapWriter, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, _l4_csum, csum, eth, ipv4, ipv6, tcp, udp  # noqa: E402

A, B, C = "198.18.0.1", "198.18.0.2", "198.18.0.3"
A6, B6 = "fd00:198:18::1", "fd00:198:18::2"


def icmp4(t, ident, seq):
    h = struct.pack("!BBHHH", t, 0, 0, ident, seq) + b"tollgate"
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def icmp6(t, ident, seq, src, dst):
    h = struct.pack("!BBHHH", t, 0, 0, ident, seq) + b"tollgate"
    return h[:2] + struct.pack("!H", _l4_csum(src, dst, PROTO_ICMPV6, h)) + h[4:]


def u(src, dst, sp, dp, data, vlans=()):
    return eth(ipv4(src, dst, udp(sp, dp, data, src, dst)), vlans=vlans)


def t(src, dst, sp, dp, seq, ack, flags, data=b""):
    return eth(ipv4(src, dst, tcp(sp, dp, seq, ack, flags, data, src=src, dst=dst), proto=PROTO_TCP))


def flow_table(path):
    w = PcapWriter(path)
    t0 = 1700000000.0
    w.add(u(A, B, 5060, 5060, b"OPTIONS sip:b SIP/2.0\r\n\r\n"), t0 + 0.0)
    w.add(u(B, A, 5060, 5060, b"SIP/2.0 200 OK\r\n\r\n"), t0 + 0.1)
    w.add(u(A, B, 5060, 5060, b"OPTIONS sip:b SIP/2.0\r\n\r\n", vlans=((0x8100, 10),)), t0 + 0.2)
    w.add(t(B, A, 80, 40000, 5000, 1001, "SA"), t0 + 1.0)
    w.add(t(A, B, 40000, 80, 1001, 5001, "A"), t0 + 1.1)
    w.add(t(A, B, 40000, 80, 1001, 5001, "PA", b"GET / HTTP/1.0\r\n\r\n"), t0 + 1.2)
    w.add(eth(ipv4(A, C, icmp4(8, 0x1234, 1), proto=PROTO_ICMP)), t0 + 2.0)
    w.add(eth(ipv4(C, A, icmp4(0, 0x1234, 1), proto=PROTO_ICMP)), t0 + 2.1)
    w.add(eth(ipv4(A, C, icmp4(8, 0x4321, 1), proto=PROTO_ICMP)), t0 + 2.2)
    w.add(eth(ipv6(A6, B6, icmp6(128, 7, 1, A6, B6), nh=PROTO_ICMPV6)), t0 + 2.3)
    w.add(eth(ipv6(B6, A6, icmp6(129, 7, 1, B6, A6), nh=PROTO_ICMPV6)), t0 + 2.4)
    w.add(u(A, C, 40001, 4000, b"ping-1"), t0 + 3.0)
    w.add(u(A, C, 40001, 4000, b"ping-2"), t0 + 43.0)
    w.close()


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "pcaps"
    flow_table(os.path.join(out, "flow-table.pcap"))
