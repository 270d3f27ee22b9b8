#!/usr/bin/env python3
"""mk-decode-pcaps.py [OUTDIR] - write the decode test captures (pcaps/decode-*.pcap).

Every link type the decoder knows, VLAN/QinQ/PPPoE, each tunnel (GRE, ERSPAN
II/III, IP-in-IP, 6in4, 6in6, PPTP, MPLS), IPv6 extension chains (Mobile IPv6 home
address) and a set of malformed packets. Each capture's .expected file was
checked against tshark (see tests/scripts/decode-tshark.sh). Addresses come
from 198.18.0.0/15 and fd00:198:18::/48 only.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (PcapWriter, eth, ipv4, ipv6, udp, tcp, icmp_echo, csum, ip4, ip6, ipv6_frag_hdr,
                     PROTO_UDP, PROTO_TCP, PROTO_ICMP, PROTO_IPIP, PROTO_IPV6, PROTO_GRE, PROTO_ICMPV6)

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "pcaps")

A, B = "198.18.0.1", "198.18.0.2"
A6, B6 = "fd00:198:18::1", "fd00:198:18::2"
T1, T2 = "198.19.0.1", "198.19.0.2"        # tunnel endpoints


def sip(i):
    """A neutral payload: no application decoder should claim it."""
    return b"decode test datagram %d\n" % i


def udp4(src, dst, sp, dp, data):
    return ipv4(src, dst, udp(sp, dp, data, src, dst), proto=PROTO_UDP)


def udp6(src, dst, sp, dp, data):
    return ipv6(src, dst, udp(sp, dp, data, src, dst), nh=PROTO_UDP)


def tcp_handshake(src, dst, sp, dp, v6=False):
    """SYN, SYN/ACK, ACK, data, as IP datagrams."""
    ip = (lambda s, d, seg: ipv6(s, d, seg, nh=PROTO_TCP)) if v6 else (lambda s, d, seg: ipv4(s, d, seg, proto=PROTO_TCP))
    mss = b"\x02\x04\x05\xb4\x01\x03\x03\x07"
    return [ip(src, dst, tcp(sp, dp, 100, 0, "S", b"", src=src, dst=dst, options=mss)),
            ip(dst, src, tcp(dp, sp, 500, 101, "SA", b"", src=dst, dst=src, options=mss)),
            ip(src, dst, tcp(sp, dp, 101, 501, "A", b"", src=src, dst=dst)),
            ip(src, dst, tcp(sp, dp, 101, 501, "PA", b"hello over tcp\r\n", src=src, dst=dst))]


def pair4(src, dst, sp, dp, i):
    return [udp4(src, dst, sp, dp, sip(i)), udp4(dst, src, dp, sp, b"decode test reply\n")]


def pair6(src, dst, sp, dp, i):
    return [udp6(src, dst, sp, dp, sip(i)), udp6(dst, src, dp, sp, b"decode test reply\n")]


# ---- link layers ----

def sll(dg):
    proto = 0x86DD if dg[0] >> 4 == 6 else 0x0800
    return struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0", proto) + dg


def sll2(dg):
    proto = 0x86DD if dg[0] >> 4 == 6 else 0x0800
    return struct.pack("!HHIHBB8s", proto, 0, 2, 1, 4, 6, b"\x02\0\0\0\0\x01\0\0") + dg


def null_le(dg, af6=30):
    return struct.pack("<I", af6 if dg[0] >> 4 == 6 else 2) + dg


def loop_be(dg, af6=24):
    return struct.pack("!I", af6 if dg[0] >> 4 == 6 else 2) + dg


def write(name, linktype, frames):
    path = os.path.join(OUT, name)
    w = PcapWriter(path, linktype=linktype)
    for f in frames:
        if isinstance(f, tuple):
            w.add(f[0], wirelen=f[1])
        else:
            w.add(f)
    w.close()


def linktypes():
    dgs = pair4(A, B, 7060, 7060, 1) + tcp_handshake(A6, B6, 40000, 7061, v6=True)
    write("decode-linktypes-sll.pcap", 113, [sll(d) for d in dgs])
    write("decode-linktypes-sll2.pcap", 276, [sll2(d) for d in dgs])
    # NULL: little-endian host (AF_INET6 30 as on macOS), then a big-endian one (FreeBSD 28)
    write("decode-linktypes-null.pcap", 0, [null_le(d) for d in dgs] +
          [struct.pack("!I", 28) + d for d in pair6("fd00:198:18::5", "fd00:198:18::6", 7000, 7001, 2)])
    write("decode-linktypes-loop.pcap", 108, [loop_be(d) for d in dgs])
    write("decode-linktypes-raw.pcap", 101, dgs)
    write("decode-linktypes-ipv4.pcap", 228, pair4(A, B, 7070, 7070, 3))
    write("decode-linktypes-ipv6.pcap", 229, pair6(A6, B6, 7070, 7070, 4))


def pppoe(dg, proto=None):
    if proto is None:
        proto = 0x0057 if dg[0] >> 4 == 6 else 0x0021
    payload = struct.pack("!H", proto) + dg
    return struct.pack("!BBHH", 0x11, 0, 0x1234, len(payload)) + payload


def vlan_pppoe():
    frames = []
    for d in pair4(A, B, 7060, 7060, 10):
        frames.append(eth(d, vlans=[(0x8100, 100)]))
    for d in pair4("198.18.1.1", "198.18.1.2", 7060, 7060, 11):
        frames.append(eth(d, vlans=[(0x88A8, 20), (0x8100, 200)]))
    for d in pair4("198.18.2.1", "198.18.2.2", 7060, 7060, 12):
        frames.append(eth(d, vlans=[(0x9100, 30), (0x8100, 300)]))
    for d in pair4("198.18.3.1", "198.18.3.2", 7060, 7060, 13) + pair6("fd00:198:18:3::1", "fd00:198:18:3::2", 7060, 7060, 14):
        frames.append(eth(pppoe(d), ethertype=0x8864))
    frames.append(eth(pppoe(b"\x01\x01\x00\x04", proto=0xC021), ethertype=0x8864))   # LCP
    write("decode-vlan-pppoe.pcap", 1, frames)


# ---- tunnels ----

def gre(inner, proto, flags=0, key=None, seq=None, csum_on=False):
    opt = b""
    if csum_on:
        flags |= 0x8000
    if key is not None:
        flags |= 0x2000
    if seq is not None:
        flags |= 0x1000
    hdr = struct.pack("!HH", flags, proto)
    if csum_on:
        opt += b"\0\0\0\0"
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    g = hdr + opt + inner
    if csum_on:
        c = csum(g)
        g = g[:4] + struct.pack("!H", c) + g[6:]
    return g


def outer(payload, proto):
    return eth(ipv4(T1, T2, payload, proto=proto))


def erspan2(frame, session=5, seq=1):
    hdr = struct.pack("!HHI", 0x1000 | 10, session, 7)      # ver 1, vlan 10, session, index 7
    return gre(hdr + frame, 0x88BE, seq=seq)


def erspan3(frame, sub=False, seq=1):
    w3 = (0 << 10) | (3 << 4) | (1 if sub else 0)          # FT 0 Ethernet, hw id 3, O
    hdr = struct.pack("!HHIHH", 0x2000 | 10, 6, 0x01020304, 0x0000, w3)
    if sub:
        hdr += b"\0" * 8
    return gre(hdr + frame, 0x22EB, seq=seq)


def pptp(dg, call=9, seq=1):
    ppp = b"\xff\x03" + struct.pack("!H", 0x0021) + dg
    return struct.pack("!HHHHI", 0x3001, 0x880B, len(ppp), call, seq) + ppp


def mpls(labels):
    """Label stack entries, the last one bottom of stack."""
    return b"".join(struct.pack("!I", (l << 12) | (0x100 if i == len(labels) - 1 else 0) | 64)
                    for i, l in enumerate(labels))


def tunnels():
    frames = []
    for d in pair4("198.18.10.1", "198.18.10.2", 7060, 7060, 20):
        frames.append(outer(gre(d, 0x0800), PROTO_GRE))
    for d in pair4("198.18.11.1", "198.18.11.2", 7060, 7060, 21):
        frames.append(outer(gre(d, 0x0800, key=77, seq=5, csum_on=True), PROTO_GRE))
    for d in pair6("fd00:198:18:12::1", "fd00:198:18:12::2", 7060, 7060, 22):
        frames.append(outer(gre(d, 0x86DD), PROTO_GRE))
    for d in pair4("198.18.13.1", "198.18.13.2", 7060, 7060, 23):
        frames.append(outer(gre(eth(d), 0x6558, key=1), PROTO_GRE))
    for d in pair4("198.18.14.1", "198.18.14.2", 7060, 7060, 24):
        frames.append(outer(erspan2(eth(d, vlans=[(0x8100, 14)])), PROTO_GRE))
    for i, d in enumerate(pair4("198.18.15.1", "198.18.15.2", 7060, 7060, 25)):
        frames.append(outer(erspan3(eth(d), sub=(i == 1)), PROTO_GRE))
    for d in pair4("198.18.16.1", "198.18.16.2", 7060, 7060, 26):
        frames.append(outer(d, PROTO_IPIP))
    for d in pair6("fd00:198:18:17::1", "fd00:198:18:17::2", 7060, 7060, 27):
        frames.append(outer(d, PROTO_IPV6))
    for d in pair6("fd00:198:18:18::1", "fd00:198:18:18::2", 7060, 7060, 28):
        frames.append(eth(ipv6("fd00:198:18:ff::1", "fd00:198:18:ff::2", d, nh=PROTO_IPV6)))
    for d in pair4("198.18.19.1", "198.18.19.2", 7060, 7060, 29):
        frames.append(outer(pptp(d), PROTO_GRE))
    for d in pair4("198.18.20.1", "198.18.20.2", 7060, 7060, 30):                 # MPLS, two labels
        frames.append(eth(mpls([1000, 2000]) + d, ethertype=0x8847))
    for d in pair6("fd00:198:18:21::1", "fd00:198:18:21::2", 7060, 7060, 31):     # MPLS in GRE
        frames.append(outer(gre(mpls([30]) + d, 0x8847), PROTO_GRE))
    for d in pair4("198.18.22.1", "198.18.22.2", 7060, 7060, 32):                 # Ethernet pseudowire
        frames.append(eth(mpls([40]) + b"\0\0\0\0" + eth(d), ethertype=0x8847))
    write("decode-tunnels.pcap", 1, frames)


# ---- IPv6 extension headers ----

def ext(nh, body):
    """Generic extension header; body is everything after next-header/length."""
    assert (len(body) + 2) % 8 == 0
    return struct.pack("!BB", nh, (len(body) + 2) // 8 - 1) + body


def l4csum6(src, dst, proto, seg, off):
    pseudo = ip6(src, dst) + struct.pack("!IxxxB", len(seg), proto)
    c = csum(pseudo + seg[:off] + b"\0\0" + seg[off + 2:])
    return seg[:off] + struct.pack("!H", c) + seg[off + 2:]


MN_COA, MN_HOME, CN = "fd00:198:18:20::c0a", "fd00:198:18:21::1", "fd00:198:18:20::99"


def ipv6_ext():
    frames = []
    # mobile node -> correspondent: HBH, dstopts with Home Address option, atomic fragment, TCP
    seg = tcp(40000, 7060, 1, 0, "S", b"", src=MN_HOME, dst=CN, options=b"\x02\x04\x05\xa0")
    hao = struct.pack("!BBBB", 1, 2, 0, 0) + struct.pack("!BB", 0xC9, 16) + ip6(MN_HOME)
    chain = (ext(60, b"\x05\x02\x00\x00\x01\x00") + ext(44, hao) +
             ipv6_frag_hdr(PROTO_TCP, 0, False, 0x1111) + seg)
    frames.append(eth(ipv6(MN_COA, CN, chain, nh=0)))
    # correspondent -> mobile node: type 2 routing header with the home address
    seg = tcp(7060, 40000, 1000, 2, "SA", b"", src=CN, dst=MN_HOME, options=b"\x02\x04\x05\xa0")
    rh2 = struct.pack("!BBI", 2, 1, 0) + ip6(MN_HOME)
    frames.append(eth(ipv6(CN, MN_COA, ext(PROTO_TCP, rh2) + seg, nh=43)))
    # HBH + routing type 0 (deprecated, event) + UDP
    rh0 = struct.pack("!BBI", 0, 0, 0) + ip6("fd00:198:18:20::77")       # segments left 0
    d = udp(7100, 7101, b"rh0", A6, B6)
    frames.append(eth(ipv6(A6, B6, ext(43, b"\x01\x04\0\0\0\0") + ext(PROTO_UDP, rh0) + d, nh=0)))
    # unknown next header (200) after a destination options header
    frames.append(eth(ipv6(A6, B6, ext(200, b"\x01\x04\0\0\0\0") + b"\0" * 16, nh=60)))
    # truncated extension header: length says 16 bytes, 8 there
    frames.append(eth(ipv6(A6, B6, struct.pack("!BB", PROTO_UDP, 1) + b"\x01\x04\0\0\0\0", nh=60)))
    # hop-by-hop not first
    d = udp(7102, 7103, b"hbh", A6, B6)
    frames.append(eth(ipv6(A6, B6, ext(0, b"\x01\x04\0\0\0\0") + ext(PROTO_UDP, b"\x01\x04\0\0\0\0") + d, nh=60)))
    # first fragment of a datagram whose rest never comes
    d = udp(7104, 7105, b"x" * 32, A6, B6)
    frames.append(eth(ipv6(A6, B6, ipv6_frag_hdr(PROTO_UDP, 0, True, 0x2222) + d[:24], nh=44)))
    # AH (skipped: (len + 2) * 4 bytes) then UDP
    d = udp(7106, 7107, b"ah", A6, B6)
    ah = struct.pack("!BBHII", PROTO_UDP, 4, 0, 0x100, 1) + b"\0" * 12
    frames.append(eth(ipv6(A6, B6, ah + d, nh=51)))
    write("decode-ipv6-ext.pcap", 1, frames)


# ---- malformed ----

def malformed():
    frames = []
    good = udp4(A, B, 6000, 6001, b"fine")
    frames.append(eth(good))
    frames.append(eth(good)[:10])                                   # truncated Ethernet
    frames.append(eth(good, vlans=[(0x8100, 5)])[:16])              # truncated VLAN tag
    frames.append(eth(good)[:14 + 12])                              # IPv4 header cut
    frames.append(eth(good[:30]))                                   # IPv4 total length past the frame
    bad_hl = bytearray(good)
    bad_hl[0] = 0x44
    frames.append(eth(bytes(bad_hl)))                               # IHL 4
    frames.append(eth(ipv4(A, B, udp(6000, 6001, b"opt", A, B), options=b"\x07\x07\x03\0\0\0\0\0")))   # RR pointer 3
    frames.append(eth(ipv4(A, B, udp(6000, 6001, b"opt", A, B), options=b"\x94\x04\0\0")))          # router alert, valid
    u = bytearray(udp4(A, B, 6000, 6001, b"badsum"))
    u[-1] ^= 0xFF
    frames.append(eth(bytes(u)))                                    # bad UDP checksum
    t = bytearray(ipv4(A, B, tcp(6002, 6003, 1, 0, "S", b"", src=A, dst=B), proto=PROTO_TCP))
    t[8] = 3                                                        # TTL changed: bad IPv4 header checksum
    frames.append(eth(bytes(t)))
    frames.append(eth(ipv4(A, B, tcp(6004, 6005, 1, 0, "S", b"", src=A, dst=B, options=b"\x02\x03\x05\x01"), proto=PROTO_TCP)))  # MSS len 3
    frames.append(eth(ipv4(A, B, b"\x17\x70\x17\x71\0\0", proto=PROTO_UDP)))                    # UDP 6 bytes
    frames.append(eth(ipv4(A, B, udp(6000, 6001, b"len")[:4] + b"\0\x40\0\0len", proto=PROTO_UDP)))   # UDP length 64
    frames.append(eth(ipv4(A, B, b"\x08\0\0\0", proto=PROTO_ICMP)))                             # ICMP 4 bytes
    frames.append(eth(ipv6(A6, B6, b"\0" * 8, nh=PROTO_UDP)[:30]))                               # IPv6 header cut
    frames.append(eth(ipv6(A6, B6, udp(6000, 6001, b"short", A6, B6), nh=PROTO_UDP, plen=80)))     # payload length past the frame
    z = bytearray(udp6(A6, B6, 6006, 6007, b"zero"))
    z[46:48] = b"\0\0"
    frames.append(eth(bytes(z)))                                    # IPv6 UDP zero checksum
    frames.append(eth(b"\x11\x00\x12\x34\x01\x00\x00\x21", ethertype=0x8864))   # PPPoE length past the frame
    frames.append(outer(b"\xb0\x00\x08\x00\0\0", PROTO_GRE))         # GRE options cut
    frames.append(outer(gre(b"", 0x0800, flags=0x0003), PROTO_GRE))  # GRE version 3
    frames.append(outer(gre(b"\x30\x00\0\0\0\0\0\0", 0x88BE, seq=1), PROTO_GRE))  # ERSPAN II version 3
    frames.append(eth(ipv4(A, B, icmp_echo(1, 1, b"ping"), proto=PROTO_ICMP)))
    # total length 0 as TCP segmentation offload leaves it, L4 checksum not filled
    tso = bytearray(ipv4(A, B, tcp(6010, 6011, 1, 1, "PA", b"offloaded segment " * 20), proto=PROTO_TCP))
    tso[2:4] = b"\0\0"
    tso[10:12] = b"\0\0"
    tso[10:12] = struct.pack("!H", csum(bytes(tso[:20])))
    frames.append(eth(bytes(tso)))
    # a snap length cut: whole frame on the wire, 60 bytes captured -> no anomaly
    frames.append((eth(udp4(A, B, 6008, 6009, b"s" * 200))[:60], 14 + 28 + 200))
    write("decode-malformed.pcap", 1, frames)


def main():
    os.makedirs(OUT, exist_ok=True)
    linktypes()
    vlan_pppoe()
    tunnels()
    ipv6_ext()
    malformed()


if __name__ == "__main__":
    main()
