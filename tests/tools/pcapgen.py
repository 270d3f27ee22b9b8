#!/usr/bin/env python3
"""pcapgen.py - build test captures byte by byte (no third-party modules).

Used by the project's scripts that make the small captures under pcaps/.
Everything here writes exactly the bytes asked for, so malformed and
adversarial packets (overlapping fragments, bad lengths) are easy to make.
Addresses in test captures come from 198.18.0.0/15 and fd00:198:18::/48.

    w = PcapWriter("out.pcap")            # Ethernet link type
    w.add(eth(ipv4("198.18.0.1", "198.18.0.2", udp(5060, 5060, b"..."))))
    w.close()
"""
import ipaddress
import struct

DLT_EN10MB = 1
DLT_RAW = 101
DLT_NULL = 0
DLT_LINUX_SLL = 113
DLT_LINUX_SLL2 = 276

PROTO_ICMP, PROTO_IPIP, PROTO_TCP, PROTO_UDP, PROTO_IPV6, PROTO_GRE, PROTO_ICMPV6 = 1, 4, 6, 17, 41, 47, 58


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return ipaddress.IPv4Address(a).packed


def ip6(a):
    return ipaddress.IPv6Address(a).packed


class PcapWriter:
    """Classic pcap (microsecond, or nanosecond with nano=True)."""

    def __init__(self, path, linktype=DLT_EN10MB, nano=False, snaplen=262144):
        self.f = open(path, "wb")
        self.nano = nano
        magic = 0xA1B23C4D if nano else 0xA1B2C3D4
        self.f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        self.t = 1700000000.0

    def add(self, frame, ts=None, wirelen=None):
        """ts: float seconds, or (seconds, fraction in us or ns) for exact values."""
        if ts is None:
            self.t += 0.001
            ts = self.t
        if isinstance(ts, tuple):  # (seconds, fraction in the file's unit): exact
            sec, frac = ts
        else:
            sec = int(ts)
            frac = int(round((ts - sec) * (1e9 if self.nano else 1e6)))
        self.f.write(struct.pack("<IIII", sec, frac, len(frame), wirelen or len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def eth(payload, ethertype=None, src=b"\x02\0\0\0\0\x01", dst=b"\x02\0\0\0\0\x02", vlans=()):
    if ethertype is None:
        ethertype = 0x86DD if payload[0] >> 4 == 6 else 0x0800
    hdr = dst + src
    for tpid, vid in vlans:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, payload, proto=PROTO_UDP, ident=1, flags_frag=0, ttl=64, options=b"", total_len=None):
    """flags_frag: raw 16-bit field (0x2000 = MF, offset in 8-byte units)."""
    ihl = 5 + len(options) // 4
    tl = total_len if total_len is not None else ihl * 4 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tl, ident, flags_frag, ttl, proto, 0, ip4(src), ip4(dst)) + options
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, payload, nh=PROTO_UDP, hlim=64, plen=None):
    pl = plen if plen is not None else len(payload)
    return struct.pack("!IHBB16s16s", 0x60000000, pl, nh, hlim, ip6(src), ip6(dst)) + payload


def ipv6_frag_hdr(nh, offset, more, ident):
    return struct.pack("!BBHI", nh, 0, (offset & 0xFFF8) | (1 if more else 0), ident)


def _l4_csum(src, dst, proto, seg):
    if ":" in src:
        pseudo = ip6(src) + ip6(dst) + struct.pack("!IxxxB", len(seg), proto)
    else:
        pseudo = ip4(src) + ip4(dst) + struct.pack("!xBH", proto, len(seg))
    return csum(pseudo + seg)


def udp(sport, dport, payload, src=None, dst=None):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if src and dst:
        c = _l4_csum(src, dst, PROTO_UDP, seg) or 0xFFFF
        seg = seg[:6] + struct.pack("!H", c) + seg[8:]
    return seg


def tcp(sport, dport, seq, ack, flags, payload=b"", win=65535, src=None, dst=None, options=b""):
    """flags: string of letters from 'FSRPAU'."""
    bits = sum({"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}[c] for c in flags)
    off = (20 + len(options)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, bits, win, 0, 0) + options + payload
    if src and dst:
        c = _l4_csum(src, dst, PROTO_TCP, seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return seg


def icmp_echo(ident, seq, payload=b"", v6=False):
    t = 128 if v6 else 8
    h = struct.pack("!BBHHH", t, 0, 0, ident, seq) + payload
    if not v6:
        h = h[:2] + struct.pack("!H", csum(h)) + h[4:]
    return h


class PcapngWriter:
    """pcapng: one section, interfaces added with add_interface() (also in
    the middle of the file, which is how a mixed link-type file is made),
    Enhanced Packet Blocks with timestamps in each interface's resolution.

        w = PcapngWriter("out.pcapng")        # interface 0: Ethernet, us
        w.add(eth(...))
        i = w.add_interface(DLT_RAW, tsresol=9)
        w.add(ipv4(...), iface=i)
    """

    SHB, IDB, EPB = 0x0A0D0D0A, 0x00000001, 0x00000006

    def __init__(self, path, linktype=DLT_EN10MB, tsresol=6, snaplen=262144, comment=None):
        self.f = open(path, "wb")
        self.t = 1700000000.0
        self.ifaces = []
        opts = self._opt(1, comment.encode()) + self._opt(0, b"") if comment else b""
        self._block(self.SHB, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + opts)
        self.add_interface(linktype, tsresol, snaplen)

    @staticmethod
    def _opt(code, value):
        pad = (-len(value)) % 4
        return struct.pack("<HH", code, len(value)) + value + b"\0" * pad

    def _block(self, btype, body):
        body += b"\0" * ((-len(body)) % 4)
        n = 12 + len(body)
        self.f.write(struct.pack("<II", btype, n) + body + struct.pack("<I", n))

    def add_interface(self, linktype, tsresol=6, snaplen=262144):
        """tsresol: power of ten of the timestamp unit (6 = us, 9 = ns)."""
        opts = b""
        if tsresol != 6:
            opts = self._opt(9, bytes([tsresol])) + self._opt(0, b"")
        self._block(self.IDB, struct.pack("<HHI", linktype, 0, snaplen) + opts)
        self.ifaces.append(tsresol)
        return len(self.ifaces) - 1

    def add_block(self, btype, body):
        """Any other block (name resolution, statistics): readers skip it."""
        self._block(btype, body)

    def add(self, frame, ts=None, wirelen=None, iface=0):
        if ts is None:
            self.t += 0.001
            ts = self.t
        units = 10 ** self.ifaces[iface]
        if isinstance(ts, tuple):  # (seconds, fraction in the interface's unit): exact
            t = ts[0] * units + ts[1]
        else:
            sec = int(ts)
            t = sec * units + int(round((ts - sec) * units))
        self._block(self.EPB, struct.pack("<IIIII", iface, t >> 32, t & 0xFFFFFFFF, len(frame),
                                          wirelen or len(frame)) + frame)

    def close(self):
        self.f.close()
